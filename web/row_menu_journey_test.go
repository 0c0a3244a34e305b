package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyCreateThenRevokeFromRowMenu: an admin creates a token, closes
// its reveal, opens its row menu, revokes it behind the confirm, and sees
// it go; without JavaScript all through plain links and forms.
func TestJourneyCreateThenRevokeFromRowMenu(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		run(t, ctx, viewport(1366, 900))
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		dlg := testid("create-dialog")
		run(t, ctx, fill(dlg+" #name", "row menu revoke"), chromedp.Click(dlg+" "+testid("scope-report:read"), chromedp.ByQuery))
		if st := submit(t, ctx, dlg+" "+testid("create-submit")); st != http.StatusCreated {
			t.Fatalf("create: status %d", st)
		}
		j.revealed()
		j.closeReveal()
		row := rowSel("row menu revoke")
		if !exists(t, ctx, row) {
			t.Fatal("the new token is not listed")
		}
		j.openDialog(row+" "+testid("action-revoke"), "revoke-dialog")
		if st := submit(t, ctx, testid("revoke-dialog")+" "+testid("confirm-submit")); st != http.StatusOK {
			t.Fatalf("revoke: status %d", st)
		}
		wantFlash(t, ctx, "success", "Revoked row menu revoke.")
		if exists(t, ctx, row) {
			t.Error("the revoked token is still listed")
		}
	})
}
