package web_test

import (
	"net/http"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/web/core"
)

// TestJourneyOwnerSeesRevocation: an admin revokes max's CLI token in the
// browser; max sees the bell count 1, opens his notifications, reads the
// message naming the token and follows its link to the token's page,
// after which the bell is quiet.
func TestJourneyOwnerSeesRevocation(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		admin := j.ctx
		owner := j.secondTab().ctx
		a := seededApp(t)
		max := a.user(t, "max")
		is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: max.ID, OwnerUserID: max.ID})

		// The admin revokes it from the CLI tab.
		signInBrowser(t, admin, a, "ada")
		visit(t, admin, a.ts.URL+"/orgs/acme/settings/tokens/cli")
		row := rowSel("max-laptop")
		j.openDialog(row+" "+testid("action-revoke"), "revoke-dialog")
		if st := submit(t, admin, testid("revoke-dialog")+" "+testid("confirm-submit")); st != http.StatusOK {
			t.Fatalf("revoke: status %d", st)
		}
		wantFlash(t, admin, "success", "Revoked max-laptop.")
		if exists(t, admin, testid("bell-count")) {
			t.Error("the admin who revoked it has a notification")
		}

		// Max sees it.
		signInBrowser(t, owner, a, "max")
		if got := textOf(t, owner, testid("bell-count")); got != "1" {
			t.Fatalf("bell shows %q, want 1", got)
		}
		if st := submit(t, owner, testid("bell")); st != http.StatusOK {
			t.Fatalf("open notifications: status %d", st)
		}
		waitURL(t, owner, "/notifications")
		msg := textOf(t, owner, `[data-unread="true"] `+testid("notification-link"))
		if !strings.Contains(msg, `CLI token "max-laptop" was revoked by ada`) {
			t.Errorf("notification says %q", msg)
		}
		if strings.Contains(msg, is.Secret) {
			t.Error("the notification shows the secret")
		}
		if st := submit(t, owner, testid("notification-link")); st != http.StatusOK {
			t.Fatalf("follow the link: status %d", st)
		}
		if p := waitURL(t, owner, "/orgs/acme/settings/tokens/cli/"); p != "/orgs/acme/settings/tokens/cli/"+is.Token.ID {
			t.Errorf("the link led to %s", p)
		}
		if got := textOf(t, owner, testid("detail-name")); got != "max-laptop" {
			t.Errorf("detail page of %q", got)
		}
		if exists(t, owner, testid("bell-count")) {
			t.Error("the bell still counts the notification after it was opened")
		}
	})
}
