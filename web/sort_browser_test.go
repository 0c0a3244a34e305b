package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSortByHeader: a person clicks the Name header and the table
// sorts A–Z with an ▲ on it; a second click sorts Z–A with ▼. With
// JavaScript the click swaps only the table: the page stays (a marker set
// on window survives), focus stays on the header link, and the address bar
// and the Sort by select follow; without, the header is a plain link.
func TestBrowserSortByHeader(t *testing.T) {
	a := layoutApp(t)
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		run(t, ctx, viewport(1366, 900))
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		run(t, ctx, chromedp.Evaluate(`window.__samePage = true`, nil))
		for _, want := range []struct{ dir, arrow, query string }{{"ascending", "▲", "dir=asc&sort=name"}, {"descending", "▼", "sort=name"}} {
			j.follow(testid("sort-name"))
			h := readSortHeader(t, ctx, "sort-name", "tokens-table")
			sorted := slices.SortedFunc(slices.Values(h.Names), func(x, y string) int { return strings.Compare(x, y) })
			if want.dir == "descending" {
				slices.Reverse(sorted)
			}
			if h.Sort != want.dir || h.Arrow != want.arrow || !slices.Equal(h.Names, sorted) || len(h.Names) < 2 {
				t.Errorf("after a click on Name: aria-sort %q, arrow %q, names %q; want %s, %s, in that order", h.Sort, h.Arrow, h.Names, want.dir, want.arrow)
			}
			if got := selectedLabel(t, ctx, testid("sort")); got != "Name" {
				t.Errorf("the Sort by select says %q, want Name", got)
			}
			if u, _ := url.Parse(h.URL); u == nil || u.RawQuery != want.query {
				t.Errorf("address bar %s, want ?%s", h.URL, want.query)
			}
			if j.js && (!h.SamePage || h.Focused != "sort-name") {
				t.Errorf("with JavaScript the page reloaded (marker kept: %v) or focus left the header (focus on %q)", h.SamePage, h.Focused)
			}
		}
	})
}

// sortState is what a person sees of a sortable header and its table.
type sortState struct {
	Sort, Arrow string
	Names       []string
	URL         string
	// SamePage is whether window.__samePage, set before, survived;
	// Focused is the data-testid of the focused element.
	SamePage bool
	Focused  string
}

// readSortHeader reads the header whose link has testid id, the names its
// table (data-testid table) lists, the address bar and the focus.
func readSortHeader(t *testing.T, ctx context.Context, id, table string) sortState {
	t.Helper()
	var got sortState
	run(t, ctx, chromedp.Evaluate(`(() => {
		const th = document.querySelector('[data-testid="`+id+`"]').closest('th');
		return {Sort: th.getAttribute('aria-sort') || '', Arrow: th.querySelector('.sort-arrow').textContent,
			Names: Array.from(document.querySelectorAll('[data-testid="`+table+`"] [data-testid="token-name"]'), (a) => a.textContent.trim()),
			URL: location.href, SamePage: window.__samePage === true, Focused: document.activeElement?.dataset.testid || ''};
	})()`, &got))
	return got
}
