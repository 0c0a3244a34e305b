package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// signInMethodsPath is the account page where people link and unlink
// identity providers.
const signInMethodsPath = "/me/sign-in"

// signsInWith says how a member signs in: "Password", provider names, or both.
func signsInWith(m store.SignInMethods) string {
	var ways []string
	if m.Password {
		ways = append(ways, "Password")
	}
	ways = append(ways, m.Providers...)
	if len(ways) == 0 {
		return "No way in"
	}
	return strings.Join(ways, ", ")
}

// lastSignIn is when and how a member last signed in.
func lastSignIn(m store.SignInMethods, now time.Time) views.Moment {
	w := moment(m.LastSignInAt, now, "Never")
	if !m.LastSignInAt.IsZero() && m.LastVia != "" {
		w.Text += " (" + m.LastVia + ")"
	}
	return w
}

// signInMethods is GET /me/sign-in: the viewer's password and providers,
// each with Link or Unlink.
func (s *Server) signInMethods(c echo.Context) error {
	ctx := c.Request().Context()
	u := plumbing.State(c).User
	shell, err := s.PageShell(c, "Sign-in methods", "")
	if err != nil {
		return err
	}
	providers, err := s.DB.Providers(ctx)
	if err != nil {
		return err
	}
	links, err := s.DB.UserIdentities(ctx, u.ID)
	if err != nil {
		return err
	}
	byProvider := map[int64]store.LinkedIdentity{}
	for _, l := range links {
		byProvider[l.ProviderID] = l
	}
	now := s.Now()
	p := views.SignInMethodsProps{Shell: shell, Password: u.PasswordHash != ""}
	for _, pr := range providers {
		l, linked := byProvider[pr.ID]
		p.Providers = append(p.Providers, views.SignInProvider{ID: pr.ID, Name: pr.Name, Linked: linked, Email: l.Email,
			LinkedAt: moment(l.LinkedAt, now, ""), LastUsed: moment(l.LastSignInAt, now, "Never")})
	}
	return s.Render(c, http.StatusOK, views.SignInMethodsPage(p))
}

// linkProvider is POST /me/sign-in/{id}/link: off to the provider, to come
// back linked.
func (s *Server) linkProvider(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	return s.startFlow(c, p, providerFlow{LinkUser: plumbing.State(c).User.ID})
}

// unlinkProvider is POST /me/sign-in/{id}/unlink. The store refuses to
// unlink the only way in of a user without a password.
func (s *Server) unlinkProvider(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	kind, msg := "success", "Unlinked "+p.Name+"."
	err = s.DB.UnlinkIdentity(c.Request().Context(), plumbing.State(c).User.ID, p.ID, s.actor(c))
	if fe := fault.As(err); fe != nil && fe.Code == fault.Conflict {
		kind, msg, err = "error", fe.Message, nil
	}
	if err != nil {
		return err
	}
	if err := s.Flash(c, kind, msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, signInMethodsPath)
}
