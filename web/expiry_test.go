package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Expiry when creating: the date belongs to its choice, and the dialog and
// the reveal say the date the token expires on.

// dayText is the day d days from now as pages word it: "Tue 8 Dec 2026".
func dayText(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format("Mon 2 Jan 2006") }

func TestCreateExpiryDateNeedsItsChoice(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	page := admin.get("/orgs/acme/settings/tokens/api/new")
	page.contains(t, `data-testid="expiry-result">Expires on `+dayText(30)+`<`, `data-result="Expires on `+dayText(7)+`"`,
		`data-testid="expiry-choices"><li><span class="expiry-choice">7 days</span>: Expires on `+dayText(7)+`</li>`)
	soon := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	for _, c := range []struct {
		name, expiry, date, want string
	}{
		{"a date beside a preset", "30", soon, "You entered a date but chose another expiry: choose “On a date…” to use the date, or clear the date."},
		{"a date in the past", "custom", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "The expiry date is in the past"},
		{"a malformed date", "custom", "8/12/2026", "Enter the expiry date as YYYY-MM-DD."},
		{"no date", "custom", "", "Enter the expiry date as YYYY-MM-DD."},
		{"beyond a year", "custom", time.Now().UTC().AddDate(2, 0, 0).Format(time.DateOnly), "Choose a date between 1 and 365 days from today."},
	} {
		r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"dated"}, "scopes": {"report:read"}, "expiry": {c.expiry}, "expires_on": {c.date}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, r.status)
		}
		r.contains(t, `data-testid="error-expiry">`+c.want)
		if c.date != "" {
			r.contains(t, `value="`+c.date+`"`) // what was typed stays
		}
	}
	if n := a.tokenCount(t); n != 0 {
		t.Fatalf("%d tokens made by refused forms", n)
	}
	r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"dated"}, "scopes": {"report:read"}, "expiry": {"custom"}, "expires_on": {soon}})
	if r.status != http.StatusCreated {
		t.Fatalf("create on a date: status %d", r.status)
	}
	r.contains(t, `data-testid="reveal-expires">· Expires on `+dayText(10)+`<`, `data-testid="flash">Created dated.<`)
}

func TestJourneyCreateShowsTheExpiryDate(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		dlg := testid("create-dialog")
		result := func() string { return textOf(t, ctx, dlg+" "+testid("expiry-result")) }
		dateShown := func() bool {
			var ok bool
			run(t, ctx, chromedp.Evaluate(`(() => { const el = document.querySelector('#expires_on'); return !!el && !el.disabled && el.getClientRects().length > 0; })()`, &ok))
			return ok
		}
		shown := func(sel string) bool {
			var ok bool
			run(t, ctx, chromedp.Evaluate(`(document.querySelector(`+jsString(sel)+`)?.getClientRects().length ?? 0) > 0`, &ok))
			return ok
		}
		if j.js {
			if got, want := result(), "Expires on "+dayText(30); got != want {
				t.Errorf("with the default expiry the dialog says %q, want %q", got, want)
			}
			if shown(dlg + " " + testid("expiry-choices")) {
				t.Error("with JavaScript the dialog also lists what every choice gives")
			}
		} else {
			// Nothing can update the line under the choice: each choice says what it gives.
			if shown(dlg + " " + testid("expiry-result")) {
				t.Error("without JavaScript the dialog shows a line that cannot follow the choice")
			}
			list := textOf(t, ctx, dlg+" "+testid("expiry-choices"))
			for _, want := range []string{"7 days: Expires on " + dayText(7), "30 days: Expires on " + dayText(30)} {
				if !strings.Contains(list, want) {
					t.Errorf("without JavaScript the dialog lists %q, want it to say %q", list, want)
				}
			}
		}
		date := time.Now().UTC().AddDate(0, 0, 12).Format(time.DateOnly)
		if j.js {
			if dateShown() {
				t.Error("the date field is shown and enabled while the choice is 30 days")
			}
			j.pick(dlg+" "+testid("expiry"), "7")
			if got, want := result(), "Expires on "+dayText(7); got != want {
				t.Errorf("after choosing 7 days the dialog says %q, want %q", got, want)
			}
		} else if !dateShown() {
			// Nothing can show it on “On a date…”: it must be there from the start.
			t.Fatal("without JavaScript the date field is not there to fill")
		}
		j.pick(dlg+" "+testid("expiry"), "custom")
		if !dateShown() {
			t.Fatal("choosing “On a date…” does not show the date field")
		}
		if j.js {
			var focused string
			run(t, ctx, chromedp.Evaluate(`document.activeElement?.id ?? ''`, &focused))
			if focused != "expires_on" {
				t.Errorf("after choosing “On a date…” focus is on %q, want the date field", focused)
			}
		}
		run(t, ctx, chromedp.Evaluate(`(() => { const el = document.querySelector('#expires_on'); el.value = `+jsString(date)+`;
			el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, nil))
		if j.js {
			if got, want := result(), "Expires on "+dayText(12); got != want {
				t.Errorf("after picking %s the dialog says %q, want %q", date, got, want)
			}
		}
		run(t, ctx, fill(dlg+" #name", "dated"), chromedp.Click(dlg+" "+testid("scope-report:read"), chromedp.ByQuery))
		if st := submit(t, ctx, dlg+" "+testid("create-submit")); st != http.StatusCreated {
			t.Fatalf("create: status %d", st)
		}
		j.revealed()
		if got := textOf(t, ctx, testid("reveal-expires")); !strings.Contains(got, "Expires on "+dayText(12)) {
			t.Errorf("the reveal says %q, want the date picked", got)
		}
	})
}
