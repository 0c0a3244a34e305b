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
	return s.Render(c, status, views.LoginPage(p))
}

func (s *Server) login(c echo.Context) error {
	p := views.LoginProps{Next: safeNext(c.FormValue("next"))}
	u, refused, err := s.signInWithPassword(c, c.FormValue("username"), c.FormValue("password"))
	if err != nil {
		return err
	}
	if refused != nil {
		p.Username, p.Error, p.Errors = refused.Username, refused.Error, refused.Errors
		return s.renderLogin(c, refused.Status, p)
	}
	if p.Next == "/" {
		return s.landing(c, u.ID)
	}
	return plumbing.Redirect(c, p.Next)
}

// loginRefusal is a sign-in turned down: the status, the username to keep
// in the form, and the messages (above the form, and per field).
type loginRefusal struct {
	Status   int
	Username string
	Error    string
	Errors   views.FieldErrors
}

// signInWithPassword is the one password sign-in, for the sign-in page and
// the invitation page alike: the fields checked, the attempt throttled
// before the password is, the same answer for an unknown user and a wrong
// password, a disabled account refused; then a fresh session (a new id, so
// nothing from before carries over) and the audit event.
func (s *Server) signInWithPassword(c echo.Context, rawUsername, password string) (store.User, *loginRefusal, error) {
	username := auth.NormalizeUsername(rawUsername)
	r := &loginRefusal{Status: http.StatusUnprocessableEntity, Username: username, Errors: views.FieldErrors{}}
	if username == "" {
		r.Errors["username"] = "Enter your username."
	} else if len(username) > auth.MaxUsername {
		r.Errors["username"] = fmt.Sprintf("Usernames have at most %d characters.", auth.MaxUsername)
		r.Username = ""
	} else if plumbing.HasControl(username) {
		r.Errors["username"] = "Usernames have no control characters such as tabs or line breaks: type it again."
		r.Username = ""
	}
	if password == "" {
		r.Errors["password"] = "Enter your password."
	} else if plumbing.HasControl(password) {
		r.Errors["password"] = "Passwords have no control characters such as tabs or line breaks: type it again."
	}
	if r.Errors.Any() {
		return store.User{}, r, nil
	}
	ip := c.RealIP()
	wait, err := s.Throttle.Take(username, ip)
	if err != nil {
		return store.User{}, nil, err
	}
	if wait > 0 {
		r.Status, r.Error = http.StatusTooManyRequests, throttledMessage("Too many failed sign-in attempts.", wait, s.Now())
		plumbing.SetRetryAfter(c, wait)
		return store.User{}, r, nil
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
		return store.User{}, nil, err
	}
	if !ok {
		r.Status, r.Error = http.StatusUnauthorized, wrongCredentials // the attempt stays spent
		return store.User{}, r, nil
	}
	if u.Disabled() {
		// Only someone who knows the password learns the account is disabled.
		s.Throttle.Refund(username, ip)
		r.Status, r.Error = http.StatusForbidden, "This account is disabled. Ask a site admin to enable it."
		return store.User{}, r, nil
	}
	s.Throttle.Succeed(username, ip)
	if err := s.SignIn(c, u); err != nil {
		return store.User{}, nil, err
	}
	return u, nil, s.DB.RecordEvent(c.Request().Context(), store.Actor{UserID: u.ID, Label: u.Username, IP: ip},
		store.Event{Action: "user.signed_in", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username})
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
