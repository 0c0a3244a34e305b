package web_test

import (
	"encoding/csv"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAuditSortByHeader: an auditor clicks the audit table's Last
// used header and the table sorts newest use first with ▼; a second click
// sorts oldest first with ▲, the never-used tokens first. With JavaScript
// the click swaps only the table (the page stays, focus stays on the
// header), the address bar and the Sort by select follow; without, the
// header is a plain link.
func TestBrowserAuditSortByHeader(t *testing.T) {
	f := newAuditFixture(t)
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		signInBrowser(t, ctx, f.a, "audra")
		visit(t, ctx, f.a.ts.URL+"/orgs/acme/settings/audit?kind=api")
		run(t, ctx, chromedp.Evaluate(`window.__samePage = true`, nil))
		for _, want := range []struct {
			dir, arrow, query string
			first             []string
		}{
			{"descending", "▼", "kind=api&sort=last_used", []string{"ada-deploy", "stale-used"}},
			{"ascending", "▲", "dir=asc&kind=api&sort=last_used", nil},
		} {
			j.follow(testid("sort-last_used"))
			h := readSortHeader(t, ctx, "sort-last_used", "audit-tokens-table")
			if h.Sort != want.dir || h.Arrow != want.arrow || len(h.Names) != 5 {
				t.Errorf("after a click on Last used: aria-sort %q, arrow %q, %d rows; want %s, %s, 5", h.Sort, h.Arrow, len(h.Names), want.dir, want.arrow)
			}
			if want.first == nil && len(h.Names) == 5 && !slices.Equal(sorted(h.Names[:3]...), sorted("max-reports", "audra-repos", "stale-forever")) {
				t.Errorf("oldest use first: %q; want the never used first", h.Names)
			}
			if want.first != nil && (len(h.Names) < 2 || !slices.Equal(h.Names[:2], want.first)) {
				t.Errorf("newest use first: %q; want %q first", h.Names, want.first)
			}
			if got := selectedLabel(t, ctx, testid("audit-sort")); got != "Last used" {
				t.Errorf("the Sort by select says %q, want Last used", got)
			}
			if u, _ := url.Parse(h.URL); u == nil || u.RawQuery != want.query {
				t.Errorf("address bar %s, want ?%s", h.URL, want.query)
			}
			if j.js && (!h.SamePage || h.Focused != "sort-last_used") {
				t.Errorf("with JavaScript the page reloaded (marker kept: %v) or focus left the header (focus on %q)", h.SamePage, h.Focused)
			}
		}
	})
}

// TestBrowserTabExportFollowsSearch: a person searches the API tab (htmx
// swaps the table; without JavaScript Search loads the page) and the
// Export CSV link then carries the search, and the file lists the rows
// the table shows, in its order.
func TestBrowserTabExportFollowsSearch(t *testing.T) {
	f := newAuditFixture(t)
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		signInBrowser(t, ctx, f.a, "audra")
		visit(t, ctx, f.a.ts.URL+"/orgs/acme/settings/tokens/api")
		run(t, ctx, fill(testid("token-search"), "max"))
		j.pick(testid("sort"), "name")
		j.pick(testid("sort-dir"), "asc")
		j.applyFilters(testid("token-filter"))
		rows := rowNames(t, ctx)
		if !slices.Equal(rows, []string{"max-reports", "stale-forever"}) {
			t.Fatalf("searched max, by name: table lists %q", rows)
		}
		href := valueOfAttr(t, ctx, testid("export-tokens-csv"), "href")
		if u, err := url.Parse(href); err != nil || u.Query().Get("q") != "max" || u.Query().Get("sort") != "name" || u.Query().Get("dir") != "asc" {
			t.Errorf("export link %q does not carry the search and sort", href)
		}
		var body string
		evalAsync(t, ctx, `fetch(document.querySelector('[data-testid="export-tokens-csv"]').href, {credentials: 'same-origin'}).then((r) => r.text())`, &body)
		csvRows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v\n%s", err, body)
		}
		if names := column(t, csvRows, "name"); !slices.Equal(names, rows) {
			t.Errorf("export lists %q, the table %q", names, rows)
		}
	})
}
