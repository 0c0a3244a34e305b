package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tokenward/auth"
)

// TestExpiryWarningDismissed: a person dismisses the warning of one of
// their tokens with a plain form post; it stays dismissed on every later
// page, the warning of their other token still shows, and nobody may
// dismiss someone else's.
func TestExpiryWarningDismissed(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	now := fixClock(a)
	ctx := context.Background()
	ada, err := a.db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	maxU, err := a.db.UserByUsername(ctx, "max")
	if err != nil {
		t.Fatal(err)
	}
	a.clock.Set(now.AddDate(0, 0, -30))
	deploy := issue(t, a, auth.KindAPI, ada.ID, "deploy", 33)
	issue(t, a, auth.KindCLI, ada.ID, "ada-laptop", 35)
	maxs := issue(t, a, auth.KindCLI, maxU.ID, "max-desktop", 34)
	a.clock.Set(now)

	admin := a.signIn("ada")
	page := "/orgs/acme/settings/tokens/api?sort=name&dir=asc"
	r := admin.get(page)
	r.contains(t, "2 of your tokens expire within 7 days.", `data-testid="dismiss-expiry"`,
		`action="/orgs/acme/settings/tokens/expiring/`+deploy.ID+`/dismiss"`, `aria-label="Dismiss the warning for deploy"`)

	r = admin.post("/orgs/acme/settings/tokens/expiring/"+deploy.ID+"/dismiss", url.Values{"back": {page}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page {
		t.Fatalf("dismiss: status %d, Location %q; want 303 back to %s", r.status, r.header.Get("Location"), page)
	}
	for _, p := range []string{page, "/orgs/acme/settings/tokens/cli"} {
		r = admin.get(p)
		r.contains(t, "One of your tokens expires within 7 days.", "ada-laptop")
		r.lacks(t, "Dismiss the warning for deploy")
	}
	t.Run("a dismissal is the viewer's own", func(t *testing.T) {
		if r := admin.post("/orgs/acme/settings/tokens/expiring/"+maxs.ID+"/dismiss", url.Values{}); r.status != http.StatusNotFound {
			t.Errorf("ada dismissing max's warning: status %d, want 404", r.status)
		}
		a.signIn("max").get("/orgs/acme/settings/tokens/cli").contains(t, "max-desktop", `data-testid="expiry-banner"`)
	})
	t.Run("an unsafe back goes to the tokens page", func(t *testing.T) {
		r := admin.post("/orgs/acme/settings/tokens/expiring/"+deploy.ID+"/dismiss", url.Values{"back": {"//evil.example"}})
		if got := r.header.Get("Location"); got != "/orgs/acme/settings/tokens/api" {
			t.Errorf("Location %q", got)
		}
	})
	t.Run("the last dismissal takes the banner away", func(t *testing.T) {
		toks, err := a.db.ExpiringOwnTokens(ctx, a.org.ID, ada.ID, 7*24*time.Hour, 0)
		if err != nil || len(toks) != 1 {
			t.Fatal(toks, err)
		}
		admin.post("/orgs/acme/settings/tokens/expiring/"+toks[0].ID+"/dismiss", url.Values{})
		admin.get(page).lacks(t, "expiry-banner")
	})
}
