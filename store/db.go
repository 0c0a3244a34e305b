// Package store keeps Tokenward's data in an embedded SQLite database, or in
// PostgreSQL when several replicas share one.
//
// It knows SQL and nothing of HTTP: every public method is one transaction,
// reads go to a pool of reader connections and writes to the writer. On
// SQLite the writer is a single connection, so SQLite never sees two
// writers contend for its lock; on PostgreSQL every write transaction
// takes one advisory lock first, so writes are just as serial across all
// the replicas and every read-then-write rule (the last admin, a quota, a
// cap) holds the same way on both engines.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the Tokenward database: a single writer connection and a reader pool
// over the same SQLite file.
type DB struct {
	write   pool
	read    pool
	path    string
	dialect dialect
	// dsn is the SQLite file's connection string with its pragmas, for the
	// connection of its own that Backup opens.
	dsn string

	// pgConfig is the PostgreSQL connection's settings (nil on SQLite),
	// for the change feed's own connection.
	pgConfig *pgx.ConnConfig
	// keyFingerprint is the deployment key's, checked at Open (see
	// WithKeyFingerprint).
	keyFingerprint string

	// clock is used for every timestamp the store writes; it is fixed at
	// Open, so nothing can move it while the server runs (see WithClock).
	clock func() time.Time

	// tokenGen counts committed changes that can make a token stop working
	// or change what it may do, so caches of token checks know when to
	// forget what they hold.
	tokenGen atomic.Uint64
	// tokenCreations counts committed transactions that added tokens (or new
	// secrets), so a cache of "no such token" answers knows when to forget.
	tokenCreations atomic.Uint64
	// feed hears the other replicas' token changes (PostgreSQL only).
	feed *feed
}

// TokenCreations changes after every committed transaction that adds a
// token or a new secret in this process. Another process (the admin
// command line) can add tokens too, so "no such token" answers are kept
// only briefly even while it stands still.
func (db *DB) TokenCreations() uint64 {
	if db.feed != nil && !db.feed.listening.Load() {
		return db.tokenCreations.Add(1)
	}
	return db.tokenCreations.Load()
}

// TokenGeneration changes after every committed change that can refuse a
// token or change its scopes, owner or policy: revoke, disable, enable,
// rotate, edit, policy, member removal. Creating a token does not change
// it: no cached answer about another token is made wrong by a new one.
//
// On PostgreSQL both counters also move on every other replica's changes
// (see changefeed.go), and on every read while that feed is down.
func (db *DB) TokenGeneration() uint64 {
	if db.feed != nil && !db.feed.listening.Load() {
		return db.tokenGen.Add(1)
	}
	return db.tokenGen.Load()
}

// Open opens the database at location and runs any pending migrations: a
// postgres:// or postgresql:// URL is a PostgreSQL database (see
// openPostgres), anything else the path of an SQLite file, created when
// needed, with the pragmas Tokenward relies on.
func Open(ctx context.Context, location string, opts ...Option) (*DB, error) {
	if IsPostgresURL(location) {
		return openPostgres(ctx, location, opts...)
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, fmt.Errorf("database path: %w", err)
	}
	// busy_timeout comes first so that every later pragma already waits for
	// a lock instead of failing with SQLITE_BUSY.
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
		pragmas.Add("_pragma", p)
	}
	dsn := "file:" + abs + "?" + pragmas.Encode()

	// The writer begins every transaction IMMEDIATE, taking the write lock at
	// BEGIN, so a read-then-write transaction never fails mid-way on upgrade.
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)

	// Readers refuse writes, so a write sent to the wrong pool fails loudly.
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)

	db := &DB{write: pool{write, sqliteDialect}, read: pool{read, sqliteDialect}, path: abs, dialect: sqliteDialect, dsn: dsn, clock: time.Now}
	return db.start(ctx, opts)
}

// start applies the options, migrates and checks the deployment key.
func (db *DB) start(ctx context.Context, opts []Option) (*DB, error) {
	db.clock = time.Now
	for _, o := range opts {
		o(db)
	}
	// A database made with another key is refused before anything of it
	// changes, migrations included.
	if err := db.refuseOtherKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.checkKey(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect.postgres {
		db.startFeed()
	}
	return db, nil
}

// Close closes both pools. SQLite checkpoints the WAL when the last
// connection closes.
func (db *DB) Close() error {
	db.stopFeed()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the absolute path of the database file, or the PostgreSQL URL
// without its password.
func (db *DB) Path() string { return db.path }

// Shared reports whether other processes may serve from the same database
// (PostgreSQL), so caches, throttles and jobs must be shared through it.
func (db *DB) Shared() bool { return db.dialect.postgres }

// Ping checks that the database answers a query on each pool.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("reader: %w", err)
	}
	if err := db.write.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	return nil
}

// Now is the time by the store's clock, in UTC: the one clock of the
// process, which the server reads too.
func (db *DB) Now() time.Time { return db.clock().UTC() }

// now returns the store clock's time truncated to the second in UTC, which
// is the precision every timestamp column holds.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Second) }

// Tx is a transaction with the time it started, so every row it writes
// carries the same timestamp.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// tokensChanged marks a transaction whose commit must advance the token
	// generation; tokensCreated one that adds tokens.
	tokensChanged bool
	tokensCreated bool
}

// Commit commits and, when the transaction changed how tokens check, moves
// the token generation on, after the change is visible to readers.
func (tx *Tx) Commit() error {
	if err := tx.notifyChanges(); err != nil {
		return err
	}
	if err := tx.Tx.Commit(); err != nil {
		return err
	}
	if tx.tokensChanged {
		tx.db.tokenGen.Add(1)
	}
	if tx.tokensCreated || tx.tokensChanged {
		tx.db.tokenCreations.Add(1)
	}
	return nil
}

// beginWrite starts a write transaction: on the single writer connection
// of SQLite, or holding PostgreSQL's write lock (see writeLock).
func (db *DB) beginWrite(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if db.dialect.postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writeLock); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("begin: %w", err)
		}
	}
	return &Tx{Tx: tx, db: db, now: db.now()}, nil
}

// beginRead starts a read-only transaction on the reader pool, which sees
// one consistent snapshot.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect.postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.now()}, nil
}

// timeLayout is how every timestamp is stored: sortable UTC text.
const timeLayout = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// scanTime parses a stored timestamp; NULL or empty gives the zero time.
func scanTime(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Pragmas reports the settings a connection of the writer runs with, for
// /readyz diagnostics and tests: SQLite's pragmas, or PostgreSQL's version.
func (db *DB) Pragmas(ctx context.Context) map[string]string {
	out := map[string]string{}
	if db.dialect.postgres {
		var v string
		if err := db.read.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err == nil {
			out["server_version"] = v
		}
		return out
	}
	for _, p := range []string{"journal_mode", "foreign_keys", "synchronous", "busy_timeout"} {
		var v string
		if err := db.write.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err == nil {
			out[p] = v
		}
	}
	return out
}

func named(name string, v any) any { return sql.Named(name, v) }

// Pools returns the reader pool and the writer connection, for metrics of
// their statistics.
func (db *DB) Pools() (reader, writer *sql.DB) { return db.read.DB, db.write.DB }

// column reads a query's single column into a slice.
func column[T any](ctx context.Context, tx *Tx, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// insertID runs an INSERT and returns the id of the row it made (through
// RETURNING, which both engines have; pgx has no LastInsertId).
func insertID(ctx context.Context, tx *Tx, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}
