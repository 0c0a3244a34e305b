package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tokenward/store"
)

func mustTokenBySecret(t *testing.T, a *app, secret string) store.Token {
	t.Helper()
	tok, _, err := a.db.TokenBySecretHash(context.Background(), hashOf(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestJourneyBrowserTokenWorksUntilRevoked: an admin creates a token in the
// browser, a plain HTTP client uses it against the API, the admin revokes
// it in the browser, and the client's next request is refused.
func TestJourneyBrowserTokenWorksUntilRevoked(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		dlg := testid("create-dialog")
		// Nothing starts ticked: a person picks the scope the token needs.
		run(t, ctx, fill(dlg+" #name", "end to end"), chromedp.Click(dlg+" "+testid("scope-api"), chromedp.ByQuery))
		if status := submit(t, ctx, dlg+" "+testid("create-submit")); status != http.StatusCreated {
			t.Fatalf("create: status %d", status)
		}
		secret := j.revealed()
		j.closeReveal()

		r := a.call(t, "GET", "/api/v1/token", secret, "", "")
		if r.status != http.StatusOK || r.json["name"] != "end to end" {
			t.Fatalf("the new token does not work: %d %s", r.status, r.body)
		}
		// It shows as used in the browser once the use is written (within a
		// flush interval).
		deadline := time.Now().Add(5 * time.Second)
		for tok := mustTokenBySecret(t, a, secret); tok.LastUsedAt.IsZero(); tok = mustTokenBySecret(t, a, secret) {
			if time.Now().After(deadline) {
				t.Fatal("the use was not written within five flush intervals")
			}
			time.Sleep(50 * time.Millisecond)
		}
		visit(t, ctx, apiTab(a))
		if got := textOf(t, ctx, rowSel("end to end")+" "+testid("last-used")); got == "Never" {
			t.Errorf("last used = %q after a request", got)
		}

		j.openDialog(rowSel("end to end")+" "+testid("action-revoke"), "revoke-dialog")
		if msg := textOf(t, ctx, testid("revoke-dialog")); !strings.Contains(msg, "Revoke end to end?") {
			t.Errorf("the confirmation does not name the token: %q", msg)
		}
		if status := submit(t, ctx, testid("revoke-dialog")+" "+testid("confirm-submit")); status != http.StatusOK {
			t.Fatalf("revoke: status %d", status)
		}
		wantFlash(t, ctx, "success", "Revoked end to end.")

		r = a.call(t, "GET", "/api/v1/token", secret, "", "")
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "revoked") {
			t.Errorf("after revoking in the browser: %d %s", r.status, r.body)
		}
	})
}
