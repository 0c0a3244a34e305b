package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/auth/fault"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// home lists the signed-in user's orgs and the sections each lets them open.
func (s *Server) home(c echo.Context) error {
	shell, err := s.PageShell(c, "Your organizations", "")
	if err != nil {
		return err
	}
	orgs, err := s.DB.UserOrgs(c.Request().Context(), plumbing.State(c).User.ID)
	if err != nil {
		return err
	}
	p := views.HomeProps{Shell: shell}
	for _, o := range orgs {
		p.Orgs = append(p.Orgs, views.HomeOrg{Slug: o.Slug, Name: o.Name, Role: o.Role, Links: plumbing.OrgNav(o.Slug, o.Role, "")})
	}
	return s.Render(c, http.StatusOK, views.HomePage(p))
}

// orgHome opens the first section of the org the viewer may use, or the
// start page when their role opens none yet.
func (s *Server) orgHome(c echo.Context) error {
	st := plumbing.State(c)
	if nav := plumbing.OrgNav(st.Org.Slug, st.Role, ""); len(nav) > 0 {
		return c.Redirect(http.StatusSeeOther, nav[0].Href)
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// switchOrg is the org switcher's target: it goes to the chosen org, whose
// own guard decides what the viewer sees there.
func (s *Server) switchOrg(c echo.Context) error {
	slug := c.QueryParam("org")
	if msg := plumbing.ValidSlugParam(slug); msg != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Unknown organization", Message: msg}
	}
	return c.Redirect(http.StatusSeeOther, "/orgs/"+slug)
}
