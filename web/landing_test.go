package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// Landing and navigation: a person with one org signs in straight to its
// Tokens page, the org list keeps each section its own link, and pages of
// no org keep the settings navigation.
func TestLandingAndNavigation(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	for _, c := range []struct{ user, want string }{
		{"ada", "/orgs/acme/settings/tokens/api"},
		{"max", "/orgs/acme/settings/tokens/api"},
		{"audra", "/orgs/acme/settings/tokens/api"},
		{"gus", "/orgs/globex/settings/tokens/api"},
	} {
		cl := a.client()
		cl.get("/login")
		r := cl.post("/login", url.Values{"username": {c.user}, "password": {testPassword}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != c.want {
			t.Errorf("%s signs in to %d %q, want %q", c.user, r.status, r.header.Get("Location"), c.want)
		}
	}
	ada := a.signIn("ada")
	ada.get("/").contains(t, `<ul class="link-list" aria-label="Sections of Acme"><li><a href="/orgs/acme/settings/tokens/api">Tokens</a></li><li>`)
	for _, p := range []string{"/me/tokens", "/notifications", "/admin"} {
		ada.get(p).contains(t, `<nav class="sidenav" aria-label="Settings"><a href="/orgs/acme/settings/tokens/api"`)
	}
	a.signIn("max").get("/me/tokens").contains(t, `<nav class="sidenav" aria-label="Settings"><a href="/orgs/acme/settings/tokens/api" aria-current="">Tokens</a></nav>`)
}
