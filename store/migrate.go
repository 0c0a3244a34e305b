package store

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The migrations of both engines, embedded, and how Open applies them.

// migrationFS holds each engine's migrations, numbered alike.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrate applies every embedded migration of the engine that the
// schema_migrations table does not record yet, each in its own
// transaction. On PostgreSQL it holds an advisory lock throughout, so of
// several replicas starting together one migrates and the others wait and
// find nothing left to do.
func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/sqlite/*.sql"
	if db.dialect.postgres {
		dir = "migrations/postgres/*.sql"
		unlock, err := db.lockMigrations(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, dir)
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// rebuildMarker opens a SQLite migration that must run with foreign keys
// off (see applyMigration).
const rebuildMarker = "-- rebuild: foreign keys off"

func (db *DB) applyMigration(ctx context.Context, name string) error {
	base := filepath.Base(name)
	num, _, ok := strings.Cut(base, "_")
	version, err := strconv.Atoi(num)
	if !ok || err != nil {
		return fmt.Errorf("migration %s: name must start with a number and an underscore", base)
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	// A SQLite migration that rebuilds a table others refer to (the only way
	// to change a CHECK there) runs with foreign keys off, as SQLite's
	// documented procedure says, and checks them before it commits.
	rebuild := !db.dialect.postgres && bytes.HasPrefix(body, []byte(rebuildMarker))
	if rebuild {
		if _, err := db.write.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		defer db.write.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if n > 0 {
		return nil
	}
	// The body is the engine's own SQL, sent as it is.
	if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if rebuild {
		rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		broken := rows.Next()
		rows.Close()
		if broken {
			return fmt.Errorf("migration %s: the rebuilt tables break a foreign key", base)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		version, base, formatTime(tx.now)); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	return tx.Commit()
}
