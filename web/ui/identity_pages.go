package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// kindLabels name the provider kinds for people.
var kindLabels = map[string]string{store.ProviderOIDC: "OpenID Connect", store.ProviderGitHub: "GitHub"}

// identityAdmin is GET /admin/identity.
func (s *Server) identityAdmin(c echo.Context) error {
	return s.renderIdentityAdmin(c, http.StatusOK, providerForm{Kind: store.ProviderOIDC}.view(0, false, nil))
}

func (s *Server) renderIdentityAdmin(c echo.Context, status int, form views.ProviderForm) error {
	ctx := c.Request().Context()
	shell, err := s.PageShell(c, "Identity providers", "")
	if err != nil {
		return err
	}
	providers, err := s.DB.Providers(ctx)
	if err != nil {
		return err
	}
	if _, err := s.orgChoices(ctx, &form); err != nil {
		return err
	}
	p := views.IdentityAdminProps{Shell: shell, RedirectURL: s.redirectURL(), Form: form}
	for _, pr := range providers {
		p.Providers = append(p.Providers, views.ProviderRow{ID: pr.ID, Name: pr.Name, Kind: kindLabels[pr.Kind], Issuer: pr.Issuer,
			ClientID: pr.ClientID, Domains: strings.Join(pr.Domains, ", "), Join: describeJoin(pr), Linked: pr.Linked})
	}
	return s.Render(c, status, views.IdentityAdminPage(p))
}

// addProvider is POST /admin/identity.
func (s *Server) addProvider(c echo.Context) error {
	f := parseProviderForm(c)
	errs, err := s.saveProvider(c, &f, 0)
	if err != nil {
		return err
	}
	if errs.Any() {
		return s.renderIdentityAdmin(c, providerStatus(errs), f.view(0, false, errs))
	}
	if err := s.Flash(c, "success", "Added "+views.EndSentence(f.Name)+" The sign-in page now offers “Sign in with "+f.Name+"”."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/identity")
}

// editProvider is GET /admin/identity/{id}.
func (s *Server) editProvider(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	return s.renderProviderEdit(c, http.StatusOK, formOf(p).view(p.ID, true, nil))
}

func (s *Server) renderProviderEdit(c echo.Context, status int, form views.ProviderForm) error {
	shell, err := s.PageShell(c, "Edit "+form.Name, "")
	if err != nil {
		return err
	}
	if _, err := s.orgChoices(c.Request().Context(), &form); err != nil {
		return err
	}
	return s.Render(c, status, views.ProviderEditPage(views.ProviderEditProps{Shell: shell, RedirectURL: s.redirectURL(), Form: form}))
}

// updateProvider is POST /admin/identity/{id}: an empty secret keeps the saved one.
func (s *Server) updateProvider(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	f := parseProviderForm(c)
	f.Kind = p.Kind // the kind is fixed once added
	errs, err := s.saveProvider(c, &f, p.ID)
	if err != nil {
		return err
	}
	if errs.Any() {
		return s.renderProviderEdit(c, providerStatus(errs), f.view(p.ID, true, errs))
	}
	if err := s.Flash(c, "success", "Saved "+views.EndSentence(f.Name)); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/identity")
}

// deleteProvider is POST /admin/identity/{id}/delete; the identities
// linked through it go too.
func (s *Server) deleteProvider(c echo.Context) error {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.DB.DeleteProvider(c.Request().Context(), id, s.actor(c))
	kind, msg := "success", "Deleted "+views.EndSentence(p.Name)
	if store.IsNotFound(err) { // a second click, or another admin was quicker
		kind, msg, err = "info", "That provider is deleted already.", nil
	}
	if err != nil {
		return err
	}
	if err := s.Flash(c, kind, msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/identity")
}

// providerButtons are the sign-in page's "Sign in with …" links.
func (s *Server) providerButtons(c echo.Context, next string) ([]views.ProviderButton, error) {
	return s.providerLinks(c, func(id int64) string {
		href := "/login/with/" + strconv.FormatInt(id, 10)
		if next != "/" && next != "" {
			href += "?next=" + url.QueryEscape(next)
		}
		return href
	})
}

// inviteProviderButtons are the invitation page's "Sign in with …" links.
func (s *Server) inviteProviderButtons(c echo.Context, code string) ([]views.ProviderButton, error) {
	return s.providerLinks(c, func(id int64) string {
		return "/invite/" + url.PathEscape(code) + "/with/" + strconv.FormatInt(id, 10)
	})
}

func (s *Server) providerLinks(c echo.Context, href func(int64) string) ([]views.ProviderButton, error) {
	providers, err := s.DB.Providers(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []views.ProviderButton
	for _, p := range providers {
		href := href(p.ID)
		out = append(out, views.ProviderButton{Name: p.Name, Href: href})
	}
	return out, nil
}
