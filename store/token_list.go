package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Token statuses, in the order a token moves through them.
const (
	StatusActive   = "active"
	StatusExpired  = "expired"
	StatusDisabled = "disabled"
	StatusRevoked  = "revoked"
)

// Statuses are the token statuses in that order: the filters' choices.
var Statuses = []string{StatusActive, StatusExpired, StatusDisabled, StatusRevoked}

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
	// Granted says whether an API list holds the personal tokens the org's
	// grants stand on: not at all (""), beside the org's own (GrantedToo),
	// or alone (GrantedOnly).
	Granted       string
	Sort          string // name, created, last_used, expires
	Desc          bool
	Page, PerPage int
	// MaxDays is the org policy's maximum lifetime, which makes tokens
	// older than it expired (0: none).
	MaxDays int
}

// TokenPage is one page of a token list and the total that matched.
type TokenPage struct {
	Tokens []Token
	Total  int
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

// searchable reports whether a search can match stored text at all: one
// holding a NUL byte or bytes that are not UTF-8 cannot (stored text is
// UTF-8 without NULs; PostgreSQL refuses anything else), and FTS5 would
// read its query only up to the NUL, an unterminated string.
func searchable(s string) bool { return validText(s) }

// ftsPhrase is the FTS5 query that finds s, a searchable text, as a
// substring: one string in double quotes, its own double quotes doubled,
// so that no character of s is read as FTS5 syntax.
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// escapeLike escapes LIKE's wildcards so a search is taken literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// statusWhere is the condition for a set of statuses; the default (every
// status but revoked) is one cheap test.
func statusWhere(statuses []string) string {
	set := map[string]bool{}
	for _, s := range statuses {
		set[s] = true
	}
	switch {
	case len(set) == 0 || (len(set) == 3 && !set[StatusRevoked]):
		return "t.revoked_at IS NULL"
	case len(set) == 4:
		return ""
	}
	var conds []string
	for _, s := range []string{StatusActive, StatusExpired, StatusDisabled, StatusRevoked} {
		if set[s] {
			conds = append(conds, statusCondition(s))
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// orderBy is the ORDER BY for a sort. The rowid breaks ties, which lets the
// (org_id, kind, column) indexes deliver rows in order, so a page reads
// only its own rows. Never-used tokens sort as the oldest use (an auditor
// sorting by last use, oldest first, sees them first); tokens without
// expiry sort last.
func orderBy(sort string, desc bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	switch sort {
	case "name":
		return fmt.Sprintf("t.name %s, t.rowid %s", dir, dir)
	case "last_used":
		// Never used is the oldest use of all: first when oldest come first.
		nulls := "FIRST"
		if desc {
			nulls = "LAST"
		}
		return fmt.Sprintf("t.last_used_at %s NULLS %s, t.rowid %s", dir, nulls, dir)
	case "expires":
		return fmt.Sprintf("t.expires_at %s NULLS LAST, t.rowid %s", dir, dir)
	}
	return fmt.Sprintf("t.created_at %s, t.rowid %s", dir, dir)
}

// Tokens returns the page of tokens q selects. It finds the page's ids
// first, touching only the tokens table and its indexes, then reads those
// few rows in full.
func (db *DB) Tokens(ctx context.Context, q TokenQuery) (TokenPage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return TokenPage{}, err
	}
	defer tx.Rollback()

	reach, err := listReach(ctx, tx, q)
	if err != nil {
		return TokenPage{}, err
	}
	cond, args := tokenFilter(q, reach, tx.now, tx.db.dialect)

	var page TokenPage
	perPage := max(1, min(q.PerPage, 200))
	offset := max(0, q.Page-1) * perPage
	list := fmt.Sprintf(" ORDER BY %s LIMIT %d OFFSET %d", orderBy(q.Sort, q.Desc), perPage, offset)
	// Without a text search the count reads a covering index and the page
	// is read in index order, stopping after it. A text search visits every
	// match anyway, so it counts them in the same pass rather than running
	// the search twice.
	filtered := len(q.SecretHash) == 0 && strings.TrimSpace(q.Search) != ""
	var ids []string
	var err2 error
	if filtered {
		ids, page.Total, err2 = pageIDs(ctx, tx, "SELECT t.id, COUNT(*) OVER ()"+cond+list, args)
	} else {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+cond, args...).Scan(&page.Total); err != nil {
			return TokenPage{}, fmt.Errorf("count tokens: %w", err)
		}
		ids, _, err2 = pageIDs(ctx, tx, "SELECT t.id, 0"+cond+list, args)
	}
	if err2 != nil {
		return TokenPage{}, fmt.Errorf("list tokens: %w", err2)
	}
	if filtered && len(ids) == 0 && offset > 0 {
		// Past the last page: the window count saw no rows, so count apart.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+cond, args...).Scan(&page.Total); err != nil {
			return TokenPage{}, fmt.Errorf("count tokens: %w", err)
		}
	}
	for _, id := range ids {
		// The ids are the org's: its own and, when asked, those its grants
		// stand on.
		t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+tokenJoins+` WHERE t.id = ?`, id))
		if err != nil {
			return TokenPage{}, fmt.Errorf("token %s: %w", id, err)
		}
		page.Tokens = append(page.Tokens, t)
	}
	return page, nil
}

// tokenFilter is the FROM and WHERE of the tokens q selects, with their
// arguments, as of now; reach is listReach's condition.
func tokenFilter(q TokenQuery, reach string, now time.Time, d dialect) (string, []any) {
	cutoff := ""
	if q.MaxDays > 0 {
		cutoff = formatTime(now.AddDate(0, 0, -q.MaxDays))
	}
	// A text search of three or more characters starts from the trigram
	// index's matches (CROSS JOIN keeps that order), so it reads only the
	// matching tokens rather than every token of the tab.
	from := " FROM tokens t"
	where := []string{reach}
	args := []any{named("org", q.OrgID), named("kind", q.Kind), named("now", formatTime(now)), named("cutoff", cutoff)}
	if len(q.SecretHash) > 0 {
		where = append(where, "(t.secret_hash = :hash OR t.prev_secret_hash = :hash)")
		args = append(args, named("hash", q.SecretHash))
	} else if s := strings.TrimSpace(q.Search); !searchable(s) {
		where = append(where, "1 = 0")
	} else if utf8.RuneCountInString(s) >= 3 {
		where = append(where, d.match("fts"))
		args = append(args, named("fts", d.matchArg(s)))
		from = " FROM token_search CROSS JOIN tokens t ON t.rowid = token_search.rowid"
	} else if s != "" {
		// Too short for trigrams: match by LIKE. People and services are
		// few, so they are matched first and tokens by their ids.
		where = append(where, `(t.name LIKE :like ESCAPE '\' OR t.hint LIKE :like ESCAPE '\'
			OR (' ' || t.scopes || ' ') LIKE :scope ESCAPE '\' OR t.id = :exact
			OR t.creator_id IN (SELECT id FROM users WHERE username LIKE :like ESCAPE '\')
			OR t.owner_user_id IN (SELECT id FROM users WHERE username LIKE :like ESCAPE '\')
			OR t.service_id IN (SELECT id FROM services WHERE org_id = :org AND name LIKE :like ESCAPE '\'))`)
		args = append(args, named("like", "%"+escapeLike(s)+"%"), named("scope", "% "+escapeLike(s)+" %"), named("exact", s))
	}
	if q.CreatorRole != "" {
		where = append(where, "t.creator_id IN (SELECT user_id FROM memberships WHERE org_id = :org AND role = :role)")
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
	sw := statusWhere(q.Statuses)
	if sw != "" {
		where = append(where, sw)
	}
	return from + " WHERE " + strings.Join(where, " AND "), args
}

// pageIDs runs a query of (id, total) rows.
func pageIDs(ctx context.Context, tx *Tx, query string, args []any) ([]string, int, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []string
	total := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, total, rows.Err()
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
	if Expired(t, now, maxDays) {
		return StatusExpired
	}
	return StatusActive
}

// Expired reports whether t is past its effective expiry at now, whatever
// else its state (a disabled token can be expired too).
func Expired(t Token, now time.Time, maxDays int) bool {
	exp := EffectiveExpiry(t, maxDays)
	return !exp.IsZero() && !now.Before(exp)
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
