package store

import (
	"context"
	"database/sql"
)

// DismissExpiryWarning records that userID dismissed the expiry warning of
// their token tokenID in orgID: the warning stays away while the token's
// expiry is what it is now. It reports whether such a token of theirs
// exists; a token of someone else's is left alone.
func (db *DB) DismissExpiryWarning(ctx context.Context, orgID, userID int64, tokenID string) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var expires sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT expires_at FROM tokens WHERE id = ? AND org_id = ? AND owner_user_id = ?`,
		tokenID, orgID, userID).Scan(&expires)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO expiry_dismissals (user_id, token_id, expires_at, dismissed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, token_id) DO UPDATE SET expires_at = excluded.expires_at, dismissed_at = excluded.dismissed_at`,
		userID, tokenID, expires.String, formatTime(tx.now)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// dismissedWhere is the condition, on a row of tokens, that its owner has
// not dismissed its expiry warning at its present expiry.
const dismissedWhere = `NOT EXISTS (SELECT 1 FROM expiry_dismissals d WHERE d.user_id = tokens.owner_user_id
	AND d.token_id = tokens.id AND d.expires_at = COALESCE(tokens.expires_at, ''))`
