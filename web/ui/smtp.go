package ui

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/engine"
	"tokenward/web/plumbing"
)

// Lengths the SMTP form accepts.
const (
	maxSMTPHost     = 253 // the longest DNS name
	maxSMTPUsername = 256
	maxSMTPPassword = 1024
)

// hostnamePattern is a DNS name: labels of letters, digits and hyphens.
var hostnamePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

// smtpForm is the SMTP settings form as posted.
type smtpForm struct {
	Host, Port, Security, Username, Password, From string
}

func parseSMTPForm(c echo.Context) smtpForm {
	return smtpForm{Host: plumbing.FormText(c, "host"), Port: plumbing.FormText(c, "port"), Security: plumbing.FormText(c, "security"),
		Username: plumbing.FormText(c, "username"), Password: c.FormValue("password"), From: plumbing.FormText(c, "from")}
}

// Validate checks the form and returns the settings it describes (without
// the password), or a message per bad field.
func (f smtpForm) Validate() (store.SMTPSettings, views.FieldErrors) {
	set := store.SMTPSettings{Host: strings.TrimSuffix(f.Host, "."), Security: f.Security, Username: f.Username, From: f.From}
	msgs := map[string]string{"host": validateSMTPHost(f.Host), "from": auth.ValidateEmail(f.From)}
	port, err := strconv.Atoi(f.Port)
	if err != nil || port < 1 || port > 65535 {
		msgs["port"] = "Enter a port number from 1 to 65535, such as 587."
	}
	set.Port = port
	switch f.Security {
	case store.SMTPStartTLS, store.SMTPTLS, store.SMTPNone:
	default:
		msgs["security"] = "Choose STARTTLS, TLS or None."
	}
	switch {
	case !utf8.ValidString(f.Username) || strings.IndexFunc(f.Username, unicode.IsControl) >= 0:
		msgs["username"] = "The username must be plain text on one line."
	case strings.ContainsAny(f.Username, "<>\"'` "):
		msgs["username"] = "The username cannot contain spaces, quotes or angle brackets."
	case utf8.RuneCountInString(f.Username) > maxSMTPUsername:
		msgs["username"] = fmt.Sprintf("Use at most %d characters.", maxSMTPUsername)
	}
	switch {
	case !utf8.ValidString(f.Password) || strings.IndexFunc(f.Password, unicode.IsControl) >= 0:
		msgs["password"] = "The password must be plain text on one line."
	case len(f.Password) > maxSMTPPassword:
		msgs["password"] = fmt.Sprintf("Use at most %d characters.", maxSMTPPassword)
	case f.Password != "" && f.Username == "":
		msgs["password"] = "Enter the username that goes with this password, or leave both empty."
	}
	return set, collectErrors(msgs)
}

func validateSMTPHost(h string) string {
	switch {
	case h == "":
		return "Enter the mail server's host name, such as smtp.example.com."
	case len(h) > maxSMTPHost:
		return fmt.Sprintf("Use at most %d characters.", maxSMTPHost)
	case net.ParseIP(strings.Trim(h, "[]")) != nil:
		return ""
	case !hostnamePattern.MatchString(h):
		return "Enter a host name such as smtp.example.com, or an IP address: letters, digits, dots and hyphens only."
	}
	return ""
}

// view is the form to show again, its values kept where they are text.
// The password is never sent back.
func (f smtpForm) view(errs views.FieldErrors) views.SMTPForm {
	return views.SMTPForm{Host: plumbing.PlainText(f.Host), Port: plumbing.PlainText(f.Port), Security: plumbing.PlainText(f.Security),
		Username: plumbing.PlainText(f.Username), From: plumbing.PlainText(f.From), Errors: errs}
}

func smtpFormOf(set store.SMTPSettings) views.SMTPForm {
	if !set.Configured() {
		return views.SMTPForm{Port: "587", Security: store.SMTPStartTLS}
	}
	return views.SMTPForm{Host: set.Host, Port: strconv.Itoa(set.Port), Security: set.Security, Username: set.Username, From: set.From}
}

// smtpPage is GET /admin/smtp.
func (s *Server) smtpPage(c echo.Context) error {
	set, err := s.DB.SMTPSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderSMTP(c, http.StatusOK, smtpFormOf(set), set)
}

func (s *Server) renderSMTP(c echo.Context, status int, form views.SMTPForm, set store.SMTPSettings) error {
	shell, err := s.PageShell(c, "Email (SMTP)", "")
	if err != nil {
		return err
	}
	return s.Render(c, status, views.SMTPPage(views.SMTPProps{Shell: shell, Form: form, Configured: set.Configured(),
		HasPassword: len(set.PasswordSealed) > 0, TestTo: plumbing.State(c).User.Email}))
}

// saveSMTP is POST /admin/smtp. An empty password keeps the saved one.
func (s *Server) saveSMTP(c echo.Context) error {
	ctx := c.Request().Context()
	f := parseSMTPForm(c)
	set, errs := f.Validate()
	saved, err := s.DB.SMTPSettings(ctx)
	if err != nil {
		return err
	}
	if errs.Any() {
		return s.renderSMTP(c, http.StatusUnprocessableEntity, f.view(errs), saved)
	}
	keep := f.Password == ""
	if !keep {
		set.PasswordSealed = s.Mail.Sealer.Seal(engine.SMTPPasswordAAD, f.Password)
	}
	if err := s.DB.SaveSMTPSettings(ctx, set, keep, s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Saved the mail settings. Send a test email to check them."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/smtp")
}

// testSMTP is POST /admin/smtp/test: a test email to the signed-in admin,
// sent at once with the saved settings, and what came of it.
func (s *Server) testSMTP(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*engine.SMTPTimeout)
	defer cancel()
	set, err := s.DB.SMTPSettings(ctx)
	if err != nil {
		return err
	}
	to := plumbing.State(c).User.Email
	kind, msg := "success", "Sent a test email to "+to+". If it does not arrive, check the spam folder and the mail server's log."
	switch {
	case !set.Configured():
		kind, msg = "error", "Save the mail settings first, then send a test email."
	case to == "":
		kind, msg = "error", "Your account has no email address to send the test to."
	default:
		if fail := s.Mail.SendTest(ctx, set, to); fail != "" {
			kind, msg = "error", "The test email was not sent. "+fail
			s.Log.Warn("SMTP test email failed", "host", set.Host, "port", set.Port, "reason", fail)
		}
	}
	if err := s.Flash(c, kind, msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/smtp")
}

// removeSMTP is POST /admin/smtp/remove: no more email.
func (s *Server) removeSMTP(c echo.Context) error {
	if err := s.DB.RemoveSMTPSettings(c.Request().Context(), s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Removed the mail settings. Notifications now show in the app only."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/admin/smtp")
}
