package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"tokenward/store"
)

func (a *app) smtpSettings(t *testing.T) store.SMTPSettings {
	t.Helper()
	s, err := a.db.SMTPSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSettingsBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	good := url.Values{"host": {"smtp.example.com"}, "port": {"587"}, "security": {"starttls"},
		"username": {"tokenward"}, "password": {"pa55-word-never-shown"}, "from": {"tokenward@example.com"}}
	cases := []struct {
		name, field, value, message string
	}{
		{"port zero", "port", "0", "Enter a port number from 1 to 65535"},
		{"port too high", "port", "70000", "Enter a port number from 1 to 65535"},
		{"port not a number", "port", "abc", "Enter a port number from 1 to 65535"},
		{"no host", "host", "", "Enter the mail server&#39;s host name"},
		{"HTML host", "host", "<script>alert(1)</script>", "Enter a host name such as smtp.example.com"},
		{"overlong host", "host", strings.Repeat("a", 254), "Use at most 253 characters."},
		{"bad from", "from", "not an address", "Enter an address such as ana@example.com."},
		{"HTML from", "from", "<b>x</b>@example.com", "Enter an address such as ana@example.com."},
		{"unknown security", "security", "ssl3", "Choose STARTTLS, TLS or None."},
		{"HTML username", "username", "<img src=x>", "The username cannot contain"},
		{"overlong username", "username", strings.Repeat("u", 257), "Use at most 256 characters."},
		{"overlong password", "password", strings.Repeat("p", 1025), "Use at most 1024 characters."},
		{"password on two lines", "password", "one\ntwo", "The password must be plain text on one line."},
		{"password without username", "username", "", "Enter the username that goes with this password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ada.get("/admin/smtp")
			form := url.Values{}
			for k, v := range good {
				form[k] = v
			}
			form.Set(tc.field, tc.value)
			r := ada.post("/admin/smtp", form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			r.contains(t, tc.message)
			r.lacks(t, "pa55-word-never-shown", "<script>alert", "<img src=x>", "<b>x</b>")
			if a.smtpSettings(t).Configured() {
				t.Error("settings were saved")
			}
		})
	}
}

func TestSMTPSettingsSaveKeepsPasswordHidden(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	const password = "pa55-word-never-shown"
	ada.get("/admin/smtp")
	r := ada.post("/admin/smtp", url.Values{"host": {"smtp.example.com"}, "port": {"465"}, "security": {"tls"},
		"username": {"tokenward"}, "password": {password}, "from": {"tokenward@example.com"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", r.status, r.body)
	}
	saved := a.smtpSettings(t)
	if saved.Host != "smtp.example.com" || saved.Port != 465 || saved.Security != "tls" || len(saved.PasswordSealed) == 0 {
		t.Fatalf("saved %+v", saved)
	}
	if bytes.Contains(saved.PasswordSealed, []byte(password)) {
		t.Error("the password is stored in plain text")
	}
	page := ada.get("/admin/smtp")
	page.contains(t, "Saved the mail settings", `value="smtp.example.com"`, "A password is saved. Leave this empty to keep it")
	page.lacks(t, password)

	t.Run("an empty password keeps it", func(t *testing.T) {
		ada.post("/admin/smtp", url.Values{"host": {"mail.example.com"}, "port": {"587"}, "security": {"starttls"},
			"username": {"tokenward"}, "password": {""}, "from": {"tokenward@example.com"}})
		got := a.smtpSettings(t)
		if got.Host != "mail.example.com" || !bytes.Equal(got.PasswordSealed, saved.PasswordSealed) {
			t.Errorf("after saving without a password: %+v", got)
		}
	})
	t.Run("the database never holds it in plain text", func(t *testing.T) {
		for _, f := range []string{a.db.Path(), a.db.Path() + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(password)) {
				t.Errorf("%s holds the password", f)
			}
		}
	})
	t.Run("remove", func(t *testing.T) {
		ada.get("/admin/smtp")
		if r := ada.post("/admin/smtp/remove", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("remove: status %d", r.status)
		}
		if a.smtpSettings(t).Configured() {
			t.Error("still configured")
		}
	})
}

func TestSMTPSettingsOnlySiteAdmins(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	for _, who := range []string{"max", "audra"} {
		c := a.signIn(who)
		if r := c.get("/admin/smtp"); r.status != http.StatusNotFound {
			t.Errorf("%s: GET status %d, want 404", who, r.status)
		}
		c.get("/")
		if r := c.post("/admin/smtp", url.Values{"host": {"evil.example.com"}, "port": {"25"}, "security": {"none"},
			"from": {"x@example.com"}}); r.status != http.StatusNotFound {
			t.Errorf("%s: POST status %d, want 404", who, r.status)
		}
	}
	anon := a.client()
	if r := anon.get("/admin/smtp"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("anonymous: status %d to %q", r.status, r.header.Get("Location"))
	}
	if a.smtpSettings(t).Configured() {
		t.Error("settings were saved")
	}
	// The site admin finds the page from /admin.
	a.signIn("ada").get("/admin").contains(t, `href="/admin/smtp"`)
}

func TestSMTPTestEmail(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	testEmail := func() response {
		t.Helper()
		ada.get("/admin/smtp")
		if r := ada.post("/admin/smtp/test", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("test email: status %d", r.status)
		}
		return ada.get("/admin/smtp")
	}

	t.Run("nothing saved", func(t *testing.T) {
		testEmail().contains(t, "flash-error", "Save the mail settings first")
	})
	sink, _ := startSMTP(t, "none")
	saveSMTP(t, ada, sink, "none", nil)
	t.Run("delivered", func(t *testing.T) {
		page := testEmail()
		page.contains(t, "flash-success", "Sent a test email to ada@example.com")
		got := sink.messages()
		if len(got) != 1 || strings.Join(got[0].to, ",") != "ada@example.com" {
			t.Fatalf("delivered %+v", got)
		}
		p := parseMail(t, got[0].data)
		if p.header.Get("Subject") != "Tokenward: test email" || !strings.Contains(p.text, "test email from Tokenward") || !strings.Contains(p.html, "test email") {
			t.Errorf("test email %q\n%s\n%s", p.header.Get("Subject"), p.text, p.html)
		}
	})
	t.Run("refused", func(t *testing.T) {
		sink.setRefuse(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"})
		defer sink.setRefuse(nil)
		page := testEmail()
		page.contains(t, "flash-error", "The test email was not sent.", "refused the test email", "550", "mailbox unavailable")
	})
	t.Run("unreachable", func(t *testing.T) {
		ada.get("/admin/smtp")
		ada.post("/admin/smtp", url.Values{"host": {"127.0.0.1"}, "port": {"1"}, "security": {"none"}, "from": {"tokenward@example.com"}})
		page := testEmail()
		page.contains(t, "flash-error", "Could not connect to the mail server at 127.0.0.1:1", "Check the host and the port.")
	})
	t.Run("TLS against a plain server", func(t *testing.T) {
		ada.get("/admin/smtp")
		ada.post("/admin/smtp", url.Values{"host": {sink.host}, "port": {itoa(int64(sink.port))}, "security": {"starttls"}, "from": {"tokenward@example.com"}})
		page := testEmail()
		page.contains(t, "flash-error", "does not offer STARTTLS. Choose TLS")
	})
	t.Run("TLS handshake with a plain server", func(t *testing.T) {
		ada.get("/admin/smtp")
		ada.post("/admin/smtp", url.Values{"host": {sink.host}, "port": {itoa(int64(sink.port))}, "security": {"tls"}, "from": {"tokenward@example.com"}})
		page := testEmail()
		page.contains(t, "flash-error", "The TLS connection to 127.0.0.1:", "Check the security setting")
	})
}
