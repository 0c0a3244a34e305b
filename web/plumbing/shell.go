package plumbing

import (
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
)

// section is one settings page of an org, shown in the navigation to those
// whose role allows its action.
type section struct {
	Key    string // what a page passes as current
	Label  string
	Path   string // under /orgs/{org}/settings/
	Action auth.Action
}

// sections are the org settings pages that exist, in navigation order.
var sections = []section{
	{Key: "tokens", Label: "Tokens", Path: "tokens/api", Action: auth.ViewTokens},
	{Key: "services", Label: "Services", Path: "services", Action: auth.ViewServices},
	{Key: "members", Label: "Members", Path: "members", Action: auth.ManageMembers},
	{Key: "audit", Label: "Audit", Path: "audit", Action: auth.ViewAudit},
	{Key: "policy", Label: "Policy", Path: "policy", Action: auth.ManagePolicy},
}

// Principal is the viewer as the authorization function sees them, for the
// org the request is about.
func Principal(st *RequestState) auth.Principal {
	p := auth.Principal{Role: auth.Role(st.Role)}
	if st.User != nil {
		p.UserID, p.SiteAdmin = st.User.ID, st.User.SiteAdmin
	}
	return p
}

// OrgNav lists the sections of org that role may open.
func OrgNav(org string, role string, current string) []views.NavLink {
	p := auth.Principal{Role: auth.Role(role)}
	var out []views.NavLink
	for _, sec := range sections {
		if auth.Authorize(p, sec.Action, nil) {
			out = append(out, views.NavLink{Label: sec.Label, Href: "/orgs/" + org + "/settings/" + sec.Path, Current: sec.Key == current})
		}
	}
	return out
}

// BaseShell is the layout's data without any database read beyond the
// session: enough for error pages.
func (s *Site) BaseShell(c echo.Context, title string) views.Shell {
	st := State(c)
	sh := views.Shell{Title: title, CSRF: st.CSRF, RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if st.User != nil {
		sh.User = &views.UserMenu{Username: st.User.Username, DisplayName: st.User.DisplayName, SiteAdmin: st.User.SiteAdmin}
	}
	if st.Org != nil {
		sh.Org = &views.OrgLink{Slug: st.Org.Slug, Name: st.Org.Name, Role: st.Role}
	}
	if st.sess != nil {
		sh.Flashes, _ = s.takeFlashes(c)
	}
	return sh
}

// PageShell is the full layout data for a page: the user's orgs for the
// switcher and the current org's navigation with current marked.
func (s *Site) PageShell(c echo.Context, title, current string) (views.Shell, error) {
	sh := s.BaseShell(c, title)
	st := State(c)
	if st.User == nil {
		return sh, nil
	}
	orgs, err := s.DB.UserOrgs(c.Request().Context(), st.User.ID)
	if err != nil {
		return sh, err
	}
	sh.Orgs = orgLinks(orgs)
	if sh.Unread, err = s.DB.UnreadNotifications(c.Request().Context(), st.User.ID); err != nil {
		return sh, err
	}
	switch {
	case st.Org != nil:
		sh.Nav = OrgNav(st.Org.Slug, st.Role, current)
	case len(orgs) > 0:
		// A page of no org (My tokens, notifications, site admin) keeps the
		// navigation of the user's first org, so every page has the same one.
		sh.Nav = OrgNav(orgs[0].Slug, orgs[0].Role, "")
	}
	return sh, nil
}

func orgLinks(orgs []store.OrgRole) []views.OrgLink {
	out := make([]views.OrgLink, len(orgs))
	for i, o := range orgs {
		out[i] = views.OrgLink{Slug: o.Slug, Name: o.Name, Role: o.Role}
	}
	return out
}
