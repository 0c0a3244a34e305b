package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Saved views of the audit page's token list.
const (
	ViewNeverUsed  = "never-used"  // never used at all
	ViewIdle90     = "idle-90"     // not used (or, never used, not made) in the last 90 days
	ViewExpiring30 = "expiring-30" // active, and stops working within 30 days
	ViewNoExpiry   = "no-expiry"   // never stops working: no expiry and no policy maximum
)

// AuditTokenQuery selects an org's tokens of every kind for the audit page.
// Every filter set narrows the list; the zero value lists every token but
// the revoked ones, newest first.
type AuditTokenQuery struct {
	OrgID int64
	Kind  string // api, cli or service; "" for all
	// User keeps tokens created or owned by a user whose username is User
	// or starts with it.
	User string
	// SecretHash keeps the one token whose current or previous secret has
	// this SHA-256 (a whole token pasted in); TokenID and Hint find a token
	// by its id or its display hint.
	SecretHash []byte
	TokenID    string
	Hint       string
	// Scopes keeps tokens holding any of these: the web layer passes the
	// scope asked for and every scope above it, which grant it too.
	Scopes []string
	// IP keeps tokens that have this address among their recent client IPs.
	IP string
	// Admin keeps tokens whose creator is an admin of the org now, or that
	// hold the api scope.
	Admin bool
	View  string // one of the View constants, or ""
	// Statuses keeps tokens in any of these states; empty means all but
	// revoked.
	Statuses      []string
	Sort          string // created (default) or last_used
	Desc          bool
	Page, PerPage int
	// MaxDays is the org policy's maximum lifetime (0: none).
	MaxDays int
}

// AuditToken is a token as the audit page lists it, with its recent client
// IPs, newest first.
type AuditToken struct {
	Token
	RecentIPs []string
}

// AuditTokenPage is one page of the audit list and the total that matched.
type AuditTokenPage struct {
	Tokens []AuditToken
	Total  int
}

// scopeHeld is the SQL that a token's space-separated scopes hold the scope
// bound to the parameters name (the scope) and name_word (it as a LIKE
// pattern between spaces). The cheap substring test runs first, so only
// candidates pay for the exact one.
func scopeHeld(name string) string {
	return `(instr(t.scopes, :` + name + `) > 0 AND (' ' || t.scopes || ' ') LIKE :` + name + `_word ESCAPE '\')`
}

func scopeArgs(name, scope string) []any {
	return []any{named(name, scope), named(name+"_word", "% "+escapeLike(scope)+" %")}
}

// auditTokenWhere builds the conditions of q at now, the cheap and
// selective ones first. Conditions on the token row itself are tested from
// tokens_org_audit. The users a filter names are looked up first, and
// creator and owner compared with a unary + so that SQLite does not start
// from their own indexes, which would visit a prolific user's every token
// before sorting.
func auditTokenWhere(ctx context.Context, tx *Tx, q AuditTokenQuery) (where []string, args []any, plain bool, err error) {
	now := tx.now
	cutoff := ""
	if q.MaxDays > 0 {
		cutoff = formatTime(now.AddDate(0, 0, -q.MaxDays))
	}
	reach, plain, err := orgReach(ctx, tx, q.OrgID)
	if err != nil {
		return nil, nil, false, err
	}
	where = []string{reach}
	args = []any{named("org", q.OrgID), named("now", formatTime(now)), named("cutoff", cutoff)}
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.Kind != "" {
		add("t.kind = :kind", named("kind", q.Kind))
	}
	auditStatusWhere(q, now, add)
	switch q.View {
	case ViewNeverUsed:
		add("t.last_used_at IS NULL")
	case ViewIdle90:
		add("COALESCE(t.last_used_at, t.created_at) < :idle", named("idle", formatTime(now.AddDate(0, 0, -90))))
	case ViewNoExpiry:
		add("t.expires_at IS NULL AND :cutoff = ''")
	}
	if len(q.SecretHash) > 0 {
		add("t.rowid IN (SELECT rowid FROM tokens WHERE secret_hash = :hash OR prev_secret_hash = :hash)", named("hash", q.SecretHash))
	}
	if q.TokenID != "" {
		add("t.id = :id", named("id", q.TokenID))
	}
	if q.Hint != "" && !searchable(q.Hint) {
		add("1 = 0")
	} else if q.Hint != "" {
		// The trigram index finds the few tokens whose text holds the hint.
		add(`t.rowid IN (SELECT token_search.rowid FROM token_search JOIN tokens h ON h.rowid = token_search.rowid
			WHERE `+tx.db.dialect.match("fts")+` AND h.hint = :hint)`,
			named("fts", tx.db.dialect.matchArg(q.Hint)), named("hint", q.Hint))
	}
	if q.IP != "" {
		add("t.rowid IN (SELECT h.rowid FROM token_ips i JOIN tokens h ON h.id = i.token_id WHERE i.ip = :ip)", named("ip", q.IP))
	}
	people, a, err := auditHolderWhere(ctx, tx, q)
	if err != nil {
		return nil, nil, false, err
	}
	return append(where, people...), append(args, a...), plain, nil
}

// auditStatusWhere adds q's status conditions, and the expiring-soon
// view's, through add.
func auditStatusWhere(q AuditTokenQuery, now time.Time, add func(cond string, a ...any)) {
	if q.View == ViewExpiring30 {
		// Active now, and the earlier of its own expiry and the policy's
		// cut falls within 30 days.
		if len(q.Statuses) > 0 && !slices.Contains(q.Statuses, StatusActive) {
			add("1 = 0")
		}
		soon := now.AddDate(0, 0, 30)
		if q.MaxDays == 0 {
			add(`t.revoked_at IS NULL AND t.disabled_at IS NULL AND t.expires_at > :now AND t.expires_at <= :soon`,
				named("soon", formatTime(soon)))
		} else {
			add(statusCondition(StatusActive)+` AND ((t.expires_at IS NOT NULL AND t.expires_at <= :soon) OR t.created_at <= :soon_cutoff)`,
				named("soon", formatTime(soon)), named("soon_cutoff", formatTime(soon.AddDate(0, 0, -q.MaxDays))))
		}
	} else if q.MaxDays == 0 && len(q.Statuses) == 1 && q.Statuses[0] == StatusActive {
		// Without a policy maximum, being active is three cheap tests.
		add(`t.revoked_at IS NULL AND t.disabled_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > :now)`)
	} else if sw := statusWhere(q.Statuses); sw != "" {
		add(sw)
	}
}

// auditHolderWhere is the conditions on who holds a token and what it may
// do: user, admin privileges and scopes, the costliest, so they come last.
func auditHolderWhere(ctx context.Context, tx *Tx, q AuditTokenQuery) ([]string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.User != "" && !searchable(q.User) {
		add("1 = 0")
	} else if q.User != "" {
		ids, err := column[int64](ctx, tx, `SELECT id FROM users WHERE username LIKE ? ESCAPE '\'`, escapeLike(q.User)+"%")
		if err != nil {
			return nil, nil, err
		}
		list, a := idList("user", ids)
		add("(+t.creator_id IN "+list+" OR +t.owner_user_id IN "+list+")", a...)
	}
	if q.Admin {
		ids, err := column[int64](ctx, tx, `SELECT user_id FROM memberships WHERE org_id = ? AND role = 'admin'`, q.OrgID)
		if err != nil {
			return nil, nil, err
		}
		list, a := idList("admin", ids)
		add("(+t.creator_id IN "+list+" OR "+scopeHeld("api")+")", append(a, scopeArgs("api", "api")...)...)
	}
	if len(q.Scopes) > 0 {
		var held []string
		for i, sc := range q.Scopes {
			p := fmt.Sprintf("scope%d", i)
			held = append(held, scopeHeld(p))
			args = append(args, scopeArgs(p, sc)...)
		}
		where = append(where, "("+strings.Join(held, " OR ")+")")
	}
	return where, args, nil
}

// idList is "(:name0, :name1, …)" and its arguments; "(NULL)", which
// matches nothing, for no ids.
func idList(name string, ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "(NULL)", nil
	}
	params := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		p := fmt.Sprintf("%s%d", name, i)
		params[i], args[i] = ":"+p, named(p, id)
	}
	return "(" + strings.Join(params, ", ") + ")", args
}

// auditFrom is the FROM clause. A lookup starts from the few tokens its own
// index finds (the CROSS JOIN keeps that order; its condition stays in the
// WHERE too, which is then cheap); anything else reads tokens_org_audit in
// page order, when the org's tokens are those of its org_id (plain; see
// orgReach), and the planner's choice when they are not.
func auditFrom(q AuditTokenQuery, plain bool, d dialect) string {
	driver := ""
	switch {
	case q.TokenID != "":
		return " FROM tokens t"
	case len(q.SecretHash) > 0:
		driver = "SELECT rowid AS r FROM tokens WHERE secret_hash = :hash OR prev_secret_hash = :hash"
	case q.Hint != "" && searchable(q.Hint):
		driver = "SELECT rowid AS r FROM token_search WHERE " + d.match("fts")
	case q.IP != "":
		driver = "SELECT h.rowid AS r FROM token_ips i JOIN tokens h ON h.id = i.token_id WHERE i.ip = :ip"
	case !plain:
		return " FROM tokens t"
	default:
		return " FROM tokens t INDEXED BY tokens_org_audit"
	}
	return " FROM (" + driver + ") l CROSS JOIN tokens t ON t.rowid = l.r"
}

// auditOrder is the ORDER BY: newest first by default, the id breaking
// ties, which is tokens_org_audit's own order.
func auditOrder(sort string, desc bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	if sort == "last_used" {
		nulls := "LAST" // never used is the oldest use: first when oldest come first
		if dir == "ASC" {
			nulls = "FIRST"
		}
		return fmt.Sprintf(" ORDER BY t.last_used_at %s NULLS %s, t.id %s", dir, nulls, dir)
	}
	return fmt.Sprintf(" ORDER BY t.created_at %s, t.id %s", dir, dir)
}

// auditTokenColumns reads a token and its recent IPs, newest first.
const auditTokenColumns = tokenColumns + `,
	COALESCE((SELECT string_agg(ip, ' ' ORDER BY last_seen_ns DESC, ip) FROM token_ips WHERE token_id = t.id), '')`

func scanAuditToken(row interface{ Scan(...any) error }) (AuditToken, error) {
	var ips string
	t, err := scanToken(rowWithExtra{row, []any{&ips}})
	if err != nil {
		return AuditToken{}, err
	}
	return AuditToken{Token: t, RecentIPs: strings.Fields(ips)}, nil
}

// AuditTokens returns the page of the org's tokens q selects and how many
// matched. The page's ids and the count come from indexes alone; then only
// the page's rows are read in full.
func (db *DB) AuditTokens(ctx context.Context, q AuditTokenQuery) (AuditTokenPage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return AuditTokenPage{}, err
	}
	defer tx.Rollback()
	where, args, plain, err := auditTokenWhere(ctx, tx, q)
	if err != nil {
		return AuditTokenPage{}, err
	}
	cond := auditFrom(q, plain, tx.db.dialect) + " WHERE " + strings.Join(where, " AND ")
	var page AuditTokenPage
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count audit tokens: %w", err)
	}
	perPage := max(1, min(q.PerPage, 200))
	offset := max(0, q.Page-1) * perPage
	ids, _, err := pageIDs(ctx, tx, "SELECT t.id, 0"+cond+auditOrder(q.Sort, q.Desc)+fmt.Sprintf(" LIMIT %d OFFSET %d", perPage, offset), args)
	if err != nil {
		return page, fmt.Errorf("list audit tokens: %w", err)
	}
	for _, id := range ids {
		t, err := scanAuditToken(tx.QueryRowContext(ctx, `SELECT `+auditTokenColumns+tokenJoins+` WHERE t.id = ?`, id))
		if err != nil {
			return page, fmt.Errorf("audit token %s: %w", id, err)
		}
		page.Tokens = append(page.Tokens, t)
	}
	return page, nil
}

// EachAuditToken calls fn for every token q selects (all pages), in the
// list's order, reading them one at a time from a cursor so that memory
// stays flat however many there are. An error from fn stops the walk and
// is returned.
func (db *DB) EachAuditToken(ctx context.Context, q AuditTokenQuery, fn func(AuditToken) error) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	where, args, plain, err := auditTokenWhere(ctx, tx, q)
	if err != nil {
		return err
	}
	// CROSS JOIN keeps tokens the outer loop, so rows come in index order
	// rather than through a sort of every match.
	rows, err := tx.QueryContext(ctx, `SELECT `+auditTokenColumns+auditFrom(q, plain, tx.db.dialect)+`
		CROSS JOIN users cu ON cu.id = t.creator_id
		LEFT JOIN users ou ON ou.id = t.owner_user_id
		LEFT JOIN services sv ON sv.id = t.service_id
		WHERE `+strings.Join(where, " AND ")+auditOrder(q.Sort, q.Desc), args...)
	if err != nil {
		return fmt.Errorf("export audit tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanAuditToken(rows)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}
