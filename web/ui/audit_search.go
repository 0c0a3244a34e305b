package ui

import (
	"cmp"
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// auditTokens is the audit page's Tokens tab. A whole token in the URL (an
// old link or bookmark) goes on at once to the URL naming the token by its
// id, so the secret stays in no history and no later log line.
func (s *Server) auditTokens(c echo.Context) error {
	q, problem := parseAuditTokenQuery(c.QueryParams())
	pasted := len(q.Hash) > 0
	if problem == "" {
		var err error
		if problem, err = s.resolveAuditToken(c.Request().Context(), plumbing.State(c).Org, &q); err != nil {
			return err
		}
	}
	if pasted && problem == "" {
		return plumbing.Redirect(c, withQuery(auditPath(plumbing.State(c).Org.Slug), q.values()))
	}
	return s.auditAnswer(c, q, problem, false)
}

// searchAudit is the filter form's POST, so that a whole pasted token never
// rides in a URL: the query goes on to the tab's URL, where the token is
// named by its id. Without JavaScript it redirects there; htmx gets the
// table at once and pushes that URL.
func (s *Server) searchAudit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	delete(form, "csrf_token")
	q, problem := parseAuditTokenQuery(form)
	pasted := len(q.Hash) > 0
	org := plumbing.State(c).Org
	if problem == "" {
		if problem, err = s.resolveAuditToken(c.Request().Context(), org, &q); err != nil {
			return err
		}
	}
	if problem != "" {
		return s.auditAnswer(c, q, problem, false)
	}
	target := withQuery(auditPath(org.Slug), q.values())
	if !plumbing.IsHTMX(c) {
		return plumbing.Redirect(c, target)
	}
	c.Response().Header().Set("HX-Push-Url", target)
	return s.auditAnswer(c, q, "", pasted)
}

// resolveAuditToken names the token a pasted secret or an id stands for by
// its id, or says that no token with access to the org has it (another
// org's token reads the same, so the page tells nothing about it).
func (s *Server) resolveAuditToken(ctx context.Context, org *store.Org, q *auditTokenQuery) (string, error) {
	if len(q.Hash) == 0 && q.TokenID == "" {
		return "", nil
	}
	page, err := s.DB.AuditTokens(ctx, store.AuditTokenQuery{OrgID: org.ID, SecretHash: q.Hash, TokenID: q.TokenID,
		Statuses: store.Statuses, Page: 1, PerPage: 1, MaxDays: org.Policy.MaxDays})
	if err != nil {
		return "", err
	}
	if page.Total == 0 && len(q.Hash) > 0 {
		return "No token with access to this organization has that secret. Check that you pasted all of it, or search by the token's id or hint.", nil
	}
	if page.Total == 0 {
		return "No token with access to this organization has the id " + q.TokenID + ". Check it against the token's page, or search by its hint.", nil
	}
	q.Hash, q.TokenID, q.Token = nil, page.Tokens[0].ID, page.Tokens[0].ID
	return "", nil
}

// auditAnswer renders the Tokens tab for q: for htmx requests aimed at the
// table, the table with the form's fields that follow it (pasted: the
// Token field, now naming the token by its id); the whole page otherwise,
// from the same components.
func (s *Server) auditAnswer(c echo.Context, q auditTokenQuery, problem string, pasted bool) error {
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	table, err := s.auditTokenTable(c, q)
	if err != nil {
		return err
	}
	f := auditFilter(plumbing.State(c), q, problem)
	if plumbing.IsHTMX(c) && c.Request().Header.Get("HX-Target") == "audit-table" {
		// A GET aimed at the table is a header click or a page link.
		sorted := c.Request().Method == http.MethodGet
		return s.Render(c, status, views.AuditTokenAnswer(table, f, sorted, pasted))
	}
	shell, err := s.PageShell(c, "Audit", "audit")
	if err != nil {
		return err
	}
	org := plumbing.State(c).Org
	return s.Render(c, status, views.AuditTokensPage(views.AuditTokensProps{Shell: shell, OrgSlug: org.Slug,
		Tabs: auditTabs(org.Slug, "tokens"), Filter: f, Table: table}))
}

// auditFilter is the filter form for q, with a refused value kept for
// correcting and problem shown.
func auditFilter(st *plumbing.RequestState, q auditTokenQuery, problem string) views.AuditTokenFilter {
	base := auditPath(st.Org.Slug)
	f := views.AuditTokenFilter{User: cmp.Or(q.User, q.badUser), Token: q.Token, Scope: q.Scope, IP: cmp.Or(q.IP, q.badIP), Admin: q.Admin, View: q.View, Kind: q.Kind,
		Statuses: q.Statuses, Sort: q.Sort, Dir: "desc", Error: problem, URL: base, SearchURL: base + "/search", CSRF: st.CSRF,
		Views: auditViews, StatusChoices: store.Statuses}
	if !q.Desc {
		f.Dir = "asc"
	}
	if len(q.Statuses) == 0 {
		f.Statuses = []string{store.StatusActive, store.StatusExpired, store.StatusDisabled}
	}
	for _, info := range auth.Catalog() {
		f.Scopes = append(f.Scopes, views.Option{Value: string(info.Name), Label: string(info.Name)})
	}
	return f
}

// auditSortHeaders are the links of the audit table's sortable headers,
// newest first and the other way round when sorted by it already; "Never"
// used sorts as the oldest use. Sorting starts again on page 1.
func auditSortHeaders(base string, q auditTokenQuery) map[string]views.SortHeader {
	out := map[string]views.SortHeader{}
	for _, key := range []string{"created", "last_used"} {
		out[key] = sortHeader(key, q.Sort, q.Desc, func(desc bool) string {
			next := q
			next.Sort, next.Desc = key, desc
			return withQuery(base, next.values())
		})
	}
	return out
}
