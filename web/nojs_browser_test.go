package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/web/core"
)

// Without JavaScript: the pages work through plain forms, and what they
// show must be where a person looks.

// withoutJS turns the tab's JavaScript off, as a person who disabled it
// has it; DevTools can still read the page.
func withoutJS(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, emulation.SetScriptExecutionDisabled(true))
}

// TestJourneyRevealComesFirst: the one-time secret is the first thing a
// person sees after creating a token, in view without scrolling: a modal
// over the page with JavaScript, the top of the page without it, where one
// click selects it and the page says to copy it with Ctrl+C.
func TestJourneyRevealComesFirst(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		for _, name := range []string{"one", "two", "three", "four", "five", "six"} {
			mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: name, Scopes: []string{"report"}})
		}
		run(t, ctx, viewport(1366, 900))
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		dlg := testid("create-dialog")
		run(t, ctx, fill(dlg+" #name", "first"), chromedp.Click(dlg+" "+testid("scope-report:read"), chromedp.ByQuery))
		if st := submit(t, ctx, dlg+" "+testid("create-submit")); st != http.StatusCreated {
			t.Fatalf("create: status %d", st)
		}
		j.revealed()
		var got struct {
			Top, SecretTop, SecretBottom float64
			UserSelect                   string
			CopyShown                    bool
			HintShown                    bool
			Scrolled                     float64
		}
		run(t, ctx, chromedp.Evaluate(`(() => {
			const dlg = document.querySelector('[data-testid="reveal-dialog"]');
			const secret = document.querySelector('[data-testid="reveal-secret"]');
			const shown = (sel) => { const el = document.querySelector(sel); return !!el && el.getClientRects().length > 0; };
			return {Top: dlg.getBoundingClientRect().top, SecretTop: secret.getBoundingClientRect().top,
				SecretBottom: secret.getBoundingClientRect().bottom,
				UserSelect: getComputedStyle(secret).userSelect, CopyShown: shown('[data-testid="copy-secret"]'),
				HintShown: shown('[data-testid="copy-hint"]'), Scrolled: scrollY};
		})()`, &got))
		if got.SecretTop < 0 || got.SecretBottom > 900 || got.Scrolled != 0 {
			t.Errorf("the secret spans y=%.0f to %.0f (scrolled %.0f) in a 900 px window; want it in view", got.SecretTop, got.SecretBottom, got.Scrolled)
		}
		if got.UserSelect != "all" {
			t.Errorf("the secret's user-select is %q, want all (one click selects it)", got.UserSelect)
		}
		if j.js {
			// revealed saw the modal, over everything else.
			if !got.CopyShown {
				t.Error("with JavaScript the reveal has no Copy button")
			}
			if got.HintShown {
				t.Error("with JavaScript the no-JS copy hint is shown")
			}
			return
		}
		if got.Top > 150 {
			t.Errorf("the reveal starts at y=%.0f; want it first on the page", got.Top)
		}
		if got.CopyShown {
			t.Error("without JavaScript the Copy button, which cannot copy, is shown")
		}
		if !got.HintShown {
			t.Error("without JavaScript the reveal does not say how to copy")
		}
	})
}

// TestJourneyRevealOpensWithTheSecretSelected: with JavaScript the reveal
// opens with the secret already selected; without, one click selects all
// of it, and the page says so.
func TestJourneyRevealOpensWithTheSecretSelected(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		run(t, ctx, fill(testid("create-dialog")+" #name", "selected"), chromedp.Click(testid("scope-report:read"), chromedp.ByQuery))
		if st := submit(t, ctx, testid("create-submit")); st != http.StatusCreated {
			t.Fatalf("create: status %d", st)
		}
		secret := j.revealed()
		var hint bool
		run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-testid="copy-hint"]').getClientRects().length > 0`, &hint))
		if !j.js {
			if !hint {
				t.Error("without JavaScript the page does not say how to copy the secret")
			}
			if got := j.copySecret(); got != secret {
				t.Errorf("one click selects %q, want the secret %q", got, secret)
			}
			return
		}
		var sel string
		run(t, ctx, chromedp.Evaluate(`getSelection().toString().trim()`, &sel))
		if sel != secret {
			t.Errorf("selected %q when the reveal opened, want the secret %q", sel, secret)
		}
		if hint {
			t.Error("with JavaScript the no-JS copy hint is shown")
		}
	})
}
