package ui

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// auditTokenQuery is the audit Tokens tab's URL query, parsed and checked.
type auditTokenQuery struct {
	User  string
	Token string // as the form and URLs show it: a hint or an id, never a secret
	// One of these is set when Token is: the hash of a pasted token, an id
	// or a hint.
	Hash     []byte
	TokenID  string
	Hint     string
	Scope    string
	IP       string
	Admin    bool
	View     string
	Kind     string
	Statuses []string
	Sort     string
	Desc     bool
	Page     int
	// badUser and badIP are refused values, shown back in the form so the
	// person can correct them.
	badUser, badIP string
}

// hintPattern is a token's display hint, as pages show it (twa_7Hq2…9xKd).
var hintPattern = regexp.MustCompile(`^tw[acsp]_[0-9A-Za-z]{4}…[0-9A-Za-z]{4}$`)

// parseAuditTokenQuery reads user, token, scope, ip, admin, view and kind,
// then the list's status, sort, dir and page. A bad value is a message for
// the person, and the rest still parses.
func parseAuditTokenQuery(v url.Values) (auditTokenQuery, string) {
	q := auditTokenQuery{Sort: "created", Desc: true, Page: 1}
	var problems []string
	bad := func(msg string) { problems = append(problems, msg) }
	if u := auth.NormalizeUsername(v.Get("user")); u != "" {
		if auth.ValidateUsername(u) != "" {
			q.badUser = plumbing.PlainText(u)
			bad("User is a username, or its first letters: lowercase letters, digits, dots, dashes and underscores.")
		} else {
			q.User = u
		}
	}
	if t := strings.TrimSpace(v.Get("token")); t != "" {
		if msg := q.setToken(t); msg != "" {
			bad(msg)
		}
	}
	if s := v.Get("scope"); s != "" {
		if len(grantingScopes(s)) == 0 {
			bad("Choose a scope from the list.")
		} else {
			q.Scope = s
		}
	}
	if ip := strings.TrimSpace(v.Get("ip")); ip != "" {
		addr, err := netip.ParseAddr(ip)
		if err != nil || addr.Zone() != "" {
			q.badIP = plumbing.PlainText(ip)
			bad("IP address is one IPv4 or IPv6 address, such as 203.0.113.7.")
		} else {
			q.IP = addr.Unmap().String()
		}
	}
	switch a := v.Get("admin"); a {
	case "", "0":
	case "1", "on":
		q.Admin = true
	default:
		bad("Admin privileges is 1 (only tokens with them) or empty.")
	}
	if w := v.Get("view"); w != "" {
		if !auditViewNames[w] {
			bad("View is never-used, idle-90, expiring-30 or no-expiry.")
		} else {
			q.View = w
		}
	}
	if k := v.Get("kind"); k != "" {
		if kind, err := auth.ParseKind(k); err != nil || string(kind) != k {
			bad("Kind is api, cli, service or personal.")
		} else {
			q.Kind = k
		}
	}
	q.parseList(v, bad)
	return q, strings.Join(problems, " ")
}

// parseList reads what the list shows and in what order: status, sort,
// dir and page.
func (q *auditTokenQuery) parseList(v url.Values, bad func(string)) {
	for _, s := range v["status"] {
		if !core.ValidStatuses[s] {
			bad("Status is active, expired, disabled or revoked.")
			continue
		}
		q.Statuses = append(q.Statuses, s)
	}
	switch s := v.Get("sort"); s {
	case "", "created":
	case "last_used":
		q.Sort = s
	default:
		bad("Sort by created or last_used.")
	}
	switch d := v.Get("dir"); d {
	case "", "desc":
	case "asc":
		q.Desc = false
	default:
		bad("Sort direction is asc or desc.")
	}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			bad("Page is a whole number from 1.")
		} else {
			q.Page = n
		}
	}
}

// setToken reads the token filter: a whole token (kept only as its hash
// and shown as its hint), a token id, or a hint.
func (q *auditTokenQuery) setToken(t string) string {
	if _, err := auth.ParseToken(t); err == nil {
		h := auth.HashToken(t)
		q.Hash, q.Token = h[:], auth.TokenHint(t)
		return ""
	}
	if id, err := uuid.Parse(t); err == nil && id.String() == strings.ToLower(t) {
		q.TokenID, q.Token = id.String(), id.String()
		return ""
	}
	if hintPattern.MatchString(t) {
		q.Hint, q.Token = t, t
		return ""
	}
	return "Token is a whole token (twa_… as issued), a token id, or a token's hint such as twa_7Hq2…9xKd."
}

// grantingScopes lists the catalog scopes that grant want: want itself and
// every scope above it. It is empty when want is not in the catalog.
func grantingScopes(want string) []string {
	var out []string
	for _, info := range auth.Catalog() {
		if (auth.ScopeSet{info.Name}).Grants(auth.Scope(want)) {
			out = append(out, string(info.Name))
		}
	}
	return out
}

// values is the query as URL values, for links that keep the filters.
func (q auditTokenQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("user", q.User)
	set("token", q.Token)
	set("scope", q.Scope)
	set("ip", q.IP)
	if q.Admin {
		v.Set("admin", "1")
	}
	set("view", q.View)
	set("kind", q.Kind)
	for _, s := range q.Statuses {
		v.Add("status", s)
	}
	if q.Sort != "created" {
		v.Set("sort", q.Sort)
	}
	if !q.Desc {
		v.Set("dir", "asc")
	}
	return v
}

// filtered reports whether any filter narrows the list.
func (q auditTokenQuery) filtered() bool {
	return q.User != "" || q.Token != "" || q.Scope != "" || q.IP != "" || q.Admin || q.View != "" || q.Kind != "" || len(q.Statuses) > 0
}

// storeQuery is the store's query for q in org.
func (q auditTokenQuery) storeQuery(org *store.Org) store.AuditTokenQuery {
	return store.AuditTokenQuery{OrgID: org.ID, Kind: q.Kind, User: q.User, SecretHash: q.Hash, TokenID: q.TokenID, Hint: q.Hint,
		Scopes: grantingScopes(q.Scope), IP: q.IP, Admin: q.Admin, View: q.View, Statuses: q.Statuses,
		Sort: q.Sort, Desc: q.Desc, Page: q.Page, PerPage: core.PerPage, MaxDays: org.Policy.MaxDays}
}

// auditTabs are the audit page's two tabs.
func auditTabs(org, current string) []views.NavLink {
	return []views.NavLink{
		{Label: "Tokens", Href: auditPath(org), Current: current == "tokens"},
		{Label: "Event log", Href: auditPath(org) + "/events", Current: current == "events"},
	}
}

// auditTokenTable runs the query and turns the page into rows.
func (s *Server) auditTokenTable(c echo.Context, q auditTokenQuery) (views.AuditTokenTable, error) {
	org := plumbing.State(c).Org
	page, err := s.DB.AuditTokens(c.Request().Context(), q.storeQuery(org))
	if err != nil {
		return views.AuditTokenTable{}, err
	}
	now := s.DB.Now()
	base := auditPath(org.Slug)
	t := views.AuditTokenTable{Total: page.Total, Page: q.Page,
		ExportURL: withQuery(base+"/tokens.csv", q.values()),
		Empty:     "No tokens have access to this organization yet.", Sorts: auditSortHeaders(base, q)}
	if q.filtered() {
		t.Empty = "No tokens match these filters. Clear a filter, or tick more statuses."
	}
	ids := make([]string, len(page.Tokens))
	for i, tok := range page.Tokens {
		ids[i] = tok.ID
	}
	lines, err := s.sparklines(c.Request().Context(), ids) // one query for the page
	if err != nil {
		return views.AuditTokenTable{}, err
	}
	for _, tok := range page.Tokens {
		r := auditTokenRow(org, tok, now)
		r.Sparkline = views.Sparkline(lines[tok.ID])
		t.Rows = append(t.Rows, r)
	}
	t.Pages, t.PageLinks = pageLinks(q.Page, page.Total, core.PerPage, func(n int) string {
		v := q.values()
		if n > 1 {
			v.Set("page", fmt.Sprint(n))
		}
		return withQuery(base, v)
	})
	return t, nil
}

// auditTokenRow is one token as the audit list shows it; the table fills in
// its Sparkline.
func auditTokenRow(org *store.Org, t store.AuditToken, now time.Time) views.AuditTokenRow {
	r := views.AuditTokenRow{ID: t.ID, Name: t.Name, Kind: t.Kind, KindLabel: auth.Kind(t.Kind).Label(), Hint: t.Hint,
		Owner: tokenOwner(t.Token), Creator: t.CreatorName, CreatorRole: t.CreatorRole, Scopes: t.Scopes,
		Created: moment(t.CreatedAt, now, ""), LastUsed: moment(t.LastUsedAt, now, "Never"), RecentIPs: t.RecentIPs,
		Status: store.TokenStatus(t.Token, now, org.Policy.MaxDays), DetailURL: tokenPath(org.Slug, t.Token, "")}
	return r
}

// tokenOwner is who a token belongs to: its owning user, or its service.
func tokenOwner(t store.Token) string {
	if t.ServiceName != "" {
		return t.ServiceName
	}
	if t.OwnerName != "" {
		return t.OwnerName
	}
	return t.CreatorName
}
