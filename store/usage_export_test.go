package store

import "context"

// CountForTest counts the rows of table whose column equals value, for tests
// that check what a write left behind. table and column come from the test.
func (db *DB) CountForTest(ctx context.Context, table, column string, value any) int {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+column+" = ?", value).Scan(&n); err != nil {
		return -1
	}
	return n
}
