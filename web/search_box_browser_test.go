package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearchPlaceholderFits: the tokens search box shows its whole
// placeholder, on a laptop and on a phone.
func TestBrowserSearchPlaceholderFits(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	signInBrowser(t, ctx, a, "ada")
	for _, w := range []int64{1366, 1280, 390} {
		run(t, ctx, viewport(w, 900))
		visit(t, ctx, apiTab(a))
		var got struct {
			Text        string
			Need, Width float64
		}
		run(t, ctx, chromedp.Evaluate(`(() => {
			const box = document.querySelector('[data-testid="token-search"]');
			const cs = getComputedStyle(box);
			const ctx = document.createElement('canvas').getContext('2d');
			ctx.font = cs.font;
			return {Text: box.placeholder, Need: ctx.measureText(box.placeholder).width,
				Width: box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 24}; // less the search cancel button
		})()`, &got))
		if got.Need > got.Width {
			t.Errorf("at %d px the placeholder %q needs %.0f px, the box has %.0f px: it is cut off", w, got.Text, got.Need, got.Width)
		}
	}
}
