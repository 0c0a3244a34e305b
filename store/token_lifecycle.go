package store

import (
	"context"
	"time"
)

// Rotation is a new secret for a token. The old secret keeps working until
// OldValidUntil (zero or past: it stops at once).
type Rotation struct {
	SecretHash    []byte
	Sealed        []byte // for org-visible tokens
	Hint          string
	Visibility    string // the visibility after rotation ("Rotate and share" changes it)
	OldValidUntil time.Time
	// SetExpiry gives the token ExpiresAt (zero: never) as its new expiry;
	// otherwise the expiry stays.
	SetExpiry bool
	ExpiresAt time.Time
}

// RotateToken replaces a live token's secret, keeping its name, scopes and
// (unless r says otherwise) visibility.
func (db *DB) RotateToken(ctx context.Context, orgID int64, id string, r Rotation, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	before, err := liveToken(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	// During a grace period the current secret becomes the previous one.
	var prevUntil any
	if r.OldValidUntil.After(tx.now) {
		prevUntil = formatTime(r.OldValidUntil)
	}
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `INSERT INTO retired_secrets (secret_hash, token_id, rotated_at)
		SELECT secret_hash, id, ? FROM tokens WHERE id = ? ON CONFLICT DO NOTHING`, formatTime(tx.now), id); err != nil {
		return Token{}, err
	}
	set := `UPDATE tokens SET
		prev_secret_hash = CASE WHEN ? IS NULL THEN NULL ELSE secret_hash END, prev_valid_until = ?,
		secret_hash = ?, secret_sealed = ?, hint = ?, visibility = ?, rotated_at = ?`
	args := []any{prevUntil, prevUntil, r.SecretHash, nullBytes(r.Sealed), r.Hint, r.Visibility, formatTime(tx.now)}
	if r.SetExpiry {
		set += `, expires_at = ?`
		args = append(args, nullTime(r.ExpiresAt))
	}
	if _, err = tx.ExecContext(ctx, set+` WHERE id = ?`, append(args, id)...); err != nil {
		return Token{}, err
	}
	after, err := tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	details := map[string]string{"old_secret": "stopped at once"}
	if prevUntil != nil {
		details["old_secret"] = "works until " + formatTime(r.OldValidUntil)
	}
	if before.Visibility != after.Visibility {
		details["visibility"] = before.Visibility + " → " + after.Visibility
	}
	if r.SetExpiry {
		details["expires"] = "never"
		if !r.ExpiresAt.IsZero() {
			details["expires"] = formatTime(r.ExpiresAt)
		}
	}
	if err := recordEvent(ctx, tx, actor, tokenEvent(after, "token.rotated", details)); err != nil {
		return Token{}, err
	}
	if err := notifyTokenChange(ctx, tx, after, NoticeRotated, actor, rotateNotice(r.OldValidUntil, prevUntil != nil)); err != nil {
		return Token{}, err
	}
	return after, tx.Commit()
}

// SetTokenDisabled disables or re-enables a live token.
func (db *DB) SetTokenDisabled(ctx context.Context, orgID int64, id string, disabled bool, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := setTokenDisabled(ctx, tx, orgID, id, disabled, actor)
	if err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

func setTokenDisabled(ctx context.Context, tx *Tx, orgID int64, id string, disabled bool, actor Actor) (Token, error) {
	before, err := liveToken(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	if disabled == !before.DisabledAt.IsZero() {
		return before, nil // already so: nothing to do or record
	}
	tx.tokensChanged = true
	action := "token.enabled"
	if disabled {
		action = "token.disabled"
		_, err = tx.ExecContext(ctx, `UPDATE tokens SET disabled_at = ?, disabled_by = ? WHERE id = ?`, formatTime(tx.now), nullID(actor.UserID), id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE tokens SET disabled_at = NULL, disabled_by = NULL WHERE id = ?`, id)
	}
	if err != nil {
		return Token{}, err
	}
	after, err := tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	if err := recordEvent(ctx, tx, actor, tokenEvent(after, action, nil)); err != nil {
		return Token{}, err
	}
	if disabled {
		return after, notifyTokenChange(ctx, tx, after, NoticeDisabled, actor, "")
	}
	return after, nil
}

// RevokeToken revokes a token for good. Revoking a revoked token changes
// nothing.
func (db *DB) RevokeToken(ctx context.Context, orgID int64, id, reason string, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := revokeToken(ctx, tx, orgID, id, reason, actor)
	if err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

func revokeToken(ctx context.Context, tx *Tx, orgID int64, id, reason string, actor Actor) (Token, error) {
	t, err := tokenByID(ctx, tx, orgID, id)
	if err != nil || !t.RevokedAt.IsZero() {
		return t, err
	}
	// The sealed copy and the grace secret go with it: nothing of a revoked
	// token can be revealed or used again.
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?, revoked_by = ?, revoked_reason = ?,
		secret_sealed = NULL, prev_secret_hash = NULL, prev_valid_until = NULL WHERE id = ?`,
		formatTime(tx.now), nullID(actor.UserID), reason, id); err != nil {
		return Token{}, err
	}
	t, err = tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	var details map[string]string
	if reason != "" {
		details = map[string]string{"reason": reason}
	}
	if err := recordEvent(ctx, tx, actor, tokenEvent(t, "token.revoked", details)); err != nil {
		return Token{}, err
	}
	kind, detail := revokeNotice(reason)
	return t, notifyTokenChange(ctx, tx, t, kind, actor, detail)
}

// liveTokenIDs lists the ids of live tokens matching a condition on t.
func liveTokenIDs(ctx context.Context, tx *Tx, cond string, args ...any) ([]string, error) {
	return column[string](ctx, tx, `SELECT id FROM tokens WHERE revoked_at IS NULL AND `+cond+` ORDER BY created_at`, args...)
}
