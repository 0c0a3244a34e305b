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
		msg = "Disabled " + u.Username + ". Their sessions have ended."
	}
	if err := s.flash(c, "success", msg); err != nil {
		return err
	}
	return redirect(c, "/admin")
}
