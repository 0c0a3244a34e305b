package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is a token's record. The secret itself is never here: only its
// hash, a display hint and, for org-visible tokens, the sealed secret.
type Token struct {
	ID          string
	OrgID       int64
	Kind        string
	Name        string
	CreatorID   int64
	CreatorName string
	CreatorRole string // the creator's current role in the org; "" once they left
	OwnerUserID int64
	OwnerName   string
	// OwnerRole is the owner's current role in the org ("" once they left);
	// OwnerDisabled reports that the owner's account is disabled.
	OwnerRole     string
	OwnerDisabled bool
	ServiceID     int64
	ServiceName   string
	Scopes        []string
	Visibility    string
	Sealed        []byte // the encrypted secret of an org-visible token
	Hint          string
	DeviceName    string

	CreatedAt      time.Time
	ExpiresAt      time.Time // zero: no expiry of its own
	DisabledAt     time.Time
	DisabledBy     int64
	RevokedAt      time.Time
	RevokedBy      int64
	RevokedReason  string
	RotatedAt      time.Time
	PrevValidUntil time.Time

	LastUsedAt   time.Time
	LastUsedIP   string
	LastUsedUA   string
	LastUsedWhat string

	QuotaMonthly int64 // 0: no quota
	QuotaUsed    int64
	QuotaMonth   string
}

// NewToken is what it takes to store a new token.
type NewToken struct {
	ID          string
	OrgID       int64
	Kind        string
	Name        string
	CreatorID   int64
	OwnerUserID int64
	ServiceID   int64
	Scopes      []string
	Visibility  string
	SecretHash  []byte
	Sealed      []byte
	Hint        string
	DeviceName  string
	ExpiresAt   time.Time // zero: never
	Quota       int64     // 0: none
	// GrantOrgIDs are the orgs a personal token may reach (OrgID is the
	// first of them).
	GrantOrgIDs []int64
}

const tokenColumns = `t.id, t.org_id, t.kind, t.name, t.creator_id, cu.username,
	COALESCE((SELECT m.role FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.creator_id), ''),
	COALESCE(t.owner_user_id, 0), COALESCE(ou.username, ''),
	COALESCE((SELECT m.role FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.owner_user_id), ''),
	ou.disabled_at IS NOT NULL, COALESCE(t.service_id, 0), COALESCE(sv.name, ''),
	t.scopes, t.visibility, t.secret_sealed, t.hint, t.device_name,
	t.created_at, t.expires_at, t.disabled_at, COALESCE(t.disabled_by, 0), t.revoked_at, COALESCE(t.revoked_by, 0),
	t.revoked_reason, t.rotated_at, t.prev_valid_until,
	t.last_used_at, t.last_used_ip, t.last_used_ua, t.last_used_what,
	COALESCE(t.quota_monthly, 0), t.quota_used, t.quota_month`

const tokenJoins = ` FROM tokens t
	JOIN users cu ON cu.id = t.creator_id
	LEFT JOIN users ou ON ou.id = t.owner_user_id
	LEFT JOIN services sv ON sv.id = t.service_id`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var scopes string
	var created, expires, disabled, revoked, rotated, prevUntil, lastUsed sql.NullString
	err := row.Scan(&t.ID, &t.OrgID, &t.Kind, &t.Name, &t.CreatorID, &t.CreatorName, &t.CreatorRole,
		&t.OwnerUserID, &t.OwnerName, &t.OwnerRole, &t.OwnerDisabled, &t.ServiceID, &t.ServiceName,
		&scopes, &t.Visibility, &t.Sealed, &t.Hint, &t.DeviceName,
		&created, &expires, &disabled, &t.DisabledBy, &revoked, &t.RevokedBy, &t.RevokedReason, &rotated, &prevUntil,
		&lastUsed, &t.LastUsedIP, &t.LastUsedUA, &t.LastUsedWhat,
		&t.QuotaMonthly, &t.QuotaUsed, &t.QuotaMonth)
	if err != nil {
		return Token{}, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.ExpiresAt, t.DisabledAt, t.RevokedAt = scanTime(created), scanTime(expires), scanTime(disabled), scanTime(revoked)
	t.RotatedAt, t.PrevValidUntil, t.LastUsedAt = scanTime(rotated), scanTime(prevUntil), scanTime(lastUsed)
	return t, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// tokenEvent is an audit event about a token, carrying its kind and name.
func tokenEvent(t Token, action string, details map[string]string) Event {
	if details == nil {
		details = map[string]string{}
	}
	details["kind"] = t.Kind
	return Event{OrgID: t.OrgID, Action: action, TargetType: "token", TargetID: t.ID, TargetLabel: t.Name, Details: details}
}

func insertToken(ctx context.Context, tx *Tx, nt NewToken, actor Actor) (Token, error) {
	tx.tokensCreated = true
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, org_id, kind, name, creator_id, owner_user_id, service_id, scopes,
		visibility, secret_hash, secret_sealed, hint, device_name, created_at, expires_at, quota_monthly)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nt.ID, nt.OrgID, nt.Kind, nt.Name, nt.CreatorID, nullID(nt.OwnerUserID), nullID(nt.ServiceID), strings.Join(nt.Scopes, " "),
		nt.Visibility, nt.SecretHash, nullBytes(nt.Sealed), nt.Hint, nt.DeviceName, formatTime(tx.now), nullTime(nt.ExpiresAt), nullID(nt.Quota))
	if isUnique(err) {
		return Token{}, conflict("name", fmt.Sprintf("a live %s token named %q already exists: choose another name", kindLabel(nt.Kind), nt.Name))
	}
	if err != nil {
		return Token{}, fmt.Errorf("insert token: %w", err)
	}
	t, err := tokenByID(ctx, tx, nt.OrgID, nt.ID)
	if err != nil {
		return Token{}, err
	}
	details := map[string]string{"scopes": strings.Join(nt.Scopes, " "), "visibility": nt.Visibility}
	if !nt.ExpiresAt.IsZero() {
		details["expires"] = formatTime(nt.ExpiresAt)
	}
	if err := recordEvent(ctx, tx, actor, tokenEvent(t, "token.created", details)); err != nil {
		return Token{}, err
	}
	if nt.Kind == "personal" {
		if err := grantOrgs(ctx, tx, t, nt.GrantOrgIDs, actor); err != nil {
			return Token{}, err
		}
	}
	return t, nil
}

func kindLabel(kind string) string {
	switch kind {
	case "api":
		return "API"
	case "cli":
		return "CLI"
	}
	return strings.ToUpper(kind[:min(1, len(kind))]) + kind[min(1, len(kind)):]
}

func tokenByID(ctx context.Context, tx *Tx, orgID int64, id string) (Token, error) {
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ? AND t.org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, notFound("token")
	}
	return t, err
}

// CreateToken stores a new token; a live token of the same kind and name in
// the org is an EConflict on "name".
func (db *DB) CreateToken(ctx context.Context, nt NewToken, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	t, err := insertToken(ctx, tx, nt, actor)
	if err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}

// TokenByID finds one of an org's tokens. Another org's token is ENotFound,
// so ids are not confirmed across orgs.
func (db *DB) TokenByID(ctx context.Context, orgID int64, id string) (Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	return tokenByID(ctx, tx, orgID, id)
}

// TokenBySecretHash finds the token whose current secret, or previous secret
// still inside its rotation grace, has this SHA-256, in one indexed read.
// prev reports the latter.
func (db *DB) TokenBySecretHash(ctx context.Context, hash []byte) (t Token, prev bool, err error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Token{}, false, err
	}
	defer tx.Rollback()
	var current bool
	t, err = scanToken(rowWithExtra{tx.QueryRowContext(ctx, `SELECT `+tokenColumns+`, t.secret_hash = :h`+tokenJoins+`
		WHERE t.secret_hash = :h OR (t.prev_secret_hash = :h AND t.prev_valid_until > :now)`,
		named("h", hash), named("now", formatTime(tx.now))), []any{&current}})
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, false, notFound("token")
	}
	return t, !current, err
}

// RetiredSecret finds the token whose secret this SHA-256 was until a
// rotation replaced it, and when that rotation was. A secret that still
// works in its grace is found by TokenBySecretHash instead; ENotFound when
// the hash was never a token's.
func (db *DB) RetiredSecret(ctx context.Context, hash []byte) (Token, time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Token{}, time.Time{}, err
	}
	defer tx.Rollback()
	var id string
	var at sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT r.token_id, r.rotated_at FROM retired_secrets r WHERE r.secret_hash = ?`, hash).Scan(&id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, time.Time{}, notFound("token")
	}
	if err != nil {
		return Token{}, time.Time{}, err
	}
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ?`, id))
	return t, scanTime(at), err
}

// TokenEdit is a change to a token's name, scopes and visibility. Sealed is
// the encrypted secret to keep: nil removes it (admins-only tokens keep
// none).
type TokenEdit struct {
	Name       string
	Scopes     []string
	Visibility string
	Sealed     []byte
}

// liveToken loads a token that may still be changed: not revoked.
func liveToken(ctx context.Context, tx *Tx, orgID int64, id string) (Token, error) {
	t, err := tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	if !t.RevokedAt.IsZero() {
		return Token{}, &Error{Code: EConflict, Message: fmt.Sprintf("the token %q is revoked; revoked tokens cannot be changed", t.Name)}
	}
	return t, nil
}

// UpdateToken changes a live token's name, scopes and visibility.
func (db *DB) UpdateToken(ctx context.Context, orgID int64, id string, e TokenEdit, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	before, err := liveToken(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	tx.tokensChanged = true
	_, err = tx.ExecContext(ctx, `UPDATE tokens SET name = ?, scopes = ?, visibility = ?, secret_sealed = ? WHERE id = ?`,
		e.Name, strings.Join(e.Scopes, " "), e.Visibility, nullBytes(e.Sealed), id)
	if isUnique(err) {
		return Token{}, conflict("name", fmt.Sprintf("a live %s token named %q already exists: choose another name", kindLabel(before.Kind), e.Name))
	}
	if err != nil {
		return Token{}, err
	}
	after, err := tokenByID(ctx, tx, orgID, id)
	if err != nil {
		return Token{}, err
	}
	details := map[string]string{}
	if before.Name != after.Name {
		details["name"] = before.Name + " → " + after.Name
	}
	if b, a := strings.Join(before.Scopes, " "), strings.Join(after.Scopes, " "); b != a {
		details["scopes"] = b + " → " + a
	}
	if before.Visibility != after.Visibility {
		details["visibility"] = before.Visibility + " → " + after.Visibility
	}
	if len(details) == 0 {
		return after, nil
	}
	if err := recordEvent(ctx, tx, actor, tokenEvent(after, "token.edited", details)); err != nil {
		return Token{}, err
	}
	return after, tx.Commit()
}
