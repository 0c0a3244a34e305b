package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAuditLabelsStayWithControls: at every width, each audit filter's
// label sits on the same line as its control, right before it.
func TestBrowserAuditLabelsStayWithControls(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	signInBrowser(t, ctx, a, "ada")
	for _, w := range []int64{1366, 1280, 1024, 390} {
		run(t, ctx, viewport(w, 900))
		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/audit")
		var apart []string
		run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="audit-filter"] label[for]')).filter((l) => {
			const c = document.getElementById(l.htmlFor);
			if (!c) return true;
			const lr = l.getBoundingClientRect(), cr = c.getBoundingClientRect();
			const sameLine = lr.top < cr.bottom && cr.top < lr.bottom;
			return !sameLine || cr.left < lr.right || cr.left - lr.right > 24;
		}).map((l) => l.textContent.trim())`, &apart))
		if len(apart) > 0 {
			t.Errorf("at %d px these labels are away from their controls: %q", w, apart)
		}
	}
}
