package web_test

import (
	"context"
	"encoding/csv"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// auditTableNames are the token names the audit table lists, sorted.
func auditTableNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var names []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('#audit-table [data-testid="token-name"]'), el => el.textContent.trim())`, &names))
	slices.Sort(names)
	return names
}

// TestJourneyAuditorFiltersByIPAndExports: an auditor opens the audit page,
// types an IP address (with JavaScript htmx swaps the table and pushes the
// URL; without, Apply loads it), exports the filtered list with the page's
// own cookies, pastes a whole token into the Token field (no URL the
// browser requests ever holds it: the page's URL names the token by its
// id), and clicks through to the token's most recent request.
func TestJourneyAuditorFiltersByIPAndExports(t *testing.T) {
	f := newAuditFixture(t)
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		signInBrowser(t, ctx, f.a, "audra")
		urls := requestedURLs(ctx)

		if status := visit(t, ctx, f.a.ts.URL+"/orgs/acme/settings/audit"); status != 200 {
			t.Fatalf("audit page: status %d", status)
		}
		if got := auditTableNames(t, ctx); !slices.Equal(got, sorted(auditLive...)) {
			t.Errorf("unfiltered: %q, want %q", got, sorted(auditLive...))
		}

		run(t, ctx, fill(testid("audit-ip"), "203.0.113.7"))
		j.applyFilters(testid("audit-filter"))
		want := sorted("ada-deploy", "max-laptop")
		if got := auditTableNames(t, ctx); !slices.Equal(got, want) {
			t.Fatalf("filtered by IP: table lists %q, want %q", got, want)
		}
		if p := waitURL(t, ctx, "/orgs/acme/settings/audit?"); !strings.Contains(p, "ip=203.0.113.7") {
			t.Errorf("pushed URL %s lacks the filter", p)
		}
		href := valueOfAttr(t, ctx, testid("export-csv"), "href")
		if !strings.HasPrefix(href, "/orgs/acme/settings/audit/tokens.csv?") || !strings.Contains(href, "ip=203.0.113.7") {
			t.Errorf("export link %q does not carry the filter", href)
		}
		rows := exportFromPage(t, ctx)
		if names := column(t, rows, "name"); !slices.Equal(sorted(names...), want) {
			t.Errorf("exported %q, want %q", names, want)
		}
		for _, ips := range column(t, rows, "recent_ips") {
			if !strings.Contains(ips, "203.0.113.7") {
				t.Errorf("exported a row without the IP: %q", ips)
			}
		}

		// Paste max-laptop's whole secret into the Token field.
		secret, laptop := f.secrets["max-laptop"], f.tokens["max-laptop"]
		run(t, ctx,
			chromedp.Focus(testid("audit-token"), chromedp.ByQuery),
			chromedp.ActionFunc(func(ctx context.Context) error { return input.InsertText(secret).Do(ctx) }))
		j.applyFilters(testid("audit-filter"))
		if got := auditTableNames(t, ctx); !slices.Equal(got, []string{"max-laptop"}) {
			t.Fatalf("pasted token: table lists %q, want max-laptop", got)
		}
		waitJS(t, ctx, "the URL to name the token", `location.search.includes('token=')`)
		if u, err := url.Parse(f.a.ts.URL + currentPath(t, ctx)); err != nil || u.Query().Get("token") != laptop.ID || u.Query().Get("ip") != "203.0.113.7" {
			t.Errorf("address bar %s, want token = the id %s and the IP kept", currentPath(t, ctx), laptop.ID)
		}
		if got := valueOf(t, ctx, testid("audit-token")); got != laptop.ID {
			t.Errorf("Token field holds %q after the search, want the id %s", got, laptop.ID)
		}
		if href := valueOfAttr(t, ctx, testid("export-csv"), "href"); !strings.Contains(href, "token="+laptop.ID) {
			t.Errorf("export link %q does not name the token by its id", href)
		}
		if names := column(t, exportFromPage(t, ctx), "name"); !slices.Equal(names, []string{"max-laptop"}) {
			t.Errorf("exported %q, want max-laptop", names)
		}
		if strings.Contains(pageHTML(t, ctx), secret) {
			t.Error("the secret is somewhere in the page after the search")
		}

		// Through to the token's detail: its most recent request. The filter's
		// debounced swap must be over first, or the click lands on a row it
		// replaces.
		waitSettled(t, ctx)
		if status := submit(t, ctx, rowSel("max-laptop")+" "+testid("token-name")); status != 200 {
			t.Fatalf("detail: status %d", status)
		}
		waitURL(t, ctx, "/orgs/acme/settings/tokens/cli/"+laptop.ID)
		if ips := textOf(t, ctx, testid("token-ips")); !strings.Contains(ips, "203.0.113.7") || !strings.Contains(ips, "198.51.100.2") {
			t.Errorf("detail's recent IPs: %q", ips)
		}
		for _, u := range urls() {
			if strings.Contains(u, secret) || strings.Contains(u, url.QueryEscape(secret)) {
				t.Errorf("the browser requested a URL holding the secret: %s", u)
			}
		}
	})
}

// exportFromPage fetches the page's export link with its own cookies and
// returns the CSV's rows.
func exportFromPage(t *testing.T, ctx context.Context) [][]string {
	t.Helper()
	var got struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	evalAsync(t, ctx, `(async () => {
		const r = await fetch(document.querySelector('[data-testid="export-csv"]').href, {credentials: 'same-origin'});
		return {status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: await r.text()};
	})()`, &got)
	if got.Status != 200 || got.Type != "text/csv; charset=utf-8" || !strings.HasPrefix(got.Disposition, "attachment;") {
		t.Fatalf("export: status %d, type %q, disposition %q", got.Status, got.Type, got.Disposition)
	}
	rows, err := csv.NewReader(strings.NewReader(got.Body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, got.Body)
	}
	return rows
}

// valueOfAttr is an attribute of the first element matching sel.
func valueOfAttr(t *testing.T, ctx context.Context, sel, attr string) string {
	t.Helper()
	var v string
	run(t, ctx, chromedp.Evaluate(`document.querySelector(`+jsString(sel)+`)?.getAttribute(`+jsString(attr)+`) ?? ""`, &v))
	return v
}
