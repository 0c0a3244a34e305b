package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestEmptyStatesCarryTheirButton: an empty tab offers what fills it, to
// those who may: create a token, onboard a service, or clear a search that
// found nothing.
func TestEmptyStatesCarryTheirButton(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	ada.get("/admin")
	if r := ada.post("/admin/orgs", url.Values{"slug": {"initech"}, "name": {"Initech"}}); r.status != http.StatusSeeOther {
		t.Fatalf("create org: %d", r.status)
	}
	base := "/orgs/initech/settings/tokens/"
	ada.get(base+"api").contains(t, `data-testid="empty-tokens"`,
		`<a class="btn btn-primary" href="/orgs/initech/settings/tokens/api/new" hx-get="/orgs/initech/settings/tokens/api/new" hx-target="#dialog-slot" hx-push-url="false" data-testid="empty-action">Create API token</a>`)
	ada.get(base+"cli").contains(t, `data-testid="empty-action">Create CLI token</a>`)
	ada.get(base+"service").contains(t, `href="/orgs/initech/settings/services" data-testid="empty-action">Onboard a service</a>`)
	r := a.signIn("max").get("/orgs/acme/settings/tokens/api?q=nothing-like-this")
	r.contains(t, `href="/orgs/acme/settings/tokens/api" data-testid="empty-action">Clear the search and filters</a>`)
	// An auditor, who creates nothing, gets no create button.
	r = a.signIn("audra").get("/orgs/acme/settings/tokens/service?q=nothing-like-this")
	r.contains(t, "Clear the search")
	r = a.signIn("audra").get("/orgs/acme/settings/tokens/api?q=nothing-like-this")
	r.lacks(t, ">Create API token</a>")
}
