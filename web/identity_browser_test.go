package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tokenward/web/internal/testop"
)

// TestIdentityBrowserJourney: in Chromium, a site admin adds the OP at
// /admin/identity; a person from the allowed domain signs in at the OP
// and lands in acme; max links the OP from his sign-in methods.
func TestIdentityBrowserJourney(t *testing.T) {
	t.Parallel()
	bothWays(t, func(t *testing.T, j *journey) {
		a, op := idpApp(t)

		admin := j.ctx
		// browserOf opens the browser of a person in subtest t, in this run's mode.
		browserOf := func(t *testing.T) context.Context { return (&journey{t: t, js: j.js}).secondTab().ctx }
		signInBrowser(t, admin, a, "ada")
		visit(t, admin, a.ts.URL+"/admin/identity")
		if got := textOf(t, admin, testid("redirect-url")); got != a.ts.URL+"/login/callback" {
			t.Errorf("redirect URL %q", got)
		}
		run(t, admin, fill("#name", "Okta"), fill("#issuer", op.Issuer), fill("#client_id", op.ClientID),
			fill("#client_secret", op.ClientSecret), fill("#domains", "example.org"),
			chromedp.Click(testid("provider-join"), chromedp.ByQuery), choose("#join_org", "acme"), choose("#join_role", "member"))
		if status := submit(t, admin, testid("save-provider")); status != 200 {
			t.Fatalf("add provider: status %d", status)
		}
		wantFlash(t, admin, "success", "Added Okta.")
		if !exists(t, admin, testid("provider-Okta")) {
			t.Fatal("the provider is not listed")
		}

		t.Run("a person from the domain joins through the provider", func(t *testing.T) {
			ctx := browserOf(t)
			visit(t, ctx, a.ts.URL+"/login")
			if status := submit(t, ctx, testid("sign-in-with-Okta")); status != 200 {
				t.Fatalf("to the OP: status %d", status)
			}
			if p := currentPath(t, ctx); !strings.HasPrefix(p, "/login/username") {
				t.Fatalf("not at the OP's login: %s", p)
			}
			run(t, ctx, fill("#username", opAlice.Username), fill("#password", testop.Password))
			if status := submit(t, ctx, `button[type="submit"]`); status != 200 {
				t.Fatalf("back from the OP: status %d", status)
			}
			waitURL(t, ctx, "/orgs/acme/")
			if got := textOf(t, ctx, testid("user-menu")); !strings.Contains(got, "Alice") && !strings.Contains(got, "alice") {
				t.Errorf("user menu %q, want alice", got)
			}
		})
		t.Run("max links the provider and signs in with it", func(t *testing.T) {
			ctx := browserOf(t)
			signInBrowser(t, ctx, a, "max")
			visit(t, ctx, a.ts.URL+"/me/sign-in")
			if status := submit(t, ctx, testid("link-Okta")); status != 200 {
				t.Fatalf("to the OP: status %d", status)
			}
			run(t, ctx, fill("#username", opMax.Username), fill("#password", testop.Password))
			if status := submit(t, ctx, `button[type="submit"]`); status != 200 {
				t.Fatalf("back from the OP: status %d", status)
			}
			waitURL(t, ctx, "/me/sign-in")
			wantFlash(t, ctx, "success", "Linked Okta")
			if !exists(t, ctx, testid("unlink-Okta")) {
				t.Error("no Unlink after linking")
			}
			// Signed out, the identity finds max.
			other := browserOf(t)
			visit(t, other, a.ts.URL+"/login")
			submit(t, other, testid("sign-in-with-Okta"))
			run(t, other, fill("#username", opMax.Username), fill("#password", testop.Password))
			submit(t, other, `button[type="submit"]`)
			waitURL(t, other, "/orgs/acme/")
			if got := textOf(t, other, testid("user-menu")); !strings.Contains(got, "max") {
				t.Errorf("user menu %q, want max", got)
			}
		})
	})
}
