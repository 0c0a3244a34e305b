package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Advisory lock keys, the same in every replica: migrationLock is held
// while migrating, writeLock by every write transaction.
const (
	migrationLock int64 = 0x746f6b656e01 // "token" 01
	writeLock     int64 = 0x746f6b656e02
)

// IsPostgresURL reports whether location names a PostgreSQL database
// rather than an SQLite file.
func IsPostgresURL(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// openPostgres connects to the PostgreSQL database at rawURL through pgx:
// a reader pool and a smaller writer pool (writers wait on one lock, so
// more of them would only hold connections idle).
func openPostgres(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	shown := redactURL(rawURL)
	cfg, err := postgresConfig(rawURL)
	if err != nil {
		return nil, err
	}
	open := func(maxConns int) *sql.DB {
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db
	}
	read, write := open(16), open(4)
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := write.PingContext(pctx); err != nil {
		read.Close()
		write.Close()
		return nil, unreachable(shown, err)
	}
	db := &DB{write: pool{write, postgresDialect}, read: pool{read, postgresDialect}, path: shown, dialect: postgresDialect, pgConfig: cfg}
	return db.start(ctx, opts)
}

// postgresConfig reads a PostgreSQL URL into the connection settings the
// store uses.
func postgresConfig(rawURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx's message shows the URL, without its password.
		return nil, fmt.Errorf("the database URL is not a PostgreSQL URL pgx can read: %w", oneLine{err})
	}
	// Arguments are sent as literals whose type the statement decides, as
	// SQLite's are: "SELECT ?, …" and "? IS NULL" need no casts, and pgx
	// quotes each value itself.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	return cfg, nil
}

func unreachable(shown string, err error) error {
	return fmt.Errorf("cannot reach PostgreSQL at %s: %w", shown, oneLine{err})
}

// oneLine is an error whose message is kept to one line: pgx gives each
// address it tried (and each TLS mode) a line of its own, often the same.
type oneLine struct{ error }

func (e oneLine) Error() string {
	var parts []string
	for _, l := range strings.Split(e.error.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(parts, l) {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

func (e oneLine) Unwrap() error { return e.error }

// CheckPostgres connects to the PostgreSQL database at rawURL and
// disconnects, writing nothing, with the messages Open would give for a URL
// that does not parse or a server that does not answer. A command checks
// its URL so before it writes anything of its own (a new key file).
func CheckPostgres(ctx context.Context, rawURL string) error {
	cfg, err := postgresConfig(rawURL)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return unreachable(redactURL(rawURL), err)
	}
	return conn.Close(ctx)
}

// lockMigrations takes the migration lock on a connection of its own and
// returns the function that gives it back.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migrate: waiting for the migration lock: %w", err)
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLock)
		conn.Close()
	}, nil
}

// redactURL is rawURL without its password, for messages and Path.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}

// ErrOtherKey is returned by Open when the database records the fingerprint
// of a deployment key other than the one given.
var ErrOtherKey = errors.New("the database was made with another deployment key")

// WithKeyFingerprint has Open record fp, the fingerprint of the deployment
// key, in a new database and refuse a database that records another.
func WithKeyFingerprint(fp string) Option {
	return func(db *DB) { db.keyFingerprint = fp }
}

// checkKey records or compares the deployment key's fingerprint.
func (db *DB) checkKey(ctx context.Context) error {
	if db.keyFingerprint == "" {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var have string
	err = tx.QueryRowContext(ctx, "SELECT key_fingerprint FROM deployment WHERE id = 1").Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, "INSERT INTO deployment (id, key_fingerprint, created_at) VALUES (1, ?, ?)",
			db.keyFingerprint, formatTime(tx.now)); err != nil {
			return fmt.Errorf("record the deployment key: %w", err)
		}
		return tx.Commit()
	case err != nil:
		return fmt.Errorf("read the deployment key's fingerprint: %w", err)
	case have != db.keyFingerprint:
		return fmt.Errorf("%w (its fingerprint is %s, this key's is %s): start with the key file it was made with (--key-file); every replica must share one", ErrOtherKey, have, db.keyFingerprint)
	}
	return nil
}
