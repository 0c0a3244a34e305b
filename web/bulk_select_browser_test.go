package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// bulkState is what a person sees of the bulk actions.
type bulkState struct {
	AllShown, AllChecked, AllMixed bool
	Ticked, Boxes                  int
	RevokeDisabled, DisableOff     bool
}

const bulkStateJS = `(() => {
	const all = document.querySelector('[data-testid="select-all"]');
	const boxes = Array.from(document.querySelectorAll('input[name="ids"]'));
	return {AllShown: !!all && all.getClientRects().length > 0, AllChecked: !!all?.checked, AllMixed: !!all?.indeterminate,
		Ticked: boxes.filter((b) => b.checked).length, Boxes: boxes.length,
		RevokeDisabled: document.querySelector('[data-testid="bulk-revoke"]').disabled,
		DisableOff: document.querySelector('[data-testid="bulk-disable"]').disabled};
})()`

// TestBrowserBulkSelection: the bulk buttons wait for a selection; the
// select-all box ticks every row and shows a partial selection as mixed.
// Without JavaScript the buttons stay usable and the box, which could do
// nothing, is hidden.
func TestBrowserBulkSelection(t *testing.T) {
	a := layoutApp(t)
	t.Run("with JavaScript", func(t *testing.T) {
		ctx := newTab(t)
		run(t, ctx, viewport(1366, 900))
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		var s bulkState
		run(t, ctx, chromedp.Evaluate(bulkStateJS, &s))
		if !s.AllShown || s.Ticked != 0 || !s.RevokeDisabled || !s.DisableOff {
			t.Errorf("nothing selected: %+v; want the select-all box shown and both buttons disabled", s)
		}
		run(t, ctx, chromedp.Click(testid("select-all"), chromedp.ByQuery), chromedp.Evaluate(bulkStateJS, &s))
		if s.Boxes < 2 || s.Ticked != s.Boxes || !s.AllChecked || s.RevokeDisabled || s.DisableOff {
			t.Errorf("after select all: %+v; want every row ticked and the buttons enabled", s)
		}
		run(t, ctx, chromedp.Click(`input[name="ids"]`, chromedp.ByQuery), chromedp.Evaluate(bulkStateJS, &s))
		if !s.AllMixed || s.AllChecked || s.RevokeDisabled {
			t.Errorf("after unticking one: %+v; want select-all mixed and the buttons enabled", s)
		}
		run(t, ctx, chromedp.Click(testid("select-all"), chromedp.ByQuery), chromedp.Click(testid("select-all"), chromedp.ByQuery),
			chromedp.Evaluate(bulkStateJS, &s))
		if s.Ticked != 0 || !s.RevokeDisabled {
			t.Errorf("after clearing: %+v; want nothing ticked and the buttons disabled", s)
		}
	})
	t.Run("without JavaScript", func(t *testing.T) {
		ctx := newTab(t)
		withoutJS(t, ctx)
		run(t, ctx, viewport(1366, 900))
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		var s bulkState
		run(t, ctx, chromedp.Evaluate(bulkStateJS, &s))
		if s.AllShown || s.RevokeDisabled || s.DisableOff {
			t.Errorf("without JavaScript: %+v; want the select-all box hidden and the buttons usable", s)
		}
	})
}
