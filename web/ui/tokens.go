package ui

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// tokenKind reads the :kind path parameter; anything else is a 404.
func tokenKind(c echo.Context) (auth.Kind, error) {
	k, err := auth.ParseKind(c.Param("kind"))
	if err != nil || string(k) != c.Param("kind") || !slices.Contains(auth.Kinds, k) {
		return "", plumbing.NotFound()
	}
	return k, nil
}

// tokens is a kind's tab. htmx requests aimed at the table get the table
// alone; everything else gets the whole page, from the same components.
func (s *Server) tokens(c echo.Context) error {
	kind, err := tokenKind(c)
	if err != nil {
		return err
	}
	q, problem := core.ParseTokenQuery(c.QueryParams(), kind)
	// A whole token typed into the address bar goes on to its hint's URL at
	// once, so it stays in no history and no later log line.
	if q.Pasted && problem == "" && !plumbing.IsHTMX(c) {
		return plumbing.Redirect(c, pageURL(tabPath(plumbing.State(c).Org.Slug, kind), q, q.Page))
	}
	return s.tokensAnswer(c, kind, q, problem)
}

// searchTokens is the search form's POST, so that a whole pasted token
// never rides in a URL: the query goes on to the tab's URL, where a
// pasted token is named by its hint. Without JavaScript it redirects
// there; htmx gets the table at once and pushes that URL.
func (s *Server) searchTokens(c echo.Context) error {
	kind, err := tokenKind(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	delete(form, "csrf_token")
	q, problem := core.ParseTokenQuery(form, kind)
	if problem != "" {
		return s.tokensAnswer(c, kind, q, problem)
	}
	target := pageURL(tabPath(plumbing.State(c).Org.Slug, kind), q, 1)
	if !plumbing.IsHTMX(c) {
		return plumbing.Redirect(c, target)
	}
	c.Response().Header().Set("HX-Push-Url", target)
	return s.tokensAnswer(c, kind, q, "")
}

// tokensAnswer renders a tab for q: the table alone for htmx requests aimed
// at it, the whole page otherwise, from the same components.
func (s *Server) tokensAnswer(c echo.Context, kind auth.Kind, q core.TokenQuery, problem string) error {
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	p, err := s.tokensProps(c, kind, q, problem)
	if err != nil {
		return err
	}
	if plumbing.IsHTMX(c) && c.Request().Header.Get("HX-Target") == "token-table" {
		// A GET aimed at the table is a header click or a page link.
		sorted := c.Request().Method == http.MethodGet
		return s.Render(c, status, views.TokenTableAnswer(p.Table, p.Filter, p.ExportURL, sorted))
	}
	return s.Render(c, status, views.TokensPage(p))
}

// tokensProps builds a tab's page for the viewer and query.
func (s *Server) tokensProps(c echo.Context, kind auth.Kind, q core.TokenQuery, problem string) (views.TokensProps, error) {
	ctx := c.Request().Context()
	st := plumbing.State(c)
	org := st.Org
	shell, err := s.PageShell(c, kind.Label()+" tokens", "tokens")
	if err != nil {
		return views.TokensProps{}, err
	}
	p := views.TokensProps{Shell: shell, OrgSlug: org.Slug, Kind: string(kind)}
	for _, k := range auth.Kinds {
		p.Tabs = append(p.Tabs, views.NavLink{Label: k.Label(), Href: tabPath(org.Slug, k), Current: k == kind})
	}
	me := plumbing.Principal(st)
	p.CanCreate = auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: kind, OwnerUserID: me.UserID}) && kind != auth.KindService
	p.CreateLabel, p.NewURL = "Create "+kind.Label()+" token", newTokenPath(org.Slug, kind)
	if auth.Authorize(me, auth.ViewAudit, nil) {
		// The tab's own query: a pasted token is its hint by now.
		p.ExportURL = pageURL(tabPath(org.Slug, kind)+"/tokens.csv", q, 1)
	}
	p.Filter = views.TokenFilter{Q: q.Q, Role: q.Role, Statuses: q.Statuses, Sort: q.Sort, Dir: "desc",
		ShowRole: kind == auth.KindAPI, Error: problem, URL: tabPath(org.Slug, kind), SearchURL: searchPath(org.Slug, kind), CSRF: st.CSRF,
		StatusChoices: store.Statuses, RoleChoices: creatorRoles}
	if kind == auth.KindAPI {
		p.Filter.Type = apiTabType(q)
	}
	if !q.Desc {
		p.Filter.Dir = "asc"
	}
	if len(q.Statuses) == 0 {
		p.Filter.Statuses = []string{store.StatusActive, store.StatusExpired, store.StatusDisabled}
	}
	if q.Service != 0 {
		p.Filter.Service = fmt.Sprint(q.Service)
	}
	if kind == auth.KindService {
		svcs, err := s.serviceChoices(ctx, me, org.ID)
		if err != nil {
			return p, err
		}
		for _, sv := range svcs {
			p.Filter.Services = append(p.Filter.Services, views.Option{Value: fmt.Sprint(sv.ID), Label: sv.Name})
		}
	}
	if p.Expiring, err = s.expiringOwn(ctx, st, s.DB.Now()); err != nil {
		return p, err
	}
	p.Back = pageURL(tabPath(org.Slug, kind), q, q.Page)
	table, err := s.tokenTable(c, kind, q)
	p.Table = table
	return p, err
}

// serviceChoices are the services the service tab's filter offers: every
// one to those who may open the services page, otherwise only those with a
// service token the viewer may see.
func (s *Server) serviceChoices(ctx context.Context, me auth.Principal, orgID int64) ([]store.Service, error) {
	if auth.Authorize(me, auth.ViewServices, nil) {
		return s.DB.Services(ctx, orgID)
	}
	f := auth.TokenListFilter(me, auth.KindService)
	if f.Nothing || f.OwnerUserID != 0 {
		return nil, nil
	}
	return s.DB.ServicesWithTokens(ctx, orgID, f.OnlyOrgVisible)
}

// tokenTable runs the query the viewer may see and turns it into rows.
func (s *Server) tokenTable(c echo.Context, kind auth.Kind, q core.TokenQuery) (views.TokenTable, error) {
	st := plumbing.State(c)
	org := st.Org
	me := plumbing.Principal(st)
	t := views.TokenTable{Kind: string(kind), Page: q.Page, CSRF: st.CSRF, Searched: q.Q != "" || q.Role != "" || q.Service != 0 || (q.Type != "" && q.Type != "all"),
		Bulk: auth.Authorize(me, auth.BulkTokens, nil), BulkURL: tabPath(org.Slug, kind) + "/bulk"}
	t.ColOwner = map[auth.Kind]string{auth.KindAPI: "Created by", auth.KindCLI: "Owner", auth.KindService: "Service"}[kind]
	list := q
	if kind == auth.KindAPI {
		list.Type = apiTabType(q)
	}
	page, err := s.Core.ListTokens(c.Request().Context(), me, *org, kind, list, q.PageSize)
	if err != nil {
		return t, err
	}
	now := s.DB.Now()
	t.Total = page.Total
	for _, tok := range page.Tokens {
		t.Rows = append(t.Rows, s.tokenRow(st, tok, now))
	}
	base := tabPath(org.Slug, kind)
	t.Pages, t.PageLinks = pageLinks(q.Page, page.Total, q.PageSize, func(n int) string { return pageURL(base, q, n) })
	t.PageSize, t.PageSizes = q.PageSize, core.PageSizes
	t.Empty = emptyMessage(kind, t.Searched || len(q.Statuses) > 0, me)
	t.Sorts = sortHeaders(base, q)
	t.EmptyAction, t.EmptyDialog = emptyAction(org.Slug, kind, t.Searched || len(q.Statuses) > 0, me)
	return t, nil
}

// sortHeaders are the links of the sortable headers: each sorts by its
// column, names A–Z and dates newest first, and the other way round when
// the view is sorted by it already. Sorting starts again on page 1.
func sortHeaders(base string, q core.TokenQuery) map[string]views.SortHeader {
	out := map[string]views.SortHeader{}
	for _, key := range []string{"name", "created", "expires", "last_used"} {
		out[key] = sortHeader(key, q.Sort, q.Desc, func(desc bool) string {
			next := q
			next.Sort, next.Desc = key, desc
			return pageURL(base, next, 1)
		})
	}
	return out
}

// sortHeader is the header of column key in a view sorted by current (desc
// when newest or Z–A first): its link, made by link for a direction, and
// its aria-sort when the view is sorted by it.
func sortHeader(key, current string, desc bool, link func(desc bool) string) views.SortHeader {
	if current != key {
		return views.SortHeader{URL: link(key != "name")}
	}
	h := views.SortHeader{URL: link(!desc), Dir: "ascending"}
	if desc {
		h.Dir = "descending"
	}
	return h
}

// pageLinks is how many pages of perPage rows total fills (at least one),
// and the links from page to its neighbours and to the first and last
// pages; a page past the end links the last page instead.
func pageLinks(page, total, perPage int, link func(page int) string) (int, views.PageLinks) {
	pages := core.PageCount(total, perPage)
	var l views.PageLinks
	switch {
	case page > pages && total > 0:
		l.Last = link(pages)
	case page > 1:
		l.Prev, l.First = link(page-1), link(1)
	}
	if page < pages {
		l.Next, l.End = link(page+1), link(pages)
	}
	return pages, l
}

func pageURL(base string, q core.TokenQuery, page int) string {
	v := q.Values()
	if page > 1 {
		v.Set("page", fmt.Sprint(page))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func emptyMessage(kind auth.Kind, filtered bool, me auth.Principal) string {
	if filtered {
		return "No tokens match this search and these filters. Clear the search or tick more statuses."
	}
	switch kind {
	case auth.KindAPI:
		if me.Role == auth.RoleAdmin {
			return "No API tokens yet. Create one for each integration that calls the Tokenward API."
		}
		return "No API tokens are shared with you. Ask an admin to share one with the organization."
	case auth.KindCLI:
		if me.Role == auth.RoleAuditor {
			return "Nobody in this organization has a CLI token yet."
		}
		return "No CLI tokens yet. Run tokenward login, or create one here."
	}
	if me.Role == auth.RoleAdmin {
		return "No service tokens yet. Onboard a repository on the Services page to get its token."
	}
	return "No service tokens are shared with you."
}

// emptyAction is the button an empty table offers: clear the search, or
// make what would fill it, when the viewer may (the create dialog opens
// through htmx).
func emptyAction(org string, kind auth.Kind, filtered bool, me auth.Principal) (views.NavLink, bool) {
	switch {
	case filtered:
		return views.NavLink{Label: "Clear the search and filters", Href: tabPath(org, kind)}, false
	case kind == auth.KindService:
		if auth.Authorize(me, auth.ManageServices, nil) {
			return views.NavLink{Label: "Onboard a service", Href: "/orgs/" + org + "/settings/services"}, false
		}
	case auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: kind, OwnerUserID: me.UserID}):
		return views.NavLink{Label: "Create " + kind.Label() + " token", Href: newTokenPath(org, kind)}, true
	}
	return views.NavLink{}, false
}

// apiTabType is which API tokens the tab lists: unless the filter says
// otherwise, the org's own and its members' personal tokens granted to it.
func apiTabType(q core.TokenQuery) string {
	if q.Type == "" {
		return "all"
	}
	return q.Type
}

// tokenRow turns a token into a row, with the actions the viewer may take.
func (s *Server) tokenRow(st *plumbing.RequestState, t store.Token, now time.Time) views.TokenRow {
	org := st.Org
	exp := store.EffectiveExpiry(t, org.Policy.MaxDays)
	status := store.TokenStatus(t, now, org.Policy.MaxDays)
	r := views.TokenRow{ID: t.ID, Name: t.Name, DeviceName: t.DeviceName, Hint: t.Hint, Scopes: t.Scopes,
		Created: moment(t.CreatedAt, now, ""), Expires: moment(exp, now, "No expiry"), LastUsed: moment(t.LastUsedAt, now, "Never"),
		Status: status, OrgVisible: t.Visibility == auth.VisibilityOrg, Personal: t.Kind == string(auth.KindPersonal),
		Expiring:  status == store.StatusActive && !exp.IsZero() && exp.Sub(now) < badgeWithin,
		DetailURL: tokenPath(org.Slug, t, "")}
	if t.PrevValidUntil.After(now) && status != store.StatusRevoked {
		r.Grace = moment(t.PrevValidUntil, now, "")
		r.GraceText = "Old secret works until " + t.PrevValidUntil.UTC().Format("Mon 2 Jan, 15:04 UTC")
	}
	switch t.Kind {
	case "api":
		r.Who, r.WhoRole = t.CreatorName, t.CreatorRole
	case "cli", "personal":
		r.Who = t.OwnerName
	default:
		r.Who = t.ServiceName
	}
	if status == store.StatusRevoked {
		return r
	}
	me, facts := plumbing.Principal(st), core.TokenFacts(t)
	add := func(a auth.Action, label, action, class string, post bool) {
		if auth.Authorize(me, a, facts) {
			r.Actions = append(r.Actions, views.RowAction{Label: label, URL: tokenPath(org.Slug, t, action), Class: class, Post: post, ID: "action-" + action})
		}
	}
	add(auth.RevealToken, "Reveal", "reveal", "", true)
	add(auth.EditToken, "Edit", "edit", "", false)
	add(auth.RotateToken, "Rotate", "rotate", "", false)
	if r.GraceText != "" {
		add(auth.RotateToken, "End grace now", "end-grace", "", false)
	}
	if status == store.StatusDisabled {
		add(auth.DisableToken, "Enable", "enable", "", false)
	} else {
		add(auth.DisableToken, "Disable", "disable", "", false)
	}
	add(auth.RemoveTokenOrg, "Remove organization from token", "remove-org", "btn-danger", false)
	add(auth.RevokeToken, "Revoke", "revoke", "btn-danger", false)
	return r
}

// ownDevice reports whether t is one of the viewer's own CLI tokens, whose
// revoke tells them how to sign that device in again.
func ownDevice(st *plumbing.RequestState, t store.Token) bool {
	return t.Kind == string(auth.KindCLI) && st.User != nil && t.OwnerUserID == st.User.ID
}
