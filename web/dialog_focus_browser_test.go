package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDialogFocus: the create dialog opens with focus on its first
// field, Name; Escape on the reveal that follows puts focus back on the new
// token's row, not on the top of the page.
func TestBrowserDialogFocus(t *testing.T) {
	ctx := newTab(t)
	a := seededApp(t)
	run(t, ctx, viewport(1366, 900))
	signInBrowser(t, ctx, a, "ada")
	visit(t, ctx, apiTab(a))
	openDialog(t, ctx, testid("create-token"), "create-dialog")
	var focused string
	run(t, ctx, chromedp.Evaluate(`document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName`, &focused))
	if focused != "name" {
		t.Errorf("the create dialog opened with focus on %q, want its first field, name", focused)
	}
	dlg := testid("create-dialog")
	run(t, ctx, fill(dlg+" #name", "focus test"), chromedp.Click(dlg+" "+testid("scope-report:read"), chromedp.ByQuery))
	if st := submit(t, ctx, dlg+" "+testid("create-submit")); st != http.StatusCreated {
		t.Fatalf("create: status %d", st)
	}
	waitJS(t, ctx, "the reveal dialog", `document.querySelector('[data-testid="reveal-dialog"]')?.matches(':modal')`)
	closeDialog(t, ctx, "reveal-dialog")
	waitJS(t, ctx, "focus back on the new token's row",
		`document.activeElement?.closest('tr')?.dataset.testid === 'token-row-focus%20test'`)
}
