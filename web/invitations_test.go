package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
)

var inviteLinkPattern = regexp.MustCompile(`data-testid="invite-link">([^<]+)<`)

// inviteInForm invites email with role through the members page as c and
// returns the answer and the link it shows (no SMTP set up).
func inviteInForm(t *testing.T, c *client, email, role string) (response, string) {
	t.Helper()
	c.get("/orgs/acme/settings/members")
	r := c.post("/orgs/acme/settings/members/invitations", url.Values{"invite_email": {email}, "invite_role": {role}})
	m := inviteLinkPattern.FindStringSubmatch(r.body)
	if m == nil {
		return r, ""
	}
	return r, html.UnescapeString(m[1])
}

// pathOf is a link's path on the test server.
func (a *app) pathOf(t *testing.T, link string) string {
	t.Helper()
	p, ok := strings.CutPrefix(link, a.ts.URL)
	if !ok {
		t.Fatalf("link %q is not on %s", link, a.ts.URL)
	}
	return p
}

func (a *app) invitations(t *testing.T) []store.Invitation {
	t.Helper()
	list, err := a.db.Invitations(context.Background(), a.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestInvitationWithoutSMTPShowsTheLink(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	r, link := inviteInForm(t, ada, "ana@example.com", "auditor")
	if r.status != http.StatusOK || link == "" {
		t.Fatalf("invite: status %d, link %q\n%.2000s", r.status, link, r.body)
	}
	r.contains(t, "No mail server is set up", "Pass this link on to ana@example.com", `data-testid="invitation-ana@example.com"`)
	path := a.pathOf(t, link)
	code := strings.TrimPrefix(path, "/invite/")
	if list := a.invitations(t); len(list) != 1 || list[0].Email != "ana@example.com" || list[0].Role != "auditor" {
		t.Fatalf("invitations %+v", list)
	}

	t.Run("the page shows org, role and who invited", func(t *testing.T) {
		page := a.client().get(path)
		if page.status != http.StatusOK {
			t.Fatalf("status %d", page.status)
		}
		page.contains(t, "Join Acme", "<strong>Ada</strong> invited <strong>ana@example.com</strong>", "Auditor", "invite-join", "invite-sign-in")
	})
	t.Run("a new account joins with the invited role", func(t *testing.T) {
		ana := a.client()
		ana.get(path)
		before := ana.csrf
		r := ana.post(path+"/join", url.Values{"new_username": {"ana"}, "display_name": {"Ana"}, "new_password": {testPassword}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/orgs/acme/") {
			t.Fatalf("join: status %d to %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
		}
		home := ana.get(r.header.Get("Location"))
		home.contains(t, "Welcome to Acme: you joined as auditor.")
		if ana.csrf == before {
			t.Error("joining kept the session's CSRF token: the session was not started afresh")
		}
		u, err := a.db.UserByUsername(context.Background(), "ana")
		if err != nil || u.Email != "ana@example.com" {
			t.Fatalf("account %+v %v", u, err)
		}
		if m, err := a.db.Membership(context.Background(), a.org.ID, u.ID); err != nil || m.Role != "auditor" {
			t.Errorf("membership %+v %v", m, err)
		}
	})
	t.Run("the link works once", func(t *testing.T) {
		again := a.client().get(path)
		if again.status != http.StatusGone {
			t.Errorf("status %d, want 410", again.status)
		}
		again.contains(t, "This invitation to Acme was already used.")
		again.lacks(t, "invite-join", "invite-sign-in", "invite-accept")
		c := a.client()
		c.get("/login") // the closed link's page has no form, so no CSRF token
		if r := c.post(path+"/join", url.Values{"new_username": {"ana2"}, "new_password": {testPassword}}); r.status != http.StatusGone {
			t.Errorf("second join: status %d, want 410", r.status)
		}
		if _, err := a.db.UserByUsername(context.Background(), "ana2"); !store.IsNotFound(err) {
			t.Errorf("a used link made an account: %v", err)
		}
	})
	t.Run("the inviter is notified, every step audited, the code never logged", func(t *testing.T) {
		ada.get("/notifications").contains(t, "ana accepted your invitation of ana@example.com and joined Acme as an auditor.")
		events := ada.get("/orgs/acme/settings/audit/events")
		events.contains(t, "invitation.created", "invitation.accepted", "member.added")
		if strings.Contains(a.log.String(), code) {
			t.Error("the log holds the invitation code")
		}
	})
}

func TestInvitationExpiresAndResend(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a.clock.Set(start)
	ada := a.signIn("ada")
	_, link := inviteInForm(t, ada, "bo@example.com", "member")
	path := a.pathOf(t, link)

	a.clock.Set(start.Add(auth.InvitationTTL - time.Second))
	if r := a.client().get(path); r.status != http.StatusOK {
		t.Fatalf("a second before the expiry: status %d", r.status)
	}
	a.clock.Set(start.Add(auth.InvitationTTL))
	r := a.client().get(path)
	if r.status != http.StatusGone {
		t.Fatalf("at the expiry: status %d, want 410", r.status)
	}
	r.contains(t, "This invitation to Acme expired on 2026-12-08 09:00 UTC. Ask Ada to send you a new one.")
	r.lacks(t, "invite-join", "invite-sign-in")
	c := a.client()
	c.get("/login") // the closed link's page has no form, so no CSRF token
	if r := c.post(path+"/join", url.Values{"new_username": {"bo"}, "new_password": {testPassword}}); r.status != http.StatusGone {
		t.Errorf("join after the expiry: status %d", r.status)
	}
	if _, err := a.db.UserByUsername(context.Background(), "bo"); !store.IsNotFound(err) {
		t.Errorf("an expired link made an account: %v", err)
	}
	ada = a.signIn("ada") // a week later: the session ended
	members := ada.get("/orgs/acme/settings/members")
	members.contains(t, `data-testid="invitation-bo@example.com"`, "Expired")

	inv := a.invitations(t)[0]
	resent := ada.post(itoaPath("/orgs/acme/settings/members/invitations/", inv.ID, "/resend"), url.Values{})
	m := inviteLinkPattern.FindStringSubmatch(resent.body)
	if resent.status != http.StatusOK || m == nil {
		t.Fatalf("resend: status %d\n%.2000s", resent.status, resent.body)
	}
	newPath := a.pathOf(t, html.UnescapeString(m[1]))
	if newPath == path {
		t.Fatal("the resent link is the old one")
	}
	if r := a.client().get(path); r.status != http.StatusNotFound || !strings.Contains(r.body, "replaced by a newer invitation email") {
		t.Errorf("the old link after a resend: status %d", r.status)
	}
	if r := a.client().get(newPath); r.status != http.StatusOK {
		t.Errorf("the new link: status %d", r.status)
	}
	if got := a.invitations(t)[0]; !got.ExpiresAt.Equal(start.Add(2*auth.InvitationTTL)) || got.Resent != 1 {
		t.Errorf("after the resend %+v", got)
	}
}

func itoaPath(prefix string, id int64, suffix string) string { return prefix + itoa(id) + suffix }

func TestInvitationRevoke(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	_, link := inviteInForm(t, ada, "cy@example.com", "admin")
	inv := a.invitations(t)[0]
	revoke := itoaPath("/orgs/acme/settings/members/invitations/", inv.ID, "/revoke")
	if r := ada.post(revoke, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", r.status)
	}
	page := ada.get("/orgs/acme/settings/members")
	page.contains(t, "Revoked the invitation of cy@example.com", "No invitations are waiting.")
	r := a.client().get(a.pathOf(t, link))
	if r.status != http.StatusGone {
		t.Errorf("revoked link: status %d", r.status)
	}
	r.contains(t, "This invitation to Acme was revoked.")
	r.lacks(t, "invite-join", "invite-sign-in")
	ada.get("/orgs/acme/settings/members")
	again := ada.post(revoke, url.Values{})
	if again.status != http.StatusConflict {
		t.Errorf("revoke twice: status %d, want 409", again.status)
	}
	again.contains(t, "already revoked")
	ada.get("/orgs/acme/settings/members")
	if r := ada.post(itoaPath("/orgs/acme/settings/members/invitations/", inv.ID, "/resend"), url.Values{}); r.status != http.StatusConflict {
		t.Errorf("resend a revoked one: status %d, want 409", r.status)
	}
	ada.get("/orgs/acme/settings/audit/events").contains(t, "invitation.revoked")
}

func TestInvitationForAnAddressWithAnAccount(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	hash, _ := testPasswordHash()
	if _, err := a.db.CreateUser(ctx, store.NewUser{Username: "zed", Email: "zed@example.com", PasswordHash: hash}, store.Actor{}); err != nil {
		t.Fatal(err)
	}
	ada := a.signIn("ada")
	// gus has an account (in globex), not in acme.
	r, link := inviteInForm(t, ada, "GUS@example.com", "member")
	r.contains(t, "GUS@example.com already has an account (gus): they sign in to it to accept.")
	path := a.pathOf(t, link)
	page := a.client().get(path)
	page.contains(t, "GUS@example.com already has an account: sign in to it above to accept.")
	page.lacks(t, `data-testid="invite-join"`)

	t.Run("no second account", func(t *testing.T) {
		c := a.client()
		c.get(path)
		r := c.post(path+"/join", url.Values{"new_username": {"gus2"}, "new_password": {testPassword}})
		if r.status != http.StatusConflict {
			t.Fatalf("status %d, want 409", r.status)
		}
		r.contains(t, "An account with this email address already exists. Sign in to that account to accept the invitation.")
		if _, err := a.db.UserByUsername(ctx, "gus2"); !store.IsNotFound(err) {
			t.Errorf("a second account was made: %v", err)
		}
	})
	t.Run("another account may not take it", func(t *testing.T) {
		c := a.client()
		c.get(path)
		r := c.post(path+"/sign-in", url.Values{"username": {"zed"}, "password": {testPassword}})
		if r.status != http.StatusConflict {
			t.Fatalf("status %d, want 409\n%.2000s", r.status, r.body)
		}
		r.contains(t, "This invitation is for GUS@example.com, which is the email address of another account (gus). Sign in to that account to accept it.")
		zed, _ := a.db.UserByUsername(ctx, "zed")
		if _, err := a.db.Membership(ctx, a.org.ID, zed.ID); !store.IsNotFound(err) {
			t.Errorf("zed joined: %v", err)
		}
	})
	t.Run("a wrong password is the sign-in page's answer", func(t *testing.T) {
		c := a.client()
		c.get(path)
		r := c.post(path+"/sign-in", url.Values{"username": {"gus"}, "password": {"not the password"}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", r.status)
		}
		r.contains(t, "Incorrect username or password.")
	})
	t.Run("the owner signs in and joins", func(t *testing.T) {
		c := a.client()
		c.get(path)
		before := c.csrf
		r := c.post(path+"/sign-in", url.Values{"username": {"gus"}, "password": {testPassword}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/orgs/acme/") {
			t.Fatalf("status %d to %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
		}
		c.get(r.header.Get("Location")).contains(t, "Welcome to Acme: you joined as member.")
		if c.csrf == before {
			t.Error("the session was not started afresh")
		}
		gus, _ := a.db.UserByUsername(ctx, "gus")
		if m, err := a.db.Membership(ctx, a.org.ID, gus.ID); err != nil || m.Role != "member" {
			t.Errorf("membership %+v %v", m, err)
		}
		ada.get("/orgs/acme/settings/audit/events").contains(t, "invitation.accepted")
	})
}

func TestInvitationAcceptedWhileSignedIn(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	_, link := inviteInForm(t, ada, "someone-new@example.com", "member")
	path := a.pathOf(t, link)
	// gus, signed in, takes an invitation to an address no account has.
	gus := a.signIn("gus")
	page := gus.get(path)
	page.contains(t, "Join as gus")
	r := gus.post(path+"/accept", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("accept: status %d\n%.2000s", r.status, r.body)
	}
	u, _ := a.db.UserByUsername(context.Background(), "gus")
	if m, err := a.db.Membership(context.Background(), a.org.ID, u.ID); err != nil || m.Role != "member" {
		t.Errorf("membership %+v %v", m, err)
	}
	t.Run("a member cannot take another invitation to the org", func(t *testing.T) {
		_, link := inviteInForm(t, ada, "other-new@example.com", "admin")
		p := a.pathOf(t, link)
		gus.get(p)
		r := gus.post(p+"/accept", url.Values{})
		if r.status != http.StatusConflict {
			t.Fatalf("status %d, want 409", r.status)
		}
		r.contains(t, "gus is already a member of Acme.")
		if list := a.invitations(t); len(list) != 1 || list[0].Email != "other-new@example.com" {
			t.Errorf("the refused invitation is not pending any more: %+v", list)
		}
	})
}

func TestInvitationBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	cases := []struct {
		name, email, role string
		status            int
		message           string
	}{
		{"empty address", "", "member", 422, "Enter an email address."},
		{"malformed address", "not an address", "member", 422, "Enter an address such as ana@example.com."},
		{"markup in the address", "<script>alert(1)</script>@example.com", "member", 422, "Enter an address such as ana@example.com."},
		{"a member's address", "max@example.com", "member", 409, "max@example.com is already the email address of a member of this organization (max)."},
		{"a member's address in capitals", "MAX@Example.com", "auditor", 409, "already the email address of a member"},
		{"unknown role", "new@example.com", "owner", 422, "Choose Admin, Member or Auditor."},
		{"markup in the role", "new@example.com", "<b>boss</b>", 422, "Choose Admin, Member or Auditor."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, link := inviteInForm(t, ada, tc.email, tc.role)
			if r.status != tc.status || link != "" {
				t.Fatalf("status %d (want %d), link %q", r.status, tc.status, link)
			}
			r.contains(t, html.EscapeString(tc.message))
			r.lacks(t, "<script>alert(1)", "<b>boss</b>")
			if list := a.invitations(t); len(list) != 0 {
				t.Errorf("written: %+v", list)
			}
		})
	}
	t.Run("an address already invited", func(t *testing.T) {
		inviteInForm(t, ada, "twice@example.com", "member")
		r, link := inviteInForm(t, ada, "twice@example.com", "admin")
		if r.status != http.StatusConflict || link != "" {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "twice@example.com already has a pending invitation: resend it from the list below instead.")
		if n := len(a.invitations(t)); n != 1 {
			t.Errorf("%d invitations", n)
		}
	})
	t.Run("more than 100 pending", func(t *testing.T) {
		for len(a.invitations(t)) < store.MaxPendingInvitations {
			_, hash := auth.NewInviteCode()
			if _, err := a.db.CreateInvitation(context.Background(), store.NewInvitation{OrgID: a.org.ID, Email: "p" + itoa(int64(len(a.invitations(t)))) + "@example.com",
				Role: "member", LinkHash: hash, TTL: auth.InvitationTTL}, store.Actor{Label: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := inviteInForm(t, ada, "one-more@example.com", "member")
		if r.status != http.StatusConflict {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "This organization has 100 pending invitations, the most it may have")
		if n := len(a.invitations(t)); n != store.MaxPendingInvitations {
			t.Errorf("%d invitations", n)
		}
	})
}

func TestInvitationJoinBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	_, link := inviteInForm(t, a.signIn("ada"), "dee@example.com", "member")
	path := a.pathOf(t, link)
	cases := []struct {
		name     string
		form     url.Values
		status   int
		messages []string
	}{
		{"nothing filled in", url.Values{}, 422, []string{"Enter a username.", "error-new_password"}},
		{"bad username", url.Values{"new_username": {"<b>dee</b>"}, "new_password": {testPassword}}, 422,
			[]string{"Use lowercase letters, digits, dots, dashes and underscores"}},
		{"short password", url.Values{"new_username": {"dee"}, "new_password": {"short"}}, 422, []string{"error-new_password"}},
		{"markup in the display name", url.Values{"new_username": {"dee"}, "display_name": {"<i>Dee</i>"}, "new_password": {testPassword}}, 422,
			[]string{"error-display_name"}},
		{"a taken username", url.Values{"new_username": {"max"}, "new_password": {testPassword}}, 409, []string{"error-new_username", "max"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := a.client()
			c.get(path)
			r := c.post(path+"/join", tc.form)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d\n%.2000s", r.status, tc.status, r.body)
			}
			r.contains(t, tc.messages...)
			r.lacks(t, "<b>dee</b>", "<i>Dee</i>")
			if list := a.invitations(t); len(list) != 1 || list[0].Status(a.db.Now()) != store.InvitationPending {
				t.Errorf("the invitation changed: %+v", list)
			}
			if _, err := a.db.UserByUsername(context.Background(), "dee"); !store.IsNotFound(err) {
				t.Errorf("an account was made: %v", err)
			}
		})
	}
	t.Run("unknown and malformed links", func(t *testing.T) {
		for _, p := range []string{"/invite/nope", "/invite/" + strings.Repeat("A", 43), "/invite/%3Cscript%3E"} {
			r := a.client().get(p)
			if r.status != http.StatusNotFound {
				t.Errorf("%s: status %d", p, r.status)
			}
			r.contains(t, "This invitation link is not valid.")
			r.lacks(t, "<script>", "invite-join")
		}
	})
}

func TestInvitationsOnlyForAdmins(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	for _, who := range []string{"max", "audra"} {
		c := a.signIn(who)
		c.get("/")
		if r := c.post("/orgs/acme/settings/members/invitations", url.Values{"invite_email": {"x@example.com"}, "invite_role": {"admin"}}); r.status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", who, r.status)
		}
	}
	if n := len(a.invitations(t)); n != 0 {
		t.Errorf("%d invitations written", n)
	}
}
