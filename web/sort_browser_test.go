package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSortByHeader: a person clicks the Name header and the table
// sorts A–Z with an ▲ on it; a second click sorts Z–A with ▼.
func TestBrowserSortByHeader(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	run(t, ctx, viewport(1366, 900))
	signInBrowser(t, ctx, a, "ada")
	visit(t, ctx, apiTab(a))
	read := func() (sort, arrow string, names []string) {
		t.Helper()
		var got struct {
			Sort, Arrow string
			Names       []string
		}
		run(t, ctx, chromedp.Evaluate(`(() => {
			const th = document.querySelector('[data-testid="sort-name"]').closest('th');
			return {Sort: th.getAttribute('aria-sort') || '', Arrow: th.querySelector('.sort-arrow').textContent,
				Names: Array.from(document.querySelectorAll('[data-testid="tokens-table"] [data-testid="token-name"]'), (a) => a.textContent.trim())};
		})()`, &got))
		return got.Sort, got.Arrow, got.Names
	}
	for _, want := range []struct{ dir, arrow string }{{"ascending", "▲"}, {"descending", "▼"}} {
		submit(t, ctx, testid("sort-name"))
		sort, arrow, names := read()
		sorted := slices.SortedFunc(slices.Values(names), func(x, y string) int { return strings.Compare(x, y) })
		if want.dir == "descending" {
			slices.Reverse(sorted)
		}
		if sort != want.dir || arrow != want.arrow || !slices.Equal(names, sorted) || len(names) < 2 {
			t.Errorf("after a click on Name: aria-sort %q, arrow %q, names %q; want %s, %s, in that order", sort, arrow, names, want.dir, want.arrow)
		}
		if got := selectedLabel(t, ctx, testid("sort")); got != "Name" {
			t.Errorf("the Sort by select says %q, want Name", got)
		}
	}
}
