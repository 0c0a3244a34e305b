package store

import "context"

// ExecForTest runs a raw statement on the writer, for tests that prove the
// schema itself refuses something.
func (db *DB) ExecForTest(ctx context.Context, stmt string) error {
	_, err := db.write.ExecContext(ctx, stmt)
	return err
}
