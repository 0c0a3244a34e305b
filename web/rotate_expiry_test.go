package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/web/core"
)

// Rotation asks for the new expiry: by default the same lifetime from now,
// so an expired token is renewed by rotating it.

func TestRotateFormSetsTheNewExpiry(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	start := a.db.Now().Truncate(time.Second)
	a.clock.Set(start.AddDate(0, 0, -10))
	tok := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "weekly", Scopes: []string{"api"}, Expiry: "7"})
	a.clock.Set(start)
	admin := a.signIn("ada")
	dlg := admin.get(tokenURL(tok, "rotate"))
	dlg.contains(t, `<option value="7" selected data-result="Expires on `+dayText(7)+`">`, `data-testid="expiry-result">Expires on `+dayText(7)+`<`)
	for _, c := range []struct{ expiry, date, want string }{
		{"custom", start.AddDate(0, 0, -1).Format(time.DateOnly), "The expiry date is in the past"},
		{"custom", "tomorrow", "Enter the expiry date as YYYY-MM-DD."},
		{"never", "", "This organization&#39;s policy requires tokens of this kind to expire"},
		{"30", start.AddDate(0, 0, 3).Format(time.DateOnly), "You entered a date but chose another expiry"},
	} {
		r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}, "expiry": {c.expiry}, "expires_on": {c.date}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("rotate with %s %s: status %d, want 422", c.expiry, c.date, r.status)
		}
		r.contains(t, `data-testid="error-expiry">`+c.want)
	}
	if got := mustToken(t, a, tok.ID); got.Hint != tok.Hint {
		t.Fatal("a refused rotation changed the secret")
	}
	r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}, "expiry": {"30"}})
	if r.status != http.StatusOK {
		t.Fatalf("rotate: status %d", r.status)
	}
	r.contains(t, `data-testid="reveal-expires">· Expires on `+dayText(30)+`<`)
	list := admin.get("/orgs/acme/settings/tokens/api")
	list.contains(t, `data-testid="status">Active<`)
	if strings.Contains(list.body, `data-testid="status">Expired<`) {
		t.Error("the renewed token still shows as expired")
	}
}

func TestJourneyRotateRenewsAnExpiredToken(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		start := a.db.Now().Truncate(time.Second)
		a.clock.Set(start.AddDate(0, 0, -10))
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "weekly", Scopes: []string{"api"}, Expiry: "7"})
		a.clock.Release()
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		row := rowSel("weekly")
		if got := textOf(t, ctx, row+" "+testid("status")); got != "Expired" {
			t.Fatalf("before rotating the token is %q", got)
		}
		j.openDialog(row+" "+testid("action-rotate"), "rotate-dialog")
		dlg := testid("rotate-dialog")
		if j.js {
			if got, want := textOf(t, ctx, dlg+" "+testid("expiry-result")), "Expires on "+dayText(7); got != want {
				t.Errorf("the rotate dialog says %q, want the same 7-day lifetime from now, %q", got, want)
			}
			if got := valueOf(t, ctx, dlg+" "+testid("expiry")); got != "7" {
				t.Errorf("the rotate dialog starts on %q, want the token's own 7 days", got)
			}
			j.pick(dlg+" "+testid("expiry"), "30")
			if got, want := textOf(t, ctx, dlg+" "+testid("expiry-result")), "Expires on "+dayText(30); got != want {
				t.Errorf("after choosing 30 days the dialog says %q, want %q", got, want)
			}
		} else {
			// Nothing updates a line under the choice: each choice says what it gives.
			list := textOf(t, ctx, dlg+" "+testid("expiry-choices"))
			for _, want := range []string{"7 days: Expires on " + dayText(7), "30 days: Expires on " + dayText(30)} {
				if !strings.Contains(list, want) {
					t.Errorf("without JavaScript the rotate dialog lists %q, want it to say %q", list, want)
				}
			}
			if got := valueOf(t, ctx, dlg+" "+testid("expiry")); got != "7" {
				t.Errorf("the rotate dialog starts on %q, want the token's own 7 days", got)
			}
			j.pick(dlg+" "+testid("expiry"), "30")
		}
		if st := submit(t, ctx, dlg+" "+testid("rotate-submit")); st != http.StatusOK {
			t.Fatalf("rotate: status %d", st)
		}
		if got := textOf(t, ctx, testid("reveal-expires")); !strings.Contains(got, "Expires on "+dayText(30)) {
			t.Errorf("the reveal says %q", got)
		}
		visit(t, ctx, apiTab(a))
		if got := textOf(t, ctx, row+" "+testid("status")); got != "Active" {
			t.Errorf("after rotating the token is %q, want Active", got)
		}
	})
}
