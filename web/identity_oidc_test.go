package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokenward/store"
)

// TestOIDCJoinByDomain: a person with a verified email in the allowed
// domain joins acme with the configured role on first sign-in, lands in the
// org, and a second sign-in finds the same account.
func TestOIDCJoinByDomain(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	p := addProvider(t, a, providerForm(op, "Okta"))
	ctx := context.Background()

	c := a.client()
	c.get("/login").contains(t, "Sign in with Okta")
	r := signInAt(t, c, p, "alice")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/orgs/acme/") {
		t.Fatalf("first sign-in: status %d, Location %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
	}
	u, err := a.db.IdentityUser(ctx, p.ID, opAlice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || u.Email != "alice@example.org" || u.PasswordHash != "" {
		t.Errorf("joined user %+v", u)
	}
	m, err := a.db.Membership(ctx, a.org.ID, u.ID)
	if err != nil || m.Role != "member" {
		t.Errorf("membership %+v, %v; want member", m, err)
	}
	c.get("/").contains(t, "alice")

	t.Run("a second sign-in finds the linked account", func(t *testing.T) {
		before := userCount(t, a)
		c2 := a.client()
		if r := signInAt(t, c2, p, "alice"); r.status != http.StatusSeeOther {
			t.Fatalf("second sign-in: status %d\n%.2000s", r.status, r.body)
		}
		if got := userCount(t, a); got != before {
			t.Errorf("users %d, want %d: a second sign-in made an account", got, before)
		}
		c2.get("/me/sign-in").contains(t, "Okta", "alice@example.org", "Unlink")
	})
	t.Run("the members page says how each member signs in", func(t *testing.T) {
		r := a.signIn("ada").get("/orgs/acme/settings/members")
		r.contains(t, `data-testid="signs-in-alice">Okta<`, `data-testid="signs-in-max">Password<`, "(Okta)")
	})
	t.Run("the sign-in, the link and the join are audited", func(t *testing.T) {
		events, err := a.db.OrgEvents(ctx, a.org.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range events {
			if e.TargetLabel == "alice" {
				seen[e.Action] = true
			}
		}
		for _, want := range []string{"user.created", "member.added"} {
			if !seen[want] {
				t.Errorf("no %s event for alice in %v", want, seen)
			}
		}
		var signIns, links int
		reader, _ := a.db.Pools()
		rows, err := reader.Query(`SELECT action, target_label, details FROM audit_events`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var action, label, details string
			if err := rows.Scan(&action, &label, &details); err != nil {
				t.Fatal(err)
			}
			if label == "alice" && action == "user.signed_in" && strings.Contains(details, `"via":"Okta"`) {
				signIns++
			}
			if label == "alice" && action == "identity.linked" {
				links++
			}
		}
		if signIns != 2 || links != 1 {
			t.Errorf("alice: %d provider sign-ins, %d links audited; want 2 and 1", signIns, links)
		}
	})
}

// TestOIDCRefusals: identities that may not get in see a clear page, and
// nothing is written.
func TestOIDCRefusals(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	p := addProvider(t, a, providerForm(op, "Okta"))
	before := userCount(t, a)
	for _, tc := range []struct {
		name, user, want string
	}{
		{"an unverified email", "bob", "not verified"},
		{"an email outside the allowed domains", "eve", "Only people with a verified email address at example.org"},
		{"an existing account's email is never linked silently", "ada-at-op", "An account with the email ada@example.com exists already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.user == "ada-at-op" {
				// ada's address is in the domain for this case.
				if _, err := a.db.UpdateProvider(context.Background(), p.ID, store.ProviderInput{Kind: p.Kind, Name: p.Name, Issuer: p.Issuer,
					ClientID: p.ClientID, Domains: []string{"example.org", "example.com"}, JoinOrgID: a.org.ID, JoinRole: "member"}, store.Actor{Label: "test"}); err != nil {
					t.Fatal(err)
				}
			}
			c := a.client()
			r := signInAt(t, c, p, tc.user)
			if r.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403\n%.2000s", r.status, r.body)
			}
			r.contains(t, tc.want)
			if got := userCount(t, a); got != before {
				t.Errorf("users %d, want %d", got, before)
			}
			if r := c.get("/"); r.status != http.StatusSeeOther {
				t.Errorf("signed in after a refusal: / is %d", r.status)
			}
		})
	}
	t.Run("without joining, an unlinked identity is sent to link first", func(t *testing.T) {
		if _, err := a.db.UpdateProvider(context.Background(), p.ID, store.ProviderInput{Kind: p.Kind, Name: p.Name, Issuer: p.Issuer,
			ClientID: p.ClientID, Domains: []string{"example.org"}}, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		r := signInAt(t, a.client(), p, "alice")
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		r.contains(t, "No Tokenward account is linked to this Okta identity")
	})
}

// TestOIDCFlowTampering: a tampered state, a replayed answer, a replayed
// code, a wrong nonce, an expired ID token and a provider's error are each
// refused, and nobody is signed in.
func TestOIDCFlowTampering(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	p := addProvider(t, a, providerForm(op, "Okta"))
	start := func(c *client) string { return startAt(t, c, c.get("/login/with/"+itoa(p.ID))) }
	refusedWith := func(t *testing.T, c *client, r response, want string) {
		t.Helper()
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403\n%.2000s", r.status, r.body)
		}
		r.contains(t, want)
		if r := c.get("/"); r.status != http.StatusSeeOther {
			t.Errorf("signed in after a refusal: / is %d", r.status)
		}
	}

	t.Run("tampered state", func(t *testing.T) {
		c := a.client()
		back := opSignIn(t, start(c), "alice")
		refusedWith(t, c, c.get(withQuery(t, back, "state", "forged")), "does not belong to a sign-in started in this browser")
	})
	t.Run("a replayed answer", func(t *testing.T) {
		c := a.client()
		back := opSignIn(t, start(c), "alice")
		if r := c.get(back); r.status != http.StatusSeeOther {
			t.Fatalf("first use: status %d\n%.1000s", r.status, r.body)
		}
		c.get("/") // the new session's CSRF token
		if r := c.post("/logout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("sign out: status %d", r.status)
		}
		refusedWith(t, c, c.get(back), "does not belong to a sign-in started in this browser")
	})
	t.Run("a replayed code in a new sign-in", func(t *testing.T) {
		c := a.client()
		back := opSignIn(t, start(c), "alice")
		if r := c.get(back); r.status != http.StatusSeeOther {
			t.Fatalf("first use: status %d", r.status)
		}
		c.get("/") // the new session's CSRF token
		if r := c.post("/logout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("sign out: status %d", r.status)
		}
		fresh := a.client()
		auth := start(fresh)
		state := mustURL(t, auth).Query().Get("state")
		refusedWith(t, fresh, fresh.get(withQuery(t, back, "state", state)), "refused the sign-in code")
	})
	t.Run("a wrong nonce", func(t *testing.T) {
		c := a.client()
		back := opSignIn(t, withQuery(t, start(c), "nonce", "not-the-nonce-we-sent"), "alice")
		refusedWith(t, c, c.get(back), "nonce does not match")
	})
	t.Run("an expired ID token", func(t *testing.T) {
		c := a.client()
		back := opSignIn(t, start(c), "alice")
		a.clock.Set(time.Now().Add(op.IDTokenLifetime + time.Minute))
		defer a.clock.Set(time.Time{})
		refusedWith(t, c, c.get(back), "ID token has expired")
	})
	t.Run("the provider answers an error", func(t *testing.T) {
		c := a.client()
		state := mustURL(t, start(c)).Query().Get("state")
		refusedWith(t, c, c.get("/login/callback?error=access_denied&error_description=The+user+cancelled&state="+state), "access_denied")
	})
}

// TestProviderLinkUnlink: a signed-in user links an identity from their
// sign-in methods, signs in with it, and unlinks it; a user without a
// password cannot unlink their only way in.
func TestProviderLinkUnlink(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	form := providerForm(op, "Okta")
	form.Del("join")
	p := addProvider(t, a, form)

	maxc := a.signIn("max")
	maxc.get("/me/sign-in").contains(t, "Not linked", `data-testid="link-Okta"`)
	back := opSignIn(t, startAt(t, maxc, maxc.post("/me/sign-in/"+itoa(p.ID)+"/link", url.Values{})), "max-at-op")
	r := maxc.get(back)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/me/sign-in" {
		t.Fatalf("link: status %d, Location %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
	}
	maxc.get("/me/sign-in").contains(t, "Linked Okta", "max@corp.example", "Unlink")

	c := a.client()
	if r := signInAt(t, c, p, "max-at-op"); r.status != http.StatusSeeOther {
		t.Fatalf("sign in with the linked identity: status %d\n%.2000s", r.status, r.body)
	}
	c.get("/me/sign-in").contains(t, "Signed in as max")

	t.Run("the same identity cannot be linked to a second account", func(t *testing.T) {
		audra := a.signIn("audra")
		audra.get("/me/sign-in")
		back := opSignIn(t, startAt(t, audra, audra.post("/me/sign-in/"+itoa(p.ID)+"/link", url.Values{})), "max-at-op")
		r := audra.get(back)
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		r.contains(t, "linked to an account already")
	})
	t.Run("a disabled user cannot get in through a provider", func(t *testing.T) {
		u, _ := a.db.UserByUsername(context.Background(), "max")
		if _, err := a.db.SetUserDisabled(context.Background(), u.ID, true, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		r := signInAt(t, a.client(), p, "max-at-op")
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		r.contains(t, "Your account is disabled")
		if _, err := a.db.SetUserDisabled(context.Background(), u.ID, false, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unlink", func(t *testing.T) {
		maxc = a.signIn("max")
		maxc.get("/me/sign-in")
		if r := maxc.post("/me/sign-in/"+itoa(p.ID)+"/unlink", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("unlink: status %d", r.status)
		}
		maxc.get("/me/sign-in").contains(t, "Unlinked Okta", "Not linked")
	})
	t.Run("the only way in stays linked", func(t *testing.T) {
		joined, err := a.db.JoinThroughProvider(context.Background(), store.Join{Usernames: []string{"nopass"}, Email: "nopass@example.org",
			Identity: store.Identity{ProviderID: p.ID, Subject: opAlice.ID}, Provider: p.Name, OrgID: a.org.ID, Role: "member"}, store.Actor{Label: "test"})
		if err != nil {
			t.Fatal(err)
		}
		c := a.client()
		if r := signInAt(t, c, p, "alice"); r.status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.status)
		}
		c.get("/me/sign-in").contains(t, "no password")
		c.post("/me/sign-in/"+itoa(p.ID)+"/unlink", url.Values{})
		c.get("/me/sign-in").contains(t, "This is your only way to sign in")
		if u, err := a.db.IdentityUser(context.Background(), p.ID, opAlice.ID); err != nil || u.ID != joined.ID {
			t.Errorf("after the refused unlink: %v %v", u.Username, err)
		}
	})
}

// TestProviderSignInRotatesSession: a provider sign-in ends the session the
// browser had and starts a new one, as a password sign-in does, so an old
// (or planted) cookie does not carry over.
func TestProviderSignInRotatesSession(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	p := addProvider(t, a, providerForm(op, "Okta"))
	c := a.signIn("max")
	old := c.http.Jar.Cookies(mustURL(t, a.ts.URL))
	if r := signInAt(t, c, p, "alice"); r.status != http.StatusSeeOther {
		t.Fatalf("provider sign-in: status %d", r.status)
	}
	c.get("/me/sign-in").contains(t, "Signed in as alice")
	stale := a.client()
	stale.http.Jar.SetCookies(mustURL(t, a.ts.URL), old)
	if r := stale.get("/me/sign-in"); r.status != http.StatusSeeOther {
		t.Errorf("max's old session still works after the provider sign-in: status %d", r.status)
	}
}
