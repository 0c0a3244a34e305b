package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tokenward/store"
	"tokenward/web/internal/testop"
)

// TestInvitationThroughProvider: an invitee opens the invitation link,
// chooses "Sign in with <provider>" and, after the provider, is a member
// with the invited role, with the identity linked: whatever the provider's
// domains say (the invitation decides), and without joining being allowed.
func TestInvitationThroughProvider(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	form := providerForm(op, "Okta")
	form.Del("join")
	p := addProvider(t, a, form)
	ctx := context.Background()
	admin := a.signIn("ada")

	t.Run("a new person joins with the invited role and the identity linked", func(t *testing.T) {
		_, link := inviteInForm(t, admin, "eve@elsewhere.net", "auditor")
		if link == "" {
			t.Fatal("no invitation link shown")
		}
		c := a.client()
		c.get(a.pathOf(t, link)).contains(t, "Sign in with Okta")
		back := opSignIn(t, startAt(t, c, c.get(a.pathOf(t, link)+"/with/"+itoa(p.ID))), "eve")
		r := c.get(back)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/orgs/acme/") {
			t.Fatalf("status %d, Location %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
		}
		u, err := a.db.IdentityUser(ctx, p.ID, opEve.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := a.db.Membership(ctx, a.org.ID, u.ID); err != nil || m.Role != "auditor" {
			t.Errorf("membership %+v %v, want auditor", m, err)
		}
		if u.Email != "eve@elsewhere.net" || u.PasswordHash != "" {
			t.Errorf("account %+v", u)
		}
		if r := c.get(a.pathOf(t, link)); r.status != http.StatusGone {
			t.Errorf("the used link: status %d, want 410", r.status)
		}
	})
	t.Run("a linked account accepts as itself", func(t *testing.T) {
		globex := a.signIn("gus")
		_, link := inviteInGlobex(t, globex, "alice-invite@example.org", "member")
		// Eve's identity is linked to eve's account now: she joins globex too.
		c := a.client()
		back := opSignIn(t, startAt(t, c, c.get(a.pathOf(t, link)+"/with/"+itoa(p.ID))), "eve")
		r := c.get(back)
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d\n%.2000s", r.status, r.body)
		}
		u, _ := a.db.IdentityUser(ctx, p.ID, opEve.ID)
		orgs, err := a.db.UserOrgs(ctx, u.ID)
		if err != nil || len(orgs) != 2 {
			t.Errorf("eve's orgs %+v %v, want acme and globex", orgs, err)
		}
	})
	t.Run("an address that has an account is not joined by a new one", func(t *testing.T) {
		_, link := inviteInForm(t, admin, "someone@example.net", "member")
		if _, err := a.db.CreateUser(ctx, store.NewUser{Username: "someone", Email: "someone@example.net", PasswordHash: "x"}, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		before := userCount(t, a)
		c := a.client()
		back := opSignIn(t, startAt(t, c, c.get(a.pathOf(t, link)+"/with/"+itoa(p.ID))), "bob")
		r := c.get(back)
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("status %d, want a refusal", r.status)
		}
		if userCount(t, a) != before {
			t.Error("an account was made")
		}
	})
}

// inviteInGlobex invites email to globex as gus, its admin.
func inviteInGlobex(t *testing.T, c *client, email, role string) (response, string) {
	t.Helper()
	c.get("/orgs/globex/settings/members")
	r := c.post("/orgs/globex/settings/members/invitations", url.Values{"invite_email": {email}, "invite_role": {role}})
	m := inviteLinkPattern.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no link: status %d", r.status)
	}
	return r, m[1]
}

// TestInvitationProviderBrowserJourney: in Chromium, an invited person
// opens the link, signs in at the OP and lands in acme with the invited role.
func TestInvitationProviderBrowserJourney(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a, op := idpApp(t)
		addProvider(t, a, providerForm(op, "Okta"))
		_, link := inviteInForm(t, a.signIn("ada"), "eve@elsewhere.net", "auditor")
		if status := visit(t, ctx, link); status != http.StatusOK {
			t.Fatalf("open the link: status %d", status)
		}
		if status := submit(t, ctx, testid("sign-in-with-Okta")); status != http.StatusOK {
			t.Fatalf("to the OP: status %d", status)
		}
		run(t, ctx, fill("#username", opEve.Username), fill("#password", testop.Password))
		if status := submit(t, ctx, `button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("back from the OP: status %d", status)
		}
		waitURL(t, ctx, "/orgs/acme/settings/")
		wantFlash(t, ctx, "success", "Welcome to Acme: you joined as auditor.")
		visit(t, ctx, a.ts.URL+"/")
		if row := textOf(t, ctx, testid("org-acme")); !strings.Contains(row, "Auditor") {
			t.Errorf("the org row reads %q, want the role Auditor", row)
		}
	})
}
