package web_test

import (
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

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
// types an IP address (htmx swaps the table and pushes the URL), exports
// the filtered list with the page's own cookies, and clicks through to a
// token's most recent request.
func TestJourneyAuditorFiltersByIPAndExports(t *testing.T) {
	ctx := newTab(t)
	f := newAuditFixture(t)
	signInBrowser(t, ctx, f.a, "audra")

	if status := visit(t, ctx, f.a.ts.URL+"/orgs/acme/settings/audit"); status != 200 {
		t.Fatalf("audit page: status %d", status)
	}
	if got := auditTableNames(t, ctx); !slices.Equal(got, sorted(auditLive...)) {
		t.Errorf("unfiltered: %q, want %q", got, sorted(auditLive...))
	}

	run(t, ctx, fill(testid("audit-ip"), "203.0.113.7"))
	want := sorted("ada-deploy", "max-laptop")
	waitSettled(t, ctx)
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
	if names := column(t, rows, "name"); !slices.Equal(sorted(names...), want) {
		t.Errorf("exported %q, want %q", names, want)
	}
	for _, ips := range column(t, rows, "recent_ips") {
		if !strings.Contains(ips, "203.0.113.7") {
			t.Errorf("exported a row without the IP: %q", ips)
		}
	}

	// Through to the token's detail: its most recent request. The filter's
	// debounced swap must be over first, or the click lands on a row it
	// replaces.
	waitSettled(t, ctx)
	if status := submit(t, ctx, rowSel("max-laptop")+" "+testid("token-name")); status != 200 {
		t.Fatalf("detail: status %d", status)
	}
	waitURL(t, ctx, "/orgs/acme/settings/tokens/cli/"+f.tokens["max-laptop"].ID)
	if ips := textOf(t, ctx, testid("token-ips")); !strings.Contains(ips, "203.0.113.7") || !strings.Contains(ips, "198.51.100.2") {
		t.Errorf("detail's recent IPs: %q", ips)
	}
}

// valueOfAttr is an attribute of the first element matching sel.
func valueOfAttr(t *testing.T, ctx context.Context, sel, attr string) string {
	t.Helper()
	var v string
	run(t, ctx, chromedp.Evaluate(`document.querySelector(`+jsString(sel)+`)?.getAttribute(`+jsString(attr)+`) ?? ""`, &v))
	return v
}
