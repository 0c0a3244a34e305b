package store

import "context"

// EndGrace stops a rotated token's previous secret now, before its grace
// runs out; the current secret keeps working. A token with no grace
// running is returned unchanged, and nothing is recorded.
func (db *DB) EndGrace(ctx context.Context, orgID int64, id string, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	before, err := liveToken(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	if !before.PrevValidUntil.After(tx.now) {
		return before, nil
	}
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET prev_secret_hash = NULL, prev_valid_until = NULL WHERE id = ?`, id); err != nil {
		return Token{}, err
	}
	after, err := tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	details := map[string]string{"old_secret": "stopped at once, instead of at " + formatTime(before.PrevValidUntil)}
	if err := recordEvent(ctx, tx, actor, tokenEvent(after, "token.grace_ended", details)); err != nil {
		return Token{}, err
	}
	return after, tx.Commit()
}
