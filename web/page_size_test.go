package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/web/core"
)

// TestTokensPageSizeAndEnds: a tab offers a page size, kept in the URL with
// the search, and links the first and last pages; a bad size is 400.
func TestTokensPageSizeAndEnds(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	for i := range 23 {
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: fmt.Sprintf("bulk %02d", i), Scopes: []string{"report"}})
	}
	admin := a.signIn("ada")
	base := "/orgs/acme/settings/tokens/api"
	r := admin.get(base + "?size=10")
	r.contains(t, `<select id="token-size" name="size" form="token-filter" data-autosubmit data-testid="page-size">`,
		`<option value="10" selected>10</option>`, "Page 1 of 3",
		`href="/orgs/acme/settings/tokens/api?page=3&amp;size=10" rel="last" data-testid="page-end">Last</a>`)
	r.lacks(t, `data-testid="page-first"`)
	r = admin.get(base + "?page=2&size=10")
	r.contains(t, `href="/orgs/acme/settings/tokens/api?size=10" rel="first" data-testid="page-first">First</a>`,
		`data-testid="page-end">Last</a>`)
	r = admin.get(base + "?page=3&size=10")
	r.contains(t, `data-testid="page-first">First</a>`)
	r.lacks(t, `data-testid="page-end"`)

	// The search form carries the size: its post goes on to a URL with it.
	r = admin.post(base+"/search", url.Values{"q": {"bulk"}, "size": {"50"}})
	if got := r.header.Get("Location"); r.status != http.StatusSeeOther || got != base+"?q=bulk&size=50" {
		t.Errorf("search with size 50: status %d, Location %q", r.status, got)
	}
	admin.get(base+"?q=bulk&size=50").contains(t, `<option value="50" selected>50</option>`, "Page 1 of 1 · 23 tokens")

	for _, size := range []string{"7", "x", "1000"} {
		r := admin.get(base + "?size=" + size)
		if r.status != http.StatusBadRequest {
			t.Errorf("size=%s: status %d, want 400", size, r.status)
		}
		r.contains(t, "Show 10, 25, 50 or 100 tokens a page.")
	}
}

// TestBrowserPageSize: picking 10 a page shows ten rows and puts the size
// in the URL, with JavaScript (htmx swaps the table) and without (the Show
// button posts the search form).
func TestBrowserPageSize(t *testing.T) {
	a := seededApp(t)
	for i := range 23 {
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: fmt.Sprintf("bulk %02d", i), Scopes: []string{"report"}})
	}
	rows := `document.querySelectorAll('[data-testid="tokens-table"] tbody tr').length`
	t.Run("with JavaScript", func(t *testing.T) {
		ctx := newTab(t)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		run(t, ctx, chromedp.SetValue(testid("page-size"), "10", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('[data-testid="page-size"]').dispatchEvent(new Event('change', {bubbles: true}))`, nil))
		waitSettled(t, ctx)
		waitJS(t, ctx, "ten rows", rows+` === 10`)
		if p := currentPath(t, ctx); !strings.HasPrefix(p, "/orgs/acme/settings/tokens/api?") || !strings.Contains(p, "size=10") {
			t.Errorf("the URL is %s, want the size in it", p)
		}
	})
	t.Run("without JavaScript", func(t *testing.T) {
		ctx := newTab(t)
		withoutJS(t, ctx)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		run(t, ctx, choose(testid("page-size"), "10"))
		if st := submit(t, ctx, testid("page-size-apply")); st != http.StatusOK {
			t.Fatalf("Show: status %d", st)
		}
		var n int
		run(t, ctx, chromedp.Evaluate(rows, &n))
		if p := currentPath(t, ctx); n != 10 || !strings.Contains(p, "size=10") {
			t.Errorf("%d rows at %s, want 10 at ?size=10", n, p)
		}
	})
}
