package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAuditSortHeaders: the audit table's Created and Last used headers
// are sort links (the same component as the tokens tabs') with aria-sort
// and an arrow on the column it is sorted by; a second click reverses;
// last use, oldest first, puts never-used tokens first. A header's link
// keeps the filters, and an htmx click gets the table with the form's sort
// choices out of band.
func TestAuditSortHeaders(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("audra")
	base := "/orgs/acme/settings/audit"

	r := c.get(base + "?kind=api")
	r.contains(t, `<th scope="col" aria-sort="descending"><a class="sort-link" href="/orgs/acme/settings/audit?dir=asc&amp;kind=api" data-testid="sort-created" id="sort-created" hx-get="/orgs/acme/settings/audit?dir=asc&amp;kind=api" hx-target="#audit-table" hx-select="#audit-table" hx-swap="outerHTML" hx-push-url="true">Created <span class="sort-arrow" aria-hidden="true">▼</span>`,
		`<th scope="col"><a class="sort-link" href="/orgs/acme/settings/audit?kind=api&amp;sort=last_used" data-testid="sort-last_used"`)
	if n := strings.Count(r.body, "aria-sort="); n != 1 {
		t.Errorf("%d headers carry aria-sort, want 1", n)
	}

	r = c.get(base + "?kind=api&sort=last_used")
	r.contains(t, `aria-sort="descending"><a class="sort-link" href="/orgs/acme/settings/audit?dir=asc&amp;kind=api&amp;sort=last_used" data-testid="sort-last_used"`, "▼")
	newest := tableOrder(t, r.body)
	r = c.get(base + "?dir=asc&kind=api&sort=last_used")
	r.contains(t, `aria-sort="ascending"><a class="sort-link" href="/orgs/acme/settings/audit?kind=api&amp;sort=last_used" data-testid="sort-last_used"`, "▲")
	oldest := tableOrder(t, r.body)
	// Never used: max-reports, audra-repos, stale-forever; used: stale-used
	// long ago, ada-deploy lately.
	if len(oldest) != 5 || !slices.Equal(sorted(oldest[:3]...), sorted("max-reports", "audra-repos", "stale-forever")) || !slices.Equal(oldest[3:], []string{"stale-used", "ada-deploy"}) {
		t.Errorf("last use, oldest first: %q; want the never used first, then stale-used, ada-deploy", oldest)
	}
	if !slices.Equal(newest[:2], []string{"ada-deploy", "stale-used"}) {
		t.Errorf("last use, newest first: %q; want ada-deploy, stale-used, then the never used", newest)
	}

	req := c.request(http.MethodGet, base+"?dir=asc&kind=api&sort=last_used", nil, "")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "audit-table")
	h := c.do(req)
	h.lacks(t, "<html", `data-testid="audit-user"`)
	h.contains(t, `id="audit-table"`, `id="audit-sort-fields" hx-swap-oob="true"`, `<option value="last_used" selected>`, `<option value="asc" selected>`)
}
