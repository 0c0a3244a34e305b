package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// TestSharedTokenRevealSaysAnEncryptedCopyIsKept: the reveal of an
// org-visible token says what is kept (an encrypted copy members can reveal
// again, each reveal audited); an admins-only token's still says only its
// hash is kept.
func TestSharedTokenRevealSaysAnEncryptedCopyIsKept(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	const kept, hashOnly = "Tokenward keeps an encrypted copy of this token", "keeps only its hash"

	admin.get("/orgs/acme/settings/tokens/api")
	r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"shared"}, "scopes": {"report:read"}, "visibility": {"org"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create shared: %d", r.status)
	}
	r.contains(t, kept, "members of the organization can reveal it again", "Every reveal is recorded in the audit log")
	r.lacks(t, hashOnly)

	r = admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"hidden"}, "scopes": {"api"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create admins-only: %d", r.status)
	}
	r.contains(t, "It will not be shown again: Tokenward "+hashOnly)
	r.lacks(t, kept)

	_, id := admin.createToken(t, "api", url.Values{"name": {"shared too"}, "scopes": {"report:read"}, "visibility": {"org"}})
	tok := mustToken(t, a, id)
	rotated := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}})
	rotated.contains(t, kept)
	rotated.lacks(t, hashOnly)

	member := a.signIn("max")
	member.get("/orgs/acme/settings/tokens/api")
	revealed := member.post(tokenURL(tok, "reveal"), url.Values{})
	if revealed.status != http.StatusOK {
		t.Fatalf("member reveal: %d", revealed.status)
	}
	revealed.contains(t, kept, "Every reveal is recorded in the audit log")
	revealed.lacks(t, hashOnly)
}

// TestPagePastTheEndLinksLastPage: a page number past the end says so and
// links the last page, keeping the filters, on the token tabs (page and
// fragment) and the audit page, instead of "No API tokens yet" or "Page 5
// of 1".
func TestPagePastTheEndLinksLastPage(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.user(t, "ada")
	for i := range 16 {
		a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: fmt.Sprintf("page token %02d", i), Scopes: []string{"api"},
			CreatorID: ada.ID, OwnerUserID: ada.ID})
	}
	admin := a.signIn("ada")
	t.Run("token tab", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/api?page=2")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "Page 2 is past the end: the 16 tokens fit on 1 page.",
			`href="/orgs/acme/settings/tokens/api" rel="last" data-testid="page-last"`)
		r.lacks(t, "No API tokens yet", "Create one for each integration")
	})
	t.Run("token tab keeps the filters", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/api?sort=name&page=9")
		r.contains(t, "Page 9 is past the end", `href="/orgs/acme/settings/tokens/api?sort=name" rel="last"`)
	})
	t.Run("token table fragment", func(t *testing.T) {
		req := admin.request(http.MethodGet, "/orgs/acme/settings/tokens/api?page=2", nil, "")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "token-table")
		r := admin.do(req)
		r.contains(t, `id="token-table"`, "Page 2 is past the end", `data-testid="page-last"`)
		r.lacks(t, "No API tokens yet", "<html")
	})
	t.Run("audit tokens", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/audit?page=5")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "Page 5 is past the end", `href="/orgs/acme/settings/audit" rel="last"`)
		r.lacks(t, "Page 5 of 1", "No tokens have access")
	})
	t.Run("the last page itself is listed", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/api?page=1")
		r.contains(t, "page token 00", "Page 1 of 1")
		r.lacks(t, "past the end")
	})
	t.Run("past the end of a search with no matches is no match", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/api?q=nothing-matches&page=3")
		r.contains(t, "No tokens match")
		r.lacks(t, "past the end")
	})
}

// TestAPIListPastTheEndSaysHowManyPages: GET /api/v1/tokens answers how
// many pages the total fills, so a client asking past the end can tell its
// empty list from "no tokens".
func TestAPIListPastTheEndSaysHowManyPages(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t)
	for range 3 {
		a.adminToken(t)
	}
	for _, tt := range []struct {
		query       string
		pages, rows int
	}{{"?per_page=2", 2, 2}, {"?per_page=2&page=2", 2, 2}, {"?per_page=2&page=3", 2, 0}, {"", 1, 4}} {
		r := a.call(t, "GET", "/api/v1/tokens"+tt.query, tok.Secret, "", "")
		rows, _ := r.json["tokens"].([]any)
		if r.status != http.StatusOK || r.json["pages"] != float64(tt.pages) || r.json["total"] != float64(4) || len(rows) != tt.rows {
			t.Errorf("%s: %d pages=%v total=%v rows=%d, want pages=%d total=4 rows=%d", tt.query, r.status, r.json["pages"], r.json["total"], len(rows), tt.pages, tt.rows)
		}
	}
}

// TestEventLogPastTheEndSaysSo: the event log pages by "before" an event;
// asked for what is before the oldest one, it says the page is past the end
// and links the newest events, not "Nothing has happened in this
// organization yet".
func TestEventLogPastTheEndSaysSo(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	page, err := a.db.Events(context.Background(), store.EventQuery{OrgID: a.org.ID, Limit: 1000})
	if err != nil || len(page.Events) == 0 {
		t.Fatalf("events: %v, %v", page.Events, err)
	}
	oldest := page.Events[len(page.Events)-1].ID
	r := a.signIn("ada").get(fmt.Sprintf("/orgs/acme/settings/audit/events?before=%d", oldest))
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	r.contains(t, "the page is past the end of the log", `href="/orgs/acme/settings/audit/events" data-testid="page-newest"`)
	r.lacks(t, "Nothing has happened in this organization yet")
}
