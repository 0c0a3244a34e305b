package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Token statuses, in the order a token moves through them.
const (
	StatusActive   = "active"
	StatusExpired  = "expired"
	StatusDisabled = "disabled"
	StatusRevoked  = "revoked"
)

// TokenQuery selects a page of one org's tokens of one kind.
type TokenQuery struct {
	OrgID int64
	Kind  string
	// Search matches name, creator, owner, service, scope or hint, in part.
	Search string
	// SecretHash, when set, finds the one token whose secret has this hash
	// (a whole token pasted into the search box).
	SecretHash []byte
	// CreatorRole keeps tokens whose creator has this role in the org now.
	CreatorRole string
	ServiceID   int64
	// Statuses keeps tokens in any of these states; empty means all but
	// revoked.
	Statuses []string
	// Viewer restrictions, set from the authorization table: only
	// org-visible tokens, or only the tokens this user owns.
	OnlyOrgVisible bool
	OwnerUserID    int64
	Sort           string // name, created, last_used, expires
	Desc           bool
	Page, PerPage  int
	// MaxDays is the org policy's maximum lifetime, which makes tokens
	// older than it expired (0: none).
	MaxDays int
}

// TokenPage is one page of a token list and the total that matched.
type TokenPage struct {
	Tokens []Token
	Total  int
}

var sortColumns = map[string]string{
	"name": "t.name", "created": "t.created_at", "last_used": "t.last_used_at", "expires": "t.expires_at",
}

// statusCondition is the SQL for one status, given the current time and the
// policy cut-off (created before it: expired by policy).
func statusCondition(status string) string {
	// Both arms are never NULL, so NOT works on tokens without an expiry.
	expired := `((t.expires_at IS NOT NULL AND t.expires_at <= :now) OR (:cutoff <> '' AND t.created_at <= :cutoff))`
	switch status {
	case StatusRevoked:
		return `t.revoked_at IS NOT NULL`
	case StatusDisabled:
		return `(t.revoked_at IS NULL AND t.disabled_at IS NOT NULL)`
	case StatusExpired:
		return `(t.revoked_at IS NULL AND t.disabled_at IS NULL AND ` + expired + `)`
	default:
		return `(t.revoked_at IS NULL AND t.disabled_at IS NULL AND NOT ` + expired + `)`
	}
}

// escapeLike escapes LIKE's wildcards so a search is taken literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Tokens returns the page of tokens q selects.
func (db *DB) Tokens(ctx context.Context, q TokenQuery) (TokenPage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return TokenPage{}, err
	}
	defer tx.Rollback()

	cutoff := ""
	if q.MaxDays > 0 {
		cutoff = formatTime(tx.now.AddDate(0, 0, -q.MaxDays))
	}
	where := []string{"t.org_id = :org", "t.kind = :kind"}
	args := []any{named("org", q.OrgID), named("kind", q.Kind), named("now", formatTime(tx.now)), named("cutoff", cutoff)}
	if len(q.SecretHash) > 0 {
		where = append(where, "(t.secret_hash = :hash OR t.prev_secret_hash = :hash)")
		args = append(args, named("hash", q.SecretHash))
	} else if s := strings.TrimSpace(q.Search); s != "" {
		where = append(where, `(t.name LIKE :like ESCAPE '\' OR cu.username LIKE :like ESCAPE '\'
			OR ou.username LIKE :like ESCAPE '\' OR sv.name LIKE :like ESCAPE '\'
			OR (' ' || t.scopes || ' ') LIKE :scope ESCAPE '\' OR t.hint LIKE :like ESCAPE '\' OR t.id = :exact)`)
		args = append(args, named("like", "%"+escapeLike(s)+"%"), named("scope", "% "+escapeLike(s)+" %"), named("exact", s))
	}
	if q.CreatorRole != "" {
		where = append(where, "EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.creator_id AND m.role = :role)")
		args = append(args, named("role", q.CreatorRole))
	}
	if q.ServiceID != 0 {
		where = append(where, "t.service_id = :service")
		args = append(args, named("service", q.ServiceID))
	}
	if q.OnlyOrgVisible {
		where = append(where, "t.visibility = 'org'")
	}
	if q.OwnerUserID != 0 {
		where = append(where, "t.owner_user_id = :owner")
		args = append(args, named("owner", q.OwnerUserID))
	}
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = []string{StatusActive, StatusExpired, StatusDisabled}
	}
	var conds []string
	for _, s := range statuses {
		conds = append(conds, statusCondition(s))
	}
	where = append(where, "("+strings.Join(conds, " OR ")+")")
	cond := " WHERE " + strings.Join(where, " AND ")

	var page TokenPage
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+tokenJoins+cond, args...).Scan(&page.Total); err != nil {
		return TokenPage{}, fmt.Errorf("count tokens: %w", err)
	}
	col, ok := sortColumns[q.Sort]
	if !ok {
		col = sortColumns["created"]
	}
	dir := "ASC"
	if q.Desc {
		dir = "DESC"
	}
	perPage := max(1, min(q.PerPage, 200))
	offset := max(0, q.Page-1) * perPage
	// NULLs (never used, no expiry) sort last either way; id breaks ties so
	// pages never overlap.
	order := fmt.Sprintf(" ORDER BY %s IS NULL, %s %s, t.id %s LIMIT %d OFFSET %d", col, col, dir, dir, perPage, offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenJoins+cond+order, args...)
	if err != nil {
		return TokenPage{}, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return TokenPage{}, err
		}
		page.Tokens = append(page.Tokens, t)
	}
	return page, rows.Err()
}

// TokenStatus is a token's state at now, given the policy's maximum
// lifetime in days (0: none).
func TokenStatus(t Token, now time.Time, maxDays int) string {
	switch {
	case !t.RevokedAt.IsZero():
		return StatusRevoked
	case !t.DisabledAt.IsZero():
		return StatusDisabled
	}
	if exp := EffectiveExpiry(t, maxDays); !exp.IsZero() && !now.Before(exp) {
		return StatusExpired
	}
	return StatusActive
}

// EffectiveExpiry is when a token stops working: the earlier of its own
// expiry and its creation plus the policy's maximum lifetime (zero: never).
func EffectiveExpiry(t Token, maxDays int) time.Time {
	exp := t.ExpiresAt
	if maxDays > 0 {
		cut := t.CreatedAt.AddDate(0, 0, maxDays)
		if exp.IsZero() || cut.Before(exp) {
			exp = cut
		}
	}
	return exp
}
