package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
)

func (s *Server) adminPage(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, views.NewOrgForm{})
}

func (s *Server) renderAdmin(c echo.Context, status int, form views.NewOrgForm) error {
	ctx := c.Request().Context()
	shell, err := s.pageShell(c, "Site admin", "")
	if err != nil {
		return err
	}
	orgs, err := s.db.Orgs(ctx)
	if err != nil {
		return err
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return err
	}
	p := views.AdminProps{Shell: shell, NewOrg: form}
	for _, o := range orgs {
		p.Orgs = append(p.Orgs, views.AdminOrg{Slug: o.Slug, Name: o.Name, Members: o.Members, Created: o.CreatedAt.Format("2006-01-02")})
	}
	for _, u := range users {
		p.Users = append(p.Users, views.AdminUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
			SiteAdmin: u.SiteAdmin, Disabled: u.Disabled(), IsViewer: u.ID == state(c).user.ID})
	}
	return s.render(c, status, views.AdminPage(p))
}

// createOrg creates an organization with the site admin as its first admin,
// so it is never left without one.
func (s *Server) createOrg(c echo.Context) error {
	f := views.NewOrgForm{Slug: strings.ToLower(formText(c, "slug")), Name: formText(c, "name")}
	f.Errors = collectErrors(map[string]string{"slug": auth.ValidateSlug(f.Slug), "name": auth.ValidateOrgName(f.Name)})
	if f.Errors.Any() {
		f.Slug, f.Name = plainText(f.Slug), plainText(f.Name)
		return s.renderAdmin(c, http.StatusUnprocessableEntity, f)
	}
	ctx := c.Request().Context()
	o, err := s.db.CreateOrg(ctx, store.NewOrg{Slug: f.Slug, Name: f.Name}, state(c).user.ID, s.actor(c))
	var se *store.Error
	if errors.As(err, &se) && se.Field != "" {
		f.Errors = views.FieldErrors{se.Field: se.Message}
		return s.renderAdmin(c, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "success", "Created "+views.EndSentence(o.Name)+" You are its first admin."); err != nil {
		return err
	}
	return redirect(c, "/admin")
}

func (s *Server) disableUser(c echo.Context) error { return s.setUserDisabled(c, true) }
func (s *Server) enableUser(c echo.Context) error  { return s.setUserDisabled(c, false) }

func (s *Server) setUserDisabled(c echo.Context, disabled bool) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	u, err := s.db.SetUserDisabled(c.Request().Context(), id, disabled, s.actor(c))
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.EInvalid {
		if ferr := s.flash(c, "error", se.Message); ferr != nil {
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
	if err := s.flash(c, "success", msg); err != nil {
		return err
	}
	return redirect(c, "/admin")
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
	tokens, err := s.db.PersonTokens(ctx, u.ID, 0)
	if err != nil {
		return err
	}
	shell, err := s.pageShell(c, "Disable "+u.Username, "")
	if err != nil {
		return err
	}
	st := state(c)
	p := views.DisableUserProps{Shell: shell, UserID: u.ID, Username: u.Username}
	for _, t := range tokens {
		if t.Kind == string(auth.KindCLI) && t.OwnerUserID == u.ID {
			p.CLICount++
		}
	}
	for _, orgID := range apiTokenOrgs(tokens) {
		org, err := s.db.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		me, err := memberPrincipal(ctx, s.db, org.ID, st.user.ID)
		if err != nil {
			return err
		}
		v, err := s.personAPITokens(ctx, org, u, tokens, auth.Authorize(me, auth.ManageMembers, nil), st.csrf, c.Request().URL.Path)
		if err != nil {
			return err
		}
		p.Orgs = append(p.Orgs, v)
	}
	return s.render(c, http.StatusOK, views.DisableUserPage(p))
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
