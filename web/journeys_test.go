package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Each test here is one journey a person takes through the dashboard in a
// real browser, asserting what they would notice on the page.

// addMemberInBrowser fills the add-member form for a new user and submits it.
func addMemberInBrowser(t *testing.T, ctx context.Context, username, role string) int64 {
	t.Helper()
	form := testid("add-member")
	run(t, ctx,
		fill(form+" #username", username),
		fill(form+" #email", username+"@example.com"),
		fill(form+" #password", testPassword),
		choose(form+" #role", role),
	)
	return submit(t, ctx, testid("add-member-submit"))
}

func TestJourneySetupSignInAddMemberSignOut(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := newApp(t)

		visit(t, ctx, a.srv.SetupURL())
		if h := textOf(t, ctx, "h1"); h != "Set up Tokenward" {
			t.Fatalf("setup page heading = %q", h)
		}
		run(t, ctx,
			fill("#username", "grace"),
			fill("#email", "grace@example.com"),
			fill("#password", "a long enough password"),
			fill("#org_name", "Initech"),
			fill("#org_slug", "initech"),
		)
		if status := submit(t, ctx, testid("setup-submit")); status != http.StatusOK {
			t.Fatalf("setup: status %d", status)
		}
		waitURL(t, ctx, "/orgs/initech/settings/members")
		wantFlash(t, ctx, "success", "Welcome to Tokenward")
		if !exists(t, ctx, testid("member-grace")) {
			t.Error("the new admin is not listed as a member")
		}

		for _, m := range []struct{ username, role, label string }{
			{"oscar", "auditor", "Auditor"},
			{"mia", "member", "Member"},
			{"ade", "admin", "Admin"},
		} {
			if status := addMemberInBrowser(t, ctx, m.username, m.role); status != http.StatusOK {
				t.Fatalf("add %s: status %d, flashes %q", m.username, status, flashes(t, ctx))
			}
			waitURL(t, ctx, "/orgs/initech/settings/members")
			wantFlash(t, ctx, "success", "Added "+m.username+" as "+m.role+".")
			if !exists(t, ctx, testid("member-"+m.username)) {
				t.Fatalf("no row for %s after adding", m.username)
			}
			if got := selectedLabel(t, ctx, testid("role-"+m.username)); got != m.label {
				t.Errorf("%s's role shows %q, want %q", m.username, got, m.label)
			}
		}

		run(t, ctx, chromedp.Click(testid("user-menu"), chromedp.ByQuery))
		if status := submit(t, ctx, testid("sign-out")); status != http.StatusOK {
			t.Fatalf("sign out: status %d", status)
		}
		waitURL(t, ctx, "/login")
		wantFlash(t, ctx, "info", "You are signed out.")
		if exists(t, ctx, testid("user-menu")) {
			t.Error("the user menu is still shown after signing out")
		}

		visit(t, ctx, a.ts.URL+"/")
		waitURL(t, ctx, "/login")

		signInBrowser(t, ctx, a, "mia")
		// mia is in one org: she lands on its Tokens page, with its navigation.
		if p := currentPath(t, ctx); p != "/orgs/initech/settings/tokens/api" {
			t.Errorf("after sign-in the page is %s, want initech's tokens", p)
		}
		if got := textOf(t, ctx, `nav.sidenav a[aria-current="page"]`); got != "Tokens" {
			t.Errorf("the navigation marks %q, want Tokens", got)
		}
		visit(t, ctx, a.ts.URL+"/")
		if h := textOf(t, ctx, "h1"); h != "Your organizations" {
			t.Errorf("home heading = %q", h)
		}
		row := textOf(t, ctx, testid("org-initech"))
		if !strings.Contains(row, "Initech") || !strings.Contains(row, "Member") {
			t.Errorf("home row for initech = %q, want the org name and role Member", row)
		}
	})
}

func TestJourneyWrongPasswordKeepsUsername(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)

		visit(t, ctx, a.ts.URL+"/login")
		run(t, ctx, fill("#username", "ada"), fill("#password", "not the password"))
		if status := submit(t, ctx, testid("sign-in")); status != http.StatusUnauthorized {
			t.Errorf("wrong password: status %d, want 401", status)
		}
		if msg := textOf(t, ctx, testid("login-error")); msg != "Incorrect username or password." {
			t.Errorf("login error = %q", msg)
		}
		if got := valueOf(t, ctx, "#username"); got != "ada" {
			t.Errorf("username field = %q, want ada", got)
		}
		if got := valueOf(t, ctx, "#password"); got != "" {
			t.Errorf("password field = %q, want it empty", got)
		}

		run(t, ctx, fill("#password", testPassword))
		submit(t, ctx, testid("sign-in"))
		if p := currentPath(t, ctx); strings.HasPrefix(p, "/login") {
			t.Errorf("the right password left the page on %s", p)
		}
	})
}

func TestJourneyPostWithoutCSRFRefused(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")
		members := a.ts.URL + "/orgs/acme/settings/members"

		visit(t, ctx, members)
		run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-testid="add-member"] input[name=csrf_token]').remove()`, nil))
		if status := addMemberInBrowser(t, ctx, "mallory", "admin"); status != http.StatusForbidden {
			t.Errorf("form without token: status %d, want 403", status)
		}
		if !exists(t, ctx, testid("error-page")) {
			t.Fatal("no error page after posting without a token")
		}
		if h := textOf(t, ctx, testid("error-page")+" h1"); h != "This form has expired" {
			t.Errorf("error page heading = %q", h)
		}

		visit(t, ctx, members)
		if exists(t, ctx, testid("member-mallory")) {
			t.Error("mallory was added by a form without its CSRF token")
		}

		if j.js {
			// htmx sends the token from the body's hx-headers; a request
			// without it is refused the same way.
			htmxNeedsHeaderToken(t, ctx, members)
		} else {
			// Without JavaScript every request is a form; the same form
			// with its token is accepted, so the refusal was the token's.
			if status := addMemberInBrowser(t, ctx, "hexa", "member"); status != http.StatusOK {
				t.Fatalf("form with its token: status %d, flashes %q", status, flashes(t, ctx))
			}
			wantFlash(t, ctx, "success", "Added hexa as member.")
		}
		if !exists(t, ctx, testid("member-hexa")) {
			t.Error("hexa, added with the token, is not listed")
		}
	})
}

func TestJourneyLastAdminCannotBeDemoted(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")

		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/members")
		run(t, ctx, choose(testid("role-ada"), "member"))
		if status := submit(t, ctx, testid("save-role-ada")); status != http.StatusConflict {
			t.Errorf("demoting the last admin: status %d, want 409", status)
		}
		wantFlash(t, ctx, "error", "needs at least one admin")
		if got := selectedLabel(t, ctx, testid("role-ada")); got != "Admin" {
			t.Errorf("ada's role shows %q, want Admin", got)
		}

		// The refusal was not remembered: the next page has no stale message.
		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/members")
		if got := flashes(t, ctx); len(got) != 0 {
			t.Errorf("flashes on reload: %q", got)
		}
	})
}

// Removing a member goes through a confirmation page that lists their live
// tokens (a page rather than a confirm() dialog, because it may ask what
// becomes of their API tokens).
func TestJourneyRemoveMemberConfirm(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")

		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/members")
		if !exists(t, ctx, testid("member-max")) {
			t.Fatal("max is not listed before removal")
		}
		if status := submit(t, ctx, testid("remove-max")); status != http.StatusOK {
			t.Fatalf("open removal of max: status %d", status)
		}
		if h := textOf(t, ctx, "h1"); h != "Remove max" {
			t.Errorf("confirmation heading = %q, want Remove max", h)
		}
		if got := textOf(t, ctx, testid("no-member-tokens")); got != "max has no live tokens in this organization." {
			t.Errorf("token summary = %q", got)
		}
		if status := submit(t, ctx, testid("confirm-remove")); status != http.StatusOK {
			t.Errorf("remove max: status %d", status)
		}
		if p := waitURL(t, ctx, "/orgs/acme/settings/members"); p != "/orgs/acme/settings/members" {
			t.Errorf("after removal the page is %s", p)
		}
		wantFlash(t, ctx, "success", "Removed max from Acme.")
		if exists(t, ctx, testid("member-max")) {
			t.Error("max is still listed after removal")
		}
		if !exists(t, ctx, testid("member-audra")) {
			t.Error("audra disappeared too")
		}
	})
}

// htmxNeedsHeaderToken posts the add-member form's fields as htmx does, on
// the members page: refused without the X-CSRF-Token header, accepted with
// the token htmx takes from the body's hx-headers; it then reloads the page.
func htmxNeedsHeaderToken(t *testing.T, ctx context.Context, members string) {
	t.Helper()
	var statuses struct {
		Without, With int
		Redirect      string
	}
	evalAsync(t, ctx, `(async () => {
		const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
		const body = () => new URLSearchParams({username: 'hexa', email: 'hexa@example.com',
			password: 'a long enough password', role: 'member'});
		const without = await fetch(location.pathname, {method: 'POST', body: body(),
			headers: {'HX-Request': 'true'}});
		const withToken = await fetch(location.pathname, {method: 'POST', body: body(),
			headers: {'HX-Request': 'true', 'X-CSRF-Token': token}});
		return {without: without.status, with: withToken.status, redirect: withToken.headers.get('HX-Redirect') ?? ''};
	})()`, &statuses)
	if statuses.Without != http.StatusForbidden {
		t.Errorf("fetch without X-CSRF-Token: status %d, want 403", statuses.Without)
	}
	if statuses.With != http.StatusNoContent || statuses.Redirect != "/orgs/acme/settings/members" {
		t.Errorf("fetch with X-CSRF-Token: status %d, HX-Redirect %q; want 204 to the members page", statuses.With, statuses.Redirect)
	}
	visit(t, ctx, members)
}
