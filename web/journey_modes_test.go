package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// Every journey runs twice: with JavaScript on, as most people have it,
// and with it off, where the same pages work through plain links and
// forms (dialogs open as pages, filters apply with their button, the
// one-time secret is selected for Ctrl+C instead of copied by a button).
// A journey is written once against the steps below, which do what a
// person does in each case.

// journey is one run of a journey in a browser tab.
type journey struct {
	t   *testing.T
	ctx context.Context
	// js is whether the tab runs the pages' JavaScript.
	js bool
}

// bothWays runs a journey with JavaScript on (subtest "js") and off
// ("nojs"), each in a fresh tab of its own.
func bothWays(t *testing.T, run func(t *testing.T, j *journey)) {
	t.Helper()
	for _, js := range []bool{true, false} {
		name := "js"
		if !js {
			name = "nojs"
		}
		t.Run(name, func(t *testing.T) {
			ctx := newTab(t)
			if !js {
				withoutJS(t, ctx)
			}
			run(t, &journey{t: t, ctx: ctx, js: js})
		})
	}
}

// openDialog opens a dialog from its opener (in a row menu or not): with
// JavaScript htmx loads it as a modal over the page; without, the opener
// is a link or form to a page that holds the dialog's form.
func (j *journey) openDialog(opener, dialog string) {
	j.t.Helper()
	if j.js {
		openDialog(j.t, j.ctx, opener, dialog)
		return
	}
	openMenuOf(j.t, j.ctx, opener)
	if st := submit(j.t, j.ctx, opener); st != http.StatusOK {
		j.t.Fatalf("open %s: status %d", dialog, st)
	}
	if !exists(j.t, j.ctx, testid(dialog)) {
		j.t.Fatalf("the page %s has no %s", currentPath(j.t, j.ctx), dialog)
	}
}

// revealed waits for the one-time reveal and returns the secret it shows.
func (j *journey) revealed() string {
	j.t.Helper()
	if j.js {
		waitJS(j.t, j.ctx, "the reveal dialog", `document.querySelector('[data-testid="reveal-dialog"]')?.matches(':modal')`)
	} else if !exists(j.t, j.ctx, testid("reveal-dialog")) {
		j.t.Fatalf("no reveal on %s; flashes %q", currentPath(j.t, j.ctx), flashes(j.t, j.ctx))
	}
	return textOf(j.t, j.ctx, testid("reveal-secret"))
}

// copySecret copies the revealed secret as a person does (see copyFrom)
// and returns what was copied; with JavaScript the button then says Copied.
func (j *journey) copySecret() string {
	j.t.Helper()
	button := testid("reveal-dialog") + " " + testid("copy-secret")
	got := j.copyFrom(button)
	if j.js {
		if label := textOf(j.t, j.ctx, button); label != "Copied" {
			j.t.Errorf("copy button says %q after copying, want Copied", label)
		}
	}
	return got
}

// closeReveal presses Done on the reveal: the dialog closes over the page,
// or without JavaScript Done loads the page the token belongs to.
func (j *journey) closeReveal() {
	j.t.Helper()
	if j.js {
		run(j.t, j.ctx, chromedp.Click(testid("reveal-done"), chromedp.ByQuery))
		waitJS(j.t, j.ctx, "the reveal dialog to close", `!document.querySelector('[data-testid="reveal-dialog"]')?.open`)
		return
	}
	if st := submit(j.t, j.ctx, testid("reveal-done")); st != http.StatusOK {
		j.t.Fatalf("Done: status %d", st)
	}
}

// pick chooses a select's option; in a filter form, applyFilters then
// shows the result.
func (j *journey) pick(sel, value string) {
	j.t.Helper()
	pick(j.t, j.ctx, sel, value)
}

// applyFilters shows what the filter form now asks for: with JavaScript
// htmx has already sent it on the change, so this waits for the swap;
// without, it presses the form's submit button and waits for the page.
func (j *journey) applyFilters(form string) {
	j.t.Helper()
	if j.js {
		waitSettled(j.t, j.ctx)
		return
	}
	if st := submit(j.t, j.ctx, form+` button[type="submit"]`); st != http.StatusOK && st != http.StatusBadRequest {
		j.t.Fatalf("apply %s: status %d", form, st)
	}
}

// follow clicks a link or a button that leads on (htmx may swap part of
// the page with JavaScript; without, it loads a page) and waits until the
// page shows the result.
func (j *journey) follow(sel string) {
	j.t.Helper()
	if j.js {
		run(j.t, j.ctx, chromedp.Click(sel, chromedp.ByQuery))
		waitSettled(j.t, j.ctx)
		return
	}
	if st := submit(j.t, j.ctx, sel); st >= http.StatusInternalServerError {
		j.t.Fatalf("follow %s: status %d", sel, st)
	}
}

// secondTab opens another person's tab (its own cookies) in the same mode,
// for a journey two people take at once.
func (j *journey) secondTab() *journey {
	j.t.Helper()
	ctx := newTab(j.t)
	if !j.js {
		withoutJS(j.t, ctx)
	}
	return &journey{t: j.t, ctx: ctx, js: j.js}
}

// copyFrom copies what a copy button stands for (its data-copy-target) as a
// person does and returns what was copied: with JavaScript the button puts
// it on the clipboard and says Copied (the tab needs grantClipboard first);
// without, the button is hidden and one click on the text selects all of
// it, ready for Ctrl+C.
func (j *journey) copyFrom(button string) string {
	j.t.Helper()
	if j.js {
		run(j.t, j.ctx, chromedp.Click(button, chromedp.ByQuery))
		waitJS(j.t, j.ctx, "the copy button to mark the copy", `document.querySelector(`+jsString(button)+`)?.dataset.copied === 'true'`)
		var clip string
		evalAsync(j.t, j.ctx, `navigator.clipboard.readText()`, &clip)
		return clip
	}
	var target string
	run(j.t, j.ctx, chromedp.Evaluate(`(() => { const b = document.querySelector(`+jsString(button)+`);
		if (!b || b.checkVisibility()) return '';
		return '#' + CSS.escape(b.dataset.copyTarget); })()`, &target))
	if target == "" {
		j.t.Fatalf("without JavaScript the copy button %s is missing or shown", button)
	}
	var sel string
	run(j.t, j.ctx,
		chromedp.Click(target, chromedp.ByQuery),
		chromedp.Evaluate(`window.getSelection().toString().trim()`, &sel))
	return sel
}
