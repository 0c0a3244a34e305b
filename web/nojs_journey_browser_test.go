package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyNoJSCreateThenRevoke: with JavaScript off, an admin creates a
// token, closes its reveal, opens its row menu, revokes it behind the
// confirm page, and sees it go, all through plain links and forms.
func TestJourneyNoJSCreateThenRevoke(t *testing.T) {
	ctx := newTab(t)
	a := seededApp(t)
	withoutJS(t, ctx)
	run(t, ctx, viewport(1366, 900))
	signInBrowser(t, ctx, a, "ada")
	visit(t, ctx, apiTab(a))
	if st := submit(t, ctx, testid("create-token")); st != http.StatusOK {
		t.Fatalf("the create page: status %d", st)
	}
	run(t, ctx, fill("#name", "no script revoke"), chromedp.Click(testid("scope-report:read"), chromedp.ByQuery))
	if st := submit(t, ctx, testid("create-submit")); st != http.StatusCreated {
		t.Fatalf("create: status %d", st)
	}
	if st := submit(t, ctx, testid("reveal-done")); st != http.StatusOK {
		t.Fatalf("Done: status %d", st)
	}
	row := rowSel("no script revoke")
	if !exists(t, ctx, row) {
		t.Fatal("the new token is not listed")
	}
	run(t, ctx, chromedp.Click(row+" "+testid("row-menu")+" summary", chromedp.ByQuery))
	if st := submit(t, ctx, row+" "+testid("action-revoke")); st != http.StatusOK {
		t.Fatalf("the revoke page: status %d", st)
	}
	if st := submit(t, ctx, testid("revoke-dialog")+" "+testid("confirm-submit")); st != http.StatusOK {
		t.Fatalf("revoke: status %d", st)
	}
	wantFlash(t, ctx, "success", "Revoked no script revoke.")
	if exists(t, ctx, row) {
		t.Error("the revoked token is still listed")
	}
}
