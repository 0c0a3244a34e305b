package store

import "context"

// ExecForTest runs a raw statement on the writer, for tests that prove the
// schema itself refuses something.
func (db *DB) ExecForTest(ctx context.Context, stmt string) error {
	_, err := db.write.ExecContext(ctx, stmt)
	return err
}

// CheckCopyTables runs Copy's check that it knows every table of db's
// schema (the source's on SQLite, the target's on PostgreSQL).
func (db *DB) CheckCopyTables(ctx context.Context) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return knownTables(ctx, tx)
}
