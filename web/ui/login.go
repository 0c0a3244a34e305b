package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// wrongCredentials is the one answer for an unknown user and a wrong
// password alike, so the form does not tell which usernames exist.
const wrongCredentials = "Incorrect username or password."

func (s *Server) loginForm(c echo.Context) error {
	if plumbing.State(c).User != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.renderLogin(c, http.StatusOK, views.LoginProps{Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) renderLogin(c echo.Context, status int, p views.LoginProps) error {
	p.Shell = s.BaseShell(c, "Sign in")
	buttons, err := s.providerButtons(c, p.Next)
	if err != nil {
		return err
	}
	p.Providers = buttons
	return s.Render(c, status, views.LoginPage(p))
}

func (s *Server) login(c echo.Context) error {
	username := auth.NormalizeUsername(c.FormValue("username"))
	password := c.FormValue("password")
	p := views.LoginProps{Username: username, Next: safeNext(c.FormValue("next")), Errors: views.FieldErrors{}}
	if username == "" {
		p.Errors["username"] = "Enter your username."
	} else if len(username) > auth.MaxUsername {
		p.Errors["username"] = fmt.Sprintf("Usernames have at most %d characters.", auth.MaxUsername)
		p.Username = ""
	} else if plumbing.HasControl(username) {
		p.Errors["username"] = "Usernames have no control characters such as tabs or line breaks: type it again."
		p.Username = ""
	}
	if password == "" {
		p.Errors["password"] = "Enter your password."
	} else if plumbing.HasControl(password) {
		p.Errors["password"] = "Passwords have no control characters such as tabs or line breaks: type it again."
	}
	if p.Errors.Any() {
		return s.renderLogin(c, http.StatusUnprocessableEntity, p)
	}
	ip := c.RealIP()
	wait, err := s.Throttle.Take(username, ip)
	if err != nil {
		return err
	}
	if wait > 0 {
		p.Error = throttledMessage("Too many failed sign-in attempts.", wait, s.Now())
		plumbing.SetRetryAfter(c, wait)
		return s.renderLogin(c, http.StatusTooManyRequests, p)
	}

	u, err := s.DB.UserByUsername(c.Request().Context(), username)
	ok := false
	switch {
	case err == nil:
		ok = auth.CheckPassword(u.PasswordHash, password)
	case store.IsNotFound(err):
		auth.CheckPasswordAgainstDummy(password) // same work, same time
	default:
		s.Throttle.Refund(username, ip)
		return err
	}
	if !ok {
		p.Error = wrongCredentials // the attempt stays spent
		return s.renderLogin(c, http.StatusUnauthorized, p)
	}
	if u.Disabled() {
		// Only someone who knows the password learns the account is disabled.
		s.Throttle.Refund(username, ip)
		p.Error = "This account is disabled. Ask a site admin to enable it."
		return s.renderLogin(c, http.StatusForbidden, p)
	}
	s.Throttle.Succeed(username, ip)
	return s.completeSignIn(c, u, "password", 0, p.Next)
}

// completeSignIn is the one end of every sign-in, by password or through a
// provider (providerID, via its name): a new session, the sign-in noted
// and audited, then next or the landing page.
func (s *Server) completeSignIn(c echo.Context, u store.User, via string, providerID int64, next string) error {
	if err := s.SignIn(c, u); err != nil {
		return err
	}
	if err := s.DB.RecordSignIn(c.Request().Context(), u, via, providerID,
		store.Actor{UserID: u.ID, Label: u.Username, IP: c.RealIP()}); err != nil {
		return err
	}
	if next == "/" {
		return s.landing(c, u.ID)
	}
	return plumbing.Redirect(c, next)
}

// landing is where a sign-in with nowhere asked goes: a person in one org
// straight to its first section (Tokens, for every role), anyone else to
// the list of their orgs.
func (s *Server) landing(c echo.Context, userID int64) error {
	orgs, err := s.DB.UserOrgs(c.Request().Context(), userID)
	if err != nil {
		return err
	}
	if len(orgs) == 1 {
		if nav := plumbing.OrgNav(orgs[0].Slug, orgs[0].Role, ""); len(nav) > 0 {
			return plumbing.Redirect(c, nav[0].Href)
		}
	}
	return plumbing.Redirect(c, "/")
}

// throttledMessage says what was refused and when to try again.
func throttledMessage(what string, wait time.Duration, now time.Time) string {
	at := now.Add(wait).UTC().Format("15:04:05 UTC")
	mins := int(wait.Round(time.Minute) / time.Minute)
	if mins < 1 {
		return fmt.Sprintf("%s Try again in %d seconds (at %s).", what, int(wait.Seconds()+0.5), at)
	}
	return fmt.Sprintf("%s Try again in %d minute(s) (at %s).", what, mins, at)
}

// safeNext keeps a post-sign-in redirect on this site: a local path only.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" || u.Path == "/login" {
		return "/"
	}
	return next
}

func (s *Server) logoutForm(c echo.Context) error {
	return s.Render(c, http.StatusOK, views.LogoutPage(views.LogoutProps{Shell: s.BaseShell(c, "Sign out")}))
}

func (s *Server) logout(c echo.Context) error {
	if err := s.SignOut(c); err != nil {
		return err
	}
	if err := s.Flash(c, "info", "You are signed out."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/login")
}
