package ui

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

func (s *Server) adminPage(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, views.NewOrgForm{})
}

func (s *Server) renderAdmin(c echo.Context, status int, form views.NewOrgForm) error {
	ctx := c.Request().Context()
	shell, err := s.PageShell(c, "Site admin", "")
	if err != nil {
		return err
	}
	orgs, err := s.DB.Orgs(ctx)
	if err != nil {
		return err
	}
	users, err := s.DB.Users(ctx)
	if err != nil {
		return err
	}
	p := views.AdminProps{Shell: shell, NewOrg: form}
	for _, o := range orgs {
		p.Orgs = append(p.Orgs, views.AdminOrg{Slug: o.Slug, Name: o.Name, Members: o.Members, Created: o.CreatedAt.Format("2006-01-02")})
	}
	for _, u := range users {
		p.Users = append(p.Users, views.AdminUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
			SiteAdmin: u.SiteAdmin, Disabled: u.Disabled(), IsViewer: u.ID == plumbing.State(c).User.ID})
	}
	return s.Render(c, status, views.AdminPage(p))
}

// createOrg creates an organization with the site admin as its first admin,
// so it is never left without one.
func (s *Server) createOrg(c echo.Context) error {
	f := views.NewOrgForm{Slug: strings.ToLower(plumbing.FormText(c, "slug")), Name: plumbing.FormText(c, "name")}
	f.Errors = collectErrors(map[string]string{"slug": auth.ValidateSlug(f.Slug), "name": auth.ValidateOrgName(f.Name)})
	if f.Errors.Any() {
		f.Slug, f.Name = plumbing.PlainText(f.Slug), plumbing.PlainText(f.Name)
		return s.renderAdmin(c, http.StatusUnprocessableEntity, f)
	}
	ctx := c.Request().Context()
	o, err := s.DB.CreateOrg(ctx, store.NewOrg{Slug: f.Slug, Name: f.Name}, plumbing.State(c).User.ID, s.actor(c))
	if fields := fault.FieldsOf(err); fields.Any() {
		f.Errors = fields
		return s.renderAdmin(c, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Created "+views.EndSentence(o.Name)+" You are its first admin."); err != nil {
		return err
	}
	return plumbing.Redirect(c, tabPath(o.Slug, auth.KindAPI)) // on the new org, as its admin
}

func (s *Server) disableUser(c echo.Context) error { return s.setUserDisabled(c, true) }
func (s *Server) enableUser(c echo.Context) error  { return s.setUserDisabled(c, false) }

func (s *Server) setUserDisabled(c echo.Context, disabled bool) error {
	id, err := plumbing.PathID(c, "user")
	if err != nil {
		return err
	}
	u, err := s.DB.SetUserDisabled(c.Request().Context(), id, disabled, s.actor(c))
	if fe := fault.As(err); fe != nil && fe.Code == fault.Invalid {
		if ferr := s.Flash(c, "error", fe.Message); ferr != nil {
			return ferr
		}
		return s.renderAdmin(c, http.StatusUnprocessableEntity, views.NewOrgForm{})
	}
	if err != nil {
		return err
	}
	msg := "Enabled " + u.Username + "."
	if disabled {
		msg = "Disabled " + u.Username + ". Their sessions have ended and their CLI tokens are refused; their API tokens keep working as their organizations'."
	}
	if err := s.Flash(c, "success", msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin")
}

// confirmDisableUser is GET /admin/users/{id}/disable: what disabling the
// user does to their tokens. Their CLI tokens are refused while disabled;
// their API tokens keep working as their orgs', listed per org with
// rotate, hand over and revoke for the orgs the site admin administers.
func (s *Server) confirmDisableUser(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.pathUser(c)
	if err != nil {
		return err
	}
	tokens, err := s.DB.PersonTokens(ctx, u.ID, 0)
	if err != nil {
		return err
	}
	shell, err := s.PageShell(c, "Disable "+u.Username, "")
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	p := views.DisableUserProps{Shell: shell, UserID: u.ID, Username: u.Username}
	for _, t := range tokens {
		if t.Kind == string(auth.KindCLI) && t.OwnerUserID == u.ID {
			p.CLICount++
		}
	}
	for _, orgID := range apiTokenOrgs(tokens) {
		org, err := s.DB.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		me, err := core.MemberPrincipal(ctx, s.DB, org.ID, st.User.ID)
		if err != nil {
			return err
		}
		v, err := s.personAPITokens(ctx, org, u, tokens, auth.Authorize(me, auth.ManageMembers, nil), st.CSRF, c.Request().URL.Path)
		if err != nil {
			return err
		}
		p.Orgs = append(p.Orgs, v)
	}
	return s.Render(c, http.StatusOK, views.DisableUserPage(p))
}

// apiTokenOrgs lists, in order, the orgs that hold API tokens among tokens.
func apiTokenOrgs(tokens []store.UserToken) []int64 {
	var out []int64
	for _, t := range tokens {
		if t.Kind == string(auth.KindAPI) && (len(out) == 0 || out[len(out)-1] != t.OrgID) {
			out = append(out, t.OrgID)
		}
	}
	return out
}
