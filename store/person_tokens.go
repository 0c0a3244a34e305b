package store

import (
	"context"
	"fmt"
	"tokenward/auth/fault"
)

// PersonTokens lists the live API and CLI tokens a person made or owns in
// one org (every org when orgID is 0), by org, kind and name: what admins
// are shown when that person is demoted, removed or disabled. An API token
// they made but handed over is theirs too: they may still hold its secret.
func (db *DB) PersonTokens(ctx context.Context, userID, orgID int64) ([]UserToken, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+`, o.slug, o.name, COALESCE(o.policy_max_days, 0)`+tokenJoins+`
		JOIN organizations o ON o.id = t.org_id
		WHERE t.revoked_at IS NULL AND (?2 = 0 OR t.org_id = ?2)
		AND (t.owner_user_id = ?1 AND t.kind IN ('api', 'cli') OR t.creator_id = ?1 AND t.kind = 'api')
		ORDER BY o.slug, t.kind, t.name LIMIT 500`, userID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserToken
	for rows.Next() {
		var ut UserToken
		if ut.Token, err = scanToken(rowWithExtra{rows, []any{&ut.OrgSlug, &ut.OrgName, &ut.OrgMaxDays}}); err != nil {
			return nil, err
		}
		out = append(out, ut)
	}
	return out, rows.Err()
}

// HandOverToken gives a live API token of an org to another admin of it,
// who from then on is its owner (and is notified about it). The secret
// stays as it was: whoever held it still does, until it is rotated.
func (db *DB) HandOverToken(ctx context.Context, orgID int64, id string, toUserID int64, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := liveToken(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	if t.Kind != "api" {
		return Token{}, &Error{Code: EInvalid, Message: "only API tokens can be handed over: CLI tokens are personal"}
	}
	to, err := membership(ctx, tx, orgID, toUserID)
	if err != nil || to.Role != "admin" || to.User.ID == t.OwnerUserID {
		if err != nil && !IsNotFound(err) {
			return Token{}, err
		}
		return Token{}, fault.Field(EInvalid, "transfer_to", "API tokens can be handed only to another admin of this organization")
	}
	if t, err = handOver(ctx, tx, t, to.User, actor); err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

// handOver makes to the owner of t and records it.
func handOver(ctx context.Context, tx *Tx, t Token, to User, actor Actor) (Token, error) {
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET owner_user_id = ? WHERE id = ?`, to.ID, t.ID); err != nil {
		return Token{}, fmt.Errorf("hand over token: %w", err)
	}
	from := t.OwnerName
	t, err := tokenByID(ctx, tx, t.OrgID, t.ID)
	if err != nil {
		return Token{}, err
	}
	return t, recordEvent(ctx, tx, actor, tokenEvent(t, "token.transferred", map[string]string{"from": from, "to": to.Username}))
}
