package ui

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// SetupGate holds the first-run code. It is printed on the console at start
// and is good for one successful setup.
type SetupGate struct {
	mu   sync.Mutex
	code string
}

func (g *SetupGate) Open() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.code = plumbing.RandomString(20)
	return nil
}

func (g *SetupGate) Current() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.code
}

// check reports whether code is the open setup code, in constant time.
func (g *SetupGate) check(code string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.code != "" && subtle.ConstantTimeCompare([]byte(code), []byte(g.code)) == 1
}

// close ends the setup for good.
func (g *SetupGate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.code = ""
}

// setupForm is the first-run form, refused without the console's code.
func (s *Server) setupForm(c echo.Context) error {
	if err := s.checkSetupCode(c, c.QueryParam("code")); err != nil {
		return err
	}
	return s.renderSetup(c, http.StatusOK, views.SetupProps{Code: c.QueryParam("code")})
}

func (s *Server) checkSetupCode(c echo.Context, code string) error {
	if s.Setup.Current() == "" {
		return &fault.Error{Code: fault.NotFound, Title: "Already set up", Message: "Tokenward is already set up. Sign in instead."}
	}
	if !s.Setup.check(strings.TrimSpace(code)) {
		return &fault.Error{Code: fault.Forbidden, Title: "Setup code needed",
			Message: "Open the setup link printed on the server's console when it started; it carries a one-time code."}
	}
	return nil
}

func (s *Server) renderSetup(c echo.Context, status int, p views.SetupProps) error {
	p.Shell = s.BaseShell(c, "Set up Tokenward")
	return s.Render(c, status, views.SetupPage(p))
}

// setupSubmit creates the first site admin and org, closes the setup and
// signs the new admin in.
func (s *Server) setupSubmit(c echo.Context) error {
	code := c.FormValue("code")
	if err := s.checkSetupCode(c, code); err != nil {
		return err
	}
	p := views.SetupProps{
		Code:        code,
		Username:    auth.NormalizeUsername(c.FormValue("username")),
		Email:       strings.TrimSpace(c.FormValue("email")),
		DisplayName: strings.TrimSpace(c.FormValue("display_name")),
		OrgName:     strings.TrimSpace(c.FormValue("org_name")),
		OrgSlug:     strings.ToLower(strings.TrimSpace(c.FormValue("org_slug"))),
	}
	password := c.FormValue("password")
	p.Errors = collectErrors(map[string]string{
		"username":     auth.ValidateUsername(p.Username),
		"email":        auth.ValidateEmail(p.Email),
		"display_name": auth.ValidateDisplayName(p.DisplayName),
		"password":     auth.ValidatePassword(password),
		"org_name":     auth.ValidateOrgName(p.OrgName),
		"org_slug":     auth.ValidateSlug(p.OrgSlug),
	})
	if p.Errors.Any() {
		return s.renderSetup(c, http.StatusUnprocessableEntity, keepValid(p))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, o, err := s.DB.SetupFirstAdmin(c.Request().Context(),
		store.NewUser{Username: p.Username, Email: p.Email, DisplayName: p.DisplayName, PasswordHash: hash},
		store.NewOrg{Slug: p.OrgSlug, Name: p.OrgName}, c.RealIP())
	if err != nil {
		return err
	}
	s.Setup.close()
	s.Log.Info("first-run setup completed", "username", u.Username, "org", o.Slug)
	if err := s.SignIn(c, u); err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Welcome to Tokenward. Add the people who will manage tokens with you."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/orgs/"+o.Slug+"/settings/members")
}

// collectErrors keeps the non-empty messages.
func collectErrors(msgs map[string]string) views.FieldErrors {
	out := views.FieldErrors{}
	for field, msg := range msgs {
		if msg != "" {
			out[field] = msg
		}
	}
	return out
}

// keepValid blanks the values that failed validation for not being text at
// all (non-UTF-8), so the form never echoes bytes the browser cannot show.
func keepValid(p views.SetupProps) views.SetupProps {
	for _, f := range []*string{&p.Username, &p.Email, &p.DisplayName, &p.OrgName, &p.OrgSlug} {
		*f = plumbing.PlainText(*f)
	}
	return p
}
