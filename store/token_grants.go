package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tokenward/auth/fault"
)

// Grant is one org's grant on a personal token: the token may reach that
// org while the grant stands (RemovedAt zero).
type Grant struct {
	TokenID    string
	OrgID      int64
	OrgSlug    string
	OrgName    string
	OrgMaxDays int // the org's maximum token lifetime, 0 for none
	// OwnerRole is the token owner's current role in the org ("" once they
	// left it).
	OwnerRole     string
	GrantedAt     time.Time
	GrantedBy     int64
	RemovedAt     time.Time
	RemovedBy     int64
	RemovedReason string
}

// Live reports whether the grant stands.
func (g Grant) Live() bool { return g.RemovedAt.IsZero() }

// Reasons a grant ends, as the record keeps them.
const (
	GrantRemovedByAdmin   = "removed by an admin of the organization"
	GrantRemovedByOwner   = "removed by the owner"
	GrantRemovedByLeaving = "the owner left the organization"
)

const grantColumns = `g.token_id, g.org_id, o.slug, o.name, COALESCE(o.policy_max_days, 0),
	COALESCE((SELECT m.role FROM memberships m WHERE m.org_id = g.org_id AND m.user_id = t.owner_user_id), ''),
	g.granted_at, COALESCE(g.granted_by, 0), g.removed_at, COALESCE(g.removed_by, 0), g.removed_reason`

const grantJoins = ` FROM token_org_grants g JOIN organizations o ON o.id = g.org_id JOIN tokens t ON t.id = g.token_id`

func scanGrant(row interface{ Scan(...any) error }) (Grant, error) {
	var g Grant
	var granted, removed sql.NullString
	err := row.Scan(&g.TokenID, &g.OrgID, &g.OrgSlug, &g.OrgName, &g.OrgMaxDays, &g.OwnerRole,
		&granted, &g.GrantedBy, &removed, &g.RemovedBy, &g.RemovedReason)
	g.GrantedAt, g.RemovedAt = scanTime(granted), scanTime(removed)
	return g, err
}

func tokenGrants(ctx context.Context, tx *Tx, tokenID string) ([]Grant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+grantColumns+grantJoins+` WHERE g.token_id = ? ORDER BY o.slug`, tokenID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// TokenGrants lists every org grant a personal token has had, by org slug,
// removed ones included.
func (db *DB) TokenGrants(ctx context.Context, tokenID string) ([]Grant, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tokenGrants(ctx, tx, tokenID)
}

// grantOrgs records the first grants of a new personal token, each to an
// org its owner belongs to, with an audit event in each org.
func grantOrgs(ctx context.Context, tx *Tx, t Token, orgIDs []int64, actor Actor) error {
	if len(orgIDs) == 0 {
		return fault.Field(EInvalid, "orgs", "choose at least one organization the token may reach")
	}
	for _, orgID := range orgIDs {
		if err := grantOrg(ctx, tx, t, orgID, actor); err != nil {
			return err
		}
	}
	return nil
}

// grantOrg lets personal token t reach an org its owner is a member of,
// anew or again, and records it in that org's audit trail.
func grantOrg(ctx context.Context, tx *Tx, t Token, orgID int64, actor Actor) error {
	var slug string
	if err := tx.QueryRowContext(ctx, `SELECT slug FROM organizations WHERE id = ?`, orgID).Scan(&slug); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fault.Field(EInvalid, "orgs", "there is no such organization")
		}
		return err
	}
	if _, err := membership(ctx, tx, orgID, t.OwnerUserID); IsNotFound(err) {
		return fault.Field(EInvalid, "orgs", fmt.Sprintf("%s is not a member of %s: a personal token may reach only the owner's organizations", t.OwnerName, slug))
	} else if err != nil {
		return err
	}
	tx.tokensChanged = true
	res, err := tx.ExecContext(ctx, `UPDATE token_org_grants SET granted_at = ?, granted_by = ?, removed_at = NULL, removed_by = NULL,
		removed_reason = '' WHERE token_id = ? AND org_id = ? AND removed_at IS NOT NULL`,
		formatTime(tx.now), nullID(actor.UserID), t.ID, orgID)
	if err != nil {
		return err
	}
	action := "token.org_readded"
	if n, _ := res.RowsAffected(); n == 0 {
		action = "token.org_granted"
		_, err = tx.ExecContext(ctx, `INSERT INTO token_org_grants (token_id, org_id, granted_at, granted_by) VALUES (?, ?, ?, ?)`,
			t.ID, orgID, formatTime(tx.now), nullID(actor.UserID))
		if isUnique(err) {
			return fault.Field(EConflict, "orgs", fmt.Sprintf("the token already reaches %s", slug))
		}
		if err != nil {
			return fmt.Errorf("grant %s: %w", slug, err)
		}
	}
	e := tokenEvent(t, action, map[string]string{"owner": t.OwnerName, "org": slug})
	e.OrgID = orgID
	return recordEvent(ctx, tx, actor, e)
}

// livePersonalToken finds a live personal token of ownerID's (any owner
// when ownerID is 0).
func livePersonalToken(ctx context.Context, tx *Tx, id string) (Token, error) {
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ? AND t.kind = 'personal'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, notFound("token")
	}
	if err != nil {
		return Token{}, err
	}
	if !t.RevokedAt.IsZero() {
		return Token{}, &Error{Code: EConflict, Message: fmt.Sprintf("the token %q is revoked; revoked tokens cannot be changed", t.Name)}
	}
	return t, nil
}

// PersonalToken finds a personal token by id, whoever owns it; the caller
// decides who may see it.
func (db *DB) PersonalToken(ctx context.Context, id string) (Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ? AND t.kind = 'personal'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, notFound("token")
	}
	return t, err
}

// GrantedToken finds a personal token that an org's grant stands on, as
// that org sees it: ENotFound when the token does not reach the org.
func (db *DB) GrantedToken(ctx context.Context, orgID int64, id string) (Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ? AND t.kind = 'personal'
		AND EXISTS (SELECT 1 FROM token_org_grants g WHERE g.token_id = t.id AND g.org_id = ? AND g.removed_at IS NULL)`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, notFound("token")
	}
	return t, err
}

// AddTokenOrg lets the owner's personal token reach an org again (or for
// the first time): the owner must still be a member of it.
func (db *DB) AddTokenOrg(ctx context.Context, ownerID int64, id string, orgID int64, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := livePersonalToken(ctx, tx, id)
	if err != nil {
		return Token{}, err
	}
	if t.OwnerUserID != ownerID {
		return Token{}, notFound("token")
	}
	if err := grantOrg(ctx, tx, t, orgID, actor); err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

// RemoveTokenOrg ends an org's grant on a personal token ("Remove
// organization from token"): the token lives on for its other orgs, and
// requests with it for this org are refused from the next one. The owner
// is notified unless they removed it themselves; the org's audit trail
// records it. ENotFound when the token does not reach the org.
func (db *DB) RemoveTokenOrg(ctx context.Context, orgID int64, id, reason string, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := livePersonalToken(ctx, tx, id)
	if IsNotFound(err) {
		return Token{}, notFound("token")
	}
	if err != nil {
		return Token{}, err
	}
	if err := endGrant(ctx, tx, t, orgID, reason, actor); err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

// endGrant ends one standing grant, notifies the owner (unless they did it)
// and audits it in the org.
func endGrant(ctx context.Context, tx *Tx, t Token, orgID int64, reason string, actor Actor) error {
	res, err := tx.ExecContext(ctx, `UPDATE token_org_grants SET removed_at = ?, removed_by = ?, removed_reason = ?
		WHERE token_id = ? AND org_id = ? AND removed_at IS NULL`, formatTime(tx.now), nullID(actor.UserID), reason, t.ID, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("token")
	}
	tx.tokensChanged = true
	var slug, name string
	if err := tx.QueryRowContext(ctx, `SELECT slug, name FROM organizations WHERE id = ?`, orgID).Scan(&slug, &name); err != nil {
		return err
	}
	e := tokenEvent(t, "token.org_removed", map[string]string{"owner": t.OwnerName, "org": slug, "reason": reason})
	e.OrgID = orgID
	if err := recordEvent(ctx, tx, actor, e); err != nil {
		return err
	}
	if actor.UserID == t.OwnerUserID && actor.TokenID == "" {
		return nil
	}
	by := actor.Label
	if by == "" {
		by = "an administrator"
	}
	msg := fmt.Sprintf("%s removed the organization %s from your personal token %q: requests with it for %s are refused. "+
		"It still works for its other organizations, and you can add %s again from your tokens page while you are a member.",
		upperFirst(by), name, t.Name, slug, slug)
	if reason == GrantRemovedByLeaving {
		msg = fmt.Sprintf("You are no longer a member of %s, so your personal token %q no longer reaches it. "+
			"It still works for its other organizations.", name, t.Name)
	}
	actorLabel := ""
	if actor.TokenID != "" {
		actorLabel = by
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (user_id, org_id, token_id, kind, message, link, created_at,
		actor_token_id, actor_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.OwnerUserID, orgID, t.ID, NoticeOrgRemoved, msg, "/me/tokens", formatTime(tx.now), nullString(actor.TokenID), actorLabel)
	if err != nil {
		return fmt.Errorf("notify org removed: %w", err)
	}
	return nil
}

// endMemberGrants ends an org's grants on a leaving member's personal
// tokens, inside the transaction that removes them.
func endMemberGrants(ctx context.Context, tx *Tx, orgID, userID int64, actor Actor) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.kind = 'personal' AND t.owner_user_id = ?
		AND t.revoked_at IS NULL AND EXISTS (SELECT 1 FROM token_org_grants g WHERE g.token_id = t.id AND g.org_id = ? AND g.removed_at IS NULL)
		ORDER BY t.id`, userID, orgID)
	if err != nil {
		return 0, err
	}
	var ts []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, t := range ts {
		if err := endGrant(ctx, tx, t, orgID, GrantRemovedByLeaving, actor); err != nil {
			return 0, err
		}
	}
	return len(ts), nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// PersonalToken is a personal token with every grant it has had.
type PersonalToken struct {
	Token
	Grants []Grant
}

// PersonalTokens lists a user's live (not revoked) personal tokens, newest
// first, each with its grants by org slug.
func (db *DB) PersonalTokens(ctx context.Context, userID int64) ([]PersonalToken, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ts, err := scanTokens(tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenJoins+`
		WHERE t.kind = 'personal' AND t.owner_user_id = ? AND t.revoked_at IS NULL ORDER BY t.created_at DESC, t.id LIMIT 500`, userID))
	if err != nil {
		return nil, err
	}
	out := make([]PersonalToken, len(ts))
	for i, t := range ts {
		out[i].Token = t
		if out[i].Grants, err = tokenGrants(ctx, tx, t.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanTokens reads every row of a token query.
func scanTokens(rows *sql.Rows, err error) ([]Token, error) {
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
