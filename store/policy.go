package store

import "context"

// LiveTokens lists every live (not revoked) token of an org, of every kind,
// oldest first: what a change of the token policy may cut.
func (db *DB) LiveTokens(ctx context.Context, orgID int64) ([]Token, error) {
	return db.queryTokens(ctx, `WHERE t.org_id = ? AND t.revoked_at IS NULL ORDER BY t.created_at, t.id`, orgID)
}

// queryTokens reads the tokens a WHERE ... ORDER BY clause on t selects.
func (db *DB) queryTokens(ctx context.Context, clause string, args ...any) ([]Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenJoins+` `+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
