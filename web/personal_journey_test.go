package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/store"
)

// TestJourneyPersonalTokenOrgRemovedAndReAdded: max makes a personal token
// for acme and initech at /me/tokens; ada, an admin of acme, removes acme
// from it on acme's API tab, behind a confirm naming max; the token keeps
// working for initech only; max sees the notification and adds acme again.
func TestJourneyPersonalTokenOrgRemovedAndReAdded(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		owner := j.ctx
		admins := j.secondTab()
		admin := admins.ctx
		a := seededApp(t)
		ctx := context.Background()
		ada, max := a.user(t, "ada"), a.user(t, "max")
		initech, err := a.db.CreateOrg(ctx, store.NewOrg{Slug: "initech", Name: "Initech"}, ada.ID, store.Actor{UserID: ada.ID, Label: "ada"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.AddMember(ctx, initech.ID, max.ID, "member", store.Actor{UserID: ada.ID, Label: "ada"}); err != nil {
			t.Fatal(err)
		}
		// Max makes a token for both orgs.
		signInBrowser(t, owner, a, "max")
		visit(t, owner, a.ts.URL+"/me/tokens")
		run(t, owner, fill(`#name`, "max automation"), chromedp.Click(testid("org-acme"), chromedp.ByQuery), chromedp.Click(testid("org-initech"), chromedp.ByQuery))
		if st := submit(t, owner, testid("personal-submit")); st != http.StatusCreated {
			t.Fatalf("create: status %d", st)
		}
		secret := strings.TrimSpace(textOf(t, owner, testid("personal-secret")))
		if _, err := auth.ParseToken(secret); err != nil || !strings.HasPrefix(secret, "twp_") {
			t.Fatalf("shown secret %q: %v", secret, err)
		}
		call := func(org string) int {
			t.Helper()
			return a.call(t, "GET", "/api/v1/orgs/"+org+"/tokens", secret, "", "").status
		}
		if call("acme") != 200 || call("initech") != 200 {
			t.Fatalf("the new token: acme %d, initech %d", call("acme"), call("initech"))
		}
		ts, err := a.db.PersonalTokens(ctx, max.ID)
		if err != nil || len(ts) != 1 {
			t.Fatal(ts, err)
		}
		id := ts[0].ID

		// Ada removes acme from it, behind a confirm naming max.
		signInBrowser(t, admin, a, "ada")
		visit(t, admin, a.ts.URL+"/orgs/acme/settings/tokens/api")
		row := `[data-token-id="` + id + `"]`
		if got := textOf(t, admin, row+" "+testid("badge-personal")); got != "personal" {
			t.Errorf("badge %q", got)
		}
		admins.openDialog(row+" "+testid("action-remove-org"), "remove-org-dialog")
		if msg := textOf(t, admin, testid("remove-org-dialog")+" "+testid("confirm-message")); !strings.Contains(msg, "max's personal token") {
			t.Errorf("the confirm says %q, want it to name max", msg)
		}
		if st := submit(t, admin, testid("remove-org-dialog")+" "+testid("confirm-submit")); st != http.StatusOK {
			t.Fatalf("remove: status %d", st)
		}
		wantFlash(t, admin, "success", "Removed Acme from max's token max automation.")
		if exists(t, admin, row) {
			t.Error("the token is still listed on acme's API tab")
		}
		if call("acme") != 404 || call("initech") != 200 {
			t.Errorf("after the removal: acme %d (want 404), initech %d (want 200)", call("acme"), call("initech"))
		}

		// Max sees the notification and adds acme again.
		visit(t, owner, a.ts.URL+"/me/tokens")
		if got := textOf(t, owner, testid("bell-count")); got != "1" {
			t.Fatalf("bell shows %q, want 1", got)
		}
		if st := submit(t, owner, testid("bell")); st != http.StatusOK {
			t.Fatalf("open notifications: status %d", st)
		}
		if msg := textOf(t, owner, `[data-unread="true"] `+testid("notification-link")); !strings.Contains(msg, "removed the organization Acme") {
			t.Errorf("notification says %q", msg)
		}
		visit(t, owner, a.ts.URL+"/me/tokens")
		if !exists(t, owner, testid("personal-"+id)+" "+testid("grant-removed")) {
			t.Error("/me/tokens does not show acme as removed")
		}
		if st := submit(t, owner, testid("personal-"+id)+" "+testid("readd-grant-acme")); st != http.StatusOK {
			t.Fatalf("add again: status %d", st)
		}
		wantFlash(t, owner, "success", "max automation reaches Acme again.")
		if call("acme") != 200 || call("initech") != 200 {
			t.Errorf("after adding acme again: acme %d, initech %d", call("acme"), call("initech"))
		}
	})
}
