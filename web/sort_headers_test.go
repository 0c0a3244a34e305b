package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// TestTokensSortHeaders: the tokens table's headers are sort links with
// aria-sort and an arrow on the column it is sorted by; following a
// header's link sorts by it, again the other way round; last use, oldest
// first, puts never-used tokens first; a bad sort is 400 with a message.
func TestTokensSortHeaders(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	used := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "used yesterday", Scopes: []string{"report"}})
	mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "never used", Scopes: []string{"report"}})
	if err := a.db.RecordUses(t.Context(), []store.Use{{TokenID: used.ID, At: a.db.Now().Add(-24 * time.Hour), IP: "203.0.113.9", What: "GET /api/v1/token"}}); err != nil {
		t.Fatal(err)
	}
	admin := a.signIn("ada")
	base := "/orgs/acme/settings/tokens/api"

	r := admin.get(base)
	// A plain link without JavaScript; with htmx it swaps only the table and
	// pushes the same URL.
	r.contains(t, `<th scope="col" aria-sort="descending"><a class="sort-link" href="/orgs/acme/settings/tokens/api?dir=asc" data-testid="sort-created" id="sort-created" hx-get="/orgs/acme/settings/tokens/api?dir=asc" hx-target="#token-table" hx-select="#token-table" hx-swap="outerHTML" hx-push-url="true">Created <span class="sort-arrow" aria-hidden="true">▼</span>`,
		`href="/orgs/acme/settings/tokens/api?dir=asc&amp;sort=name" data-testid="sort-name"`,
		`href="/orgs/acme/settings/tokens/api?sort=last_used" data-testid="sort-last_used"`)
	if n := strings.Count(r.body, "aria-sort="); n != 1 {
		t.Errorf("%d headers carry aria-sort, want 1", n)
	}

	r = admin.get(base + "?sort=last_used")
	r.contains(t, `aria-sort="descending"><a class="sort-link" href="/orgs/acme/settings/tokens/api?dir=asc&amp;sort=last_used" data-testid="sort-last_used"`)
	if i, j := strings.Index(r.body, "used yesterday"), strings.Index(r.body, "never used"); i < 0 || j < i {
		t.Errorf("last use, newest first: want used yesterday before never used")
	}
	r = admin.get(base + "?dir=asc&sort=last_used")
	r.contains(t, `aria-sort="ascending"`, `▲`)
	if i, j := strings.Index(r.body, "never used"), strings.Index(r.body, "used yesterday"); i < 0 || j < i {
		t.Errorf("last use, oldest first: want never used before used yesterday (never is the oldest)")
	}

	for _, q := range []string{"?sort=owner", "?dir=up"} {
		r := admin.get(base + q)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, r.status)
		}
		r.contains(t, `data-testid="filter-error"`)
	}
}
