package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An admin invites someone from the members page (no mail server: the page
// shows the link); the invitee opens the link in a browser of their own,
// creates an account and lands in the org with the invited role.
func TestJourneyInviteAndJoin(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)

		grantClipboard(t, ctx, a.ts.URL)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/members")
		form := testid("invite-form")
		run(t, ctx, fill(form+" #invite_email", "nora@example.com"), choose(form+" #invite_role", "auditor"))
		if status := submit(t, ctx, testid("invite-submit")); status != http.StatusOK {
			t.Fatalf("invite: status %d, flashes %q", status, flashes(t, ctx))
		}
		if msg := textOf(t, ctx, testid("invite-no-smtp")); !strings.Contains(msg, "Pass this link on to nora@example.com") {
			t.Errorf("the page says %q", msg)
		}
		// ada copies the link to pass it on: the Copy button, or without
		// JavaScript one click on the link and Ctrl+C, as the page says.
		var hint bool
		run(t, ctx, chromedp.Evaluate(`!!document.querySelector('[data-testid="invite-copy-hint"]')?.checkVisibility()`, &hint))
		if hint == j.js {
			t.Errorf("the hint to select the link and press Ctrl+C is shown: %v, want %v", hint, !j.js)
		}
		link := j.copyFrom(testid("copy-invite-link"))
		if !strings.HasPrefix(link, a.ts.URL+"/invite/") || link != textOf(t, ctx, testid("invite-link")) {
			t.Fatalf("copied %q, the page shows %q", link, textOf(t, ctx, testid("invite-link")))
		}
		if row := textOf(t, ctx, testid("invitation-nora@example.com")); !strings.Contains(row, "Auditor") || !strings.Contains(row, "ada") {
			t.Errorf("the pending row reads %q", row)
		}

		// Nora's browser: no cookie of ada's.
		nora := j.secondTab().ctx
		if status := visit(t, nora, link); status != http.StatusOK {
			t.Fatalf("open the link: status %d", status)
		}
		if s := textOf(t, nora, testid("invite-summary")); s != "Ada invited nora@example.com to join Acme as Auditor." {
			t.Errorf("summary %q", s)
		}
		if exists(t, nora, testid("user-menu")) {
			t.Fatal("the invitee's browser is signed in")
		}
		join := testid("invite-join")
		run(t, nora, fill(join+" #new_username", "nora"), fill(join+" #display_name", "Nora"), fill(join+" #new_password", testPassword))
		if status := submit(t, nora, testid("invite-join-submit")); status != http.StatusOK {
			t.Fatalf("join: status %d, flashes %q", status, flashes(t, nora))
		}
		waitURL(t, nora, "/orgs/acme/settings/")
		wantFlash(t, nora, "success", "Welcome to Acme: you joined as auditor.")
		if got := textOf(t, nora, testid("user-menu")); got != "Nora" {
			t.Errorf("signed in as %q, want Nora", got)
		}
		visit(t, nora, a.ts.URL+"/")
		if row := textOf(t, nora, testid("org-acme")); !strings.Contains(row, "Auditor") {
			t.Errorf("nora's org row reads %q, want the role Auditor", row)
		}

		// The link is spent; ada sees nora as a member and no pending invitation.
		if status := visit(t, nora, link); status != http.StatusGone {
			t.Errorf("the used link: status %d, want 410", status)
		}
		if exists(t, nora, testid("invite-join")) || exists(t, nora, testid("invite-sign-in")) {
			t.Error("a used link still offers to join")
		}
		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/members")
		if got := selectedLabel(t, ctx, testid("role-nora")); got != "Auditor" {
			t.Errorf("nora's role shows %q", got)
		}
		if !exists(t, ctx, testid("no-invitations")) {
			t.Error("the accepted invitation is still listed")
		}
		u, err := a.db.UserByUsername(context.Background(), "nora")
		if err != nil || u.Email != "nora@example.com" {
			t.Errorf("nora's account %+v %v", u, err)
		}
	})
}
