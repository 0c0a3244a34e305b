package web

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

// principal is the viewer as the authorization function sees them, for the
// org the request is about.
func principal(st *requestState) auth.Principal {
	p := auth.Principal{Role: auth.Role(st.role)}
	if st.user != nil {
		p.UserID, p.SiteAdmin = st.user.ID, st.user.SiteAdmin
	}
	return p
}

// orgNav lists the sections of org that role may open.
func orgNav(org string, role string, current string) []views.NavLink {
	p := auth.Principal{Role: auth.Role(role)}
	var out []views.NavLink
	for _, sec := range sections {
		if auth.Authorize(p, sec.Action, nil) {
			out = append(out, views.NavLink{Label: sec.Label, Href: "/orgs/" + org + "/settings/" + sec.Path, Current: sec.Key == current})
		}
	}
	return out
}

// baseShell is the layout's data without any database read beyond the
// session: enough for error pages.
func (s *Server) baseShell(c echo.Context, title string) views.Shell {
	st := state(c)
	sh := views.Shell{Title: title, CSRF: st.csrf, RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if st.user != nil {
		sh.User = &views.UserMenu{Username: st.user.Username, DisplayName: st.user.DisplayName, SiteAdmin: st.user.SiteAdmin}
	}
	if st.org != nil {
		sh.Org = &views.OrgLink{Slug: st.org.Slug, Name: st.org.Name, Role: st.role}
	}
	if st.sess != nil {
		sh.Flashes, _ = s.takeFlashes(c)
	}
	return sh
}

// pageShell is the full layout data for a page: the user's orgs for the
// switcher and the current org's navigation with current marked.
func (s *Server) pageShell(c echo.Context, title, current string) (views.Shell, error) {
	sh := s.baseShell(c, title)
	st := state(c)
	if st.user == nil {
		return sh, nil
	}
	orgs, err := s.db.UserOrgs(c.Request().Context(), st.user.ID)
	if err != nil {
		return sh, err
	}
	sh.Orgs = orgLinks(orgs)
	if sh.Unread, err = s.db.UnreadNotifications(c.Request().Context(), st.user.ID); err != nil {
		return sh, err
	}
	if st.org != nil {
		sh.Nav = orgNav(st.org.Slug, st.role, current)
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
