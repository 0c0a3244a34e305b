package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"tokenward/auth"
)

var emailedLink = regexp.MustCompile(`http://[^\s"<>]+/invite/[A-Za-z0-9_-]{43}`)

func TestInvitationEmail(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	sink, _ := startSMTP(t, "none")
	ada := a.signIn("ada")
	saveSMTP(t, ada, sink, "none", nil)
	ada.get("/orgs/acme/settings/members")
	r := ada.post("/orgs/acme/settings/members/invitations", url.Values{"invite_email": {"ana@example.com"}, "invite_role": {"auditor"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: status %d\n%.2000s", r.status, r.body)
	}
	page := ada.get(r.header.Get("Location"))
	page.contains(t, "Invited ana@example.com as auditor: the email is sent, and its link works for 7 days.")
	page.lacks(t, `data-testid="invite-link"`)

	got := sink.messages()
	if len(got) != 1 || strings.Join(got[0].to, ",") != "ana@example.com" || got[0].from != "tokenward@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	p := parseMail(t, got[0].data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if subject != "Tokenward: Ada invited you to join Acme" {
		t.Errorf("subject %q", subject)
	}
	link := emailedLink.FindString(p.text)
	if link == "" || !strings.HasPrefix(link, a.ts.URL+"/invite/") {
		t.Fatalf("no link in the text part:\n%s", p.text)
	}
	inv := a.invitations(t)[0]
	expires := inv.ExpiresAt.UTC().Format("Mon 2 Jan 2006 15:04 UTC")
	for part, body := range map[string]string{"text": p.text, "html": p.html} {
		for _, want := range []string{"Ada invited you to join the organization", "Acme", "Auditor", "ana@example.com", "until " + expires} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", part, want, body)
			}
		}
	}
	if !strings.Contains(p.html, `href="`+link+`"`) {
		t.Errorf("the HTML part does not link to the invitation:\n%s", p.html)
	}
	code := strings.TrimPrefix(link, a.ts.URL+"/invite/")
	if h := auth.HashInviteCode(code); h != mustInvitationHash(t, a, inv.ID) {
		t.Error("the emailed link is not the invitation's")
	}
	for _, f := range []string{a.db.Path(), a.db.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(code)) {
			t.Errorf("%s holds the link's code", f)
		}
	}
	if r := a.client().get(a.pathOf(t, link)); r.status != http.StatusOK {
		t.Errorf("the emailed link: status %d", r.status)
	}

	t.Run("resend emails a new link", func(t *testing.T) {
		ada.get("/orgs/acme/settings/members")
		r := ada.post(itoaPath("/orgs/acme/settings/members/invitations/", inv.ID, "/resend"), url.Values{})
		if r.status != http.StatusSeeOther {
			t.Fatalf("resend: status %d", r.status)
		}
		ada.get(r.header.Get("Location")).contains(t, "Invited again ana@example.com as auditor: the email is sent")
		msgs := sink.messages()
		if len(msgs) != 2 {
			t.Fatalf("%d messages delivered, want 2", len(msgs))
		}
		newLink := emailedLink.FindString(parseMail(t, msgs[1].data).text)
		if newLink == "" || newLink == link {
			t.Fatalf("the resent link %q (old %q)", newLink, link)
		}
		if r := a.client().get(a.pathOf(t, link)); r.status != http.StatusNotFound {
			t.Errorf("the first link after a resend: status %d", r.status)
		}
		link = newLink
	})
	t.Run("the acceptance is in the app, not emailed", func(t *testing.T) {
		c := a.client()
		c.get(a.pathOf(t, link))
		if r := c.post(a.pathOf(t, link)+"/join", url.Values{"new_username": {"ana"}, "new_password": {testPassword}}); r.status != http.StatusSeeOther {
			t.Fatalf("join: status %d", r.status)
		}
		if n, err := a.srv.RunMailPass(context.Background()); err != nil || n != 0 {
			t.Errorf("mail pass: sent %d, %v", n, err)
		}
		if n := len(sink.messages()); n != 2 {
			t.Errorf("%d messages delivered, want still 2", n)
		}
		ada.get("/notifications").contains(t, "ana accepted your invitation")
	})
	t.Run("a refused email shows the link", func(t *testing.T) {
		sink.setRefuse(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"})
		defer sink.setRefuse(nil)
		r, shown := inviteInForm(t, ada, "bo@example.com", "member")
		if r.status != http.StatusOK || shown == "" {
			t.Fatalf("status %d, link %q", r.status, shown)
		}
		r.contains(t, "The invitation email to bo@example.com was not sent.", "refused the invitation email", "550")
	})
	t.Run("the API says it was emailed", func(t *testing.T) {
		secret := a.adminToken(t, "members:write").Secret
		res := a.call(t, http.MethodPost, "/api/v1/invitations", secret, "application/json", `{"email":"cy@example.com","role":"member"}`)
		if res.status != http.StatusCreated || res.json["emailed"] != true || !strings.HasPrefix(fmt.Sprint(res.json["url"]), a.ts.URL+"/invite/") {
			t.Errorf("answer %d %s", res.status, res.body)
		}
		if n := len(sink.messages()); n != 3 {
			t.Errorf("%d messages delivered, want 3", n)
		}
	})
}

// mustInvitationHash reads an invitation's stored link hash.
func mustInvitationHash(t *testing.T, a *app, id int64) string {
	t.Helper()
	reader, _ := a.db.Pools()
	var h string
	if err := reader.QueryRow(`SELECT link_hash FROM invitations WHERE id = ?`, id).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}
