package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestJourneyDeviceLogin is `tokenward login` seen from the browser: the CLI
// asks for a code over HTTP; the member opens the link it prints, signs in,
// checks what the device asks for and clicks Activate; the CLI's next poll
// gets its token, which then shows on the CLI tab, where "Sign out this
// device" revokes it.
func TestJourneyDeviceLogin(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		da := a.startDeviceLogin(t, url.Values{"device_name": {"max-laptop"}, "scope": {"findings:local report:read"}})
		a.pollDevice(t, da.str("device_code")).oauthErr(t, 400, "authorization_pending")

		// The link leads through sign-in and back to the filled-in code.
		visit(t, ctx, da.str("verification_uri_complete"))
		waitURL(t, ctx, "/login?next=")
		run(t, ctx, fill("#username", "max"), fill("#password", testPassword))
		if status := submit(t, ctx, testid("sign-in")); status != http.StatusOK {
			t.Fatalf("sign in: status %d", status)
		}
		if p := waitURL(t, ctx, "/device?code="); p != "/device?code="+da.str("user_code") {
			t.Errorf("after sign-in the page is %s", p)
		}
		if got := textOf(t, ctx, "h1"); got != "Activate max-laptop?" {
			t.Errorf("heading %q", got)
		}
		for sel, want := range map[string]string{
			testid("device-name"):         "max-laptop",
			testid("device-ip"):           "127.0.0.1",
			testid("device-org-name"):     "Acme",
			testid("device-confirm-code"): da.str("user_code"),
		} {
			if got := textOf(t, ctx, sel); got != want {
				t.Errorf("%s shows %q, want %q", sel, got, want)
			}
		}
		if got := textOf(t, ctx, testid("device-scopes")); !strings.Contains(got, "findings:local") || !strings.Contains(got, "report:read") {
			t.Errorf("scopes shown: %q", got)
		}
		if got := textOf(t, ctx, testid("device-requested")); !strings.Contains(got, "UTC") {
			t.Errorf("requested at %q, want the exact UTC time", got)
		}

		if status := submit(t, ctx, testid("device-activate")); status != http.StatusOK {
			t.Fatalf("activate: status %d", status)
		}
		if got := textOf(t, ctx, "h1"); got != "Device activated" {
			t.Errorf("after Activate the heading is %q", got)
		}
		if got := textOf(t, ctx, testid("device-done")); !strings.Contains(got, "Return to your terminal") {
			t.Errorf("the success page does not say what happens next: %q", got)
		}

		tok := a.pollDevice(t, da.str("device_code"))
		if tok.status != http.StatusOK {
			t.Fatalf("poll after activation: %d %s", tok.status, tok.body)
		}
		secret := tok.str("access_token")
		if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != http.StatusOK || r.str("name") != "max-laptop" {
			t.Fatalf("the token does not work: %d %s", r.status, r.body)
		}

		if status := submit(t, ctx, testid("device-done-tokens")); status != http.StatusOK {
			t.Fatalf("open the CLI tab: status %d", status)
		}
		row := rowSel("max-laptop")
		if got := textOf(t, ctx, row); !strings.Contains(got, "device max-laptop") {
			t.Errorf("the CLI tab's row does not show the device name: %q", got)
		}
		button := row + " " + testid("action-revoke")
		if got := textOf(t, ctx, button); got != "Revoke" {
			t.Errorf("the row's revoke is labelled %q", got)
		}
		j.openDialog(button, "revoke-dialog")
		if got := textOf(t, ctx, testid("revoke-dialog")+" h2"); got != "Revoke max-laptop (device max-laptop)?" {
			t.Errorf("dialog title %q", got)
		}
		if status := submit(t, ctx, testid("revoke-dialog")+" "+testid("confirm-submit")); status != http.StatusOK {
			t.Fatalf("sign out: status %d", status)
		}
		wantFlash(t, ctx, "success", "Revoked max-laptop: tokenward on max-laptop is signed out.")
		run(t, ctx, chromedp.WaitReady("body", chromedp.ByQuery))
		if exists(t, ctx, row) {
			t.Error("the signed-out device's token is still listed")
		}
		if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != http.StatusUnauthorized {
			t.Errorf("the signed-out token still works: %d", r.status)
		}
	})
}
