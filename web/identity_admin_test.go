package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestIdentityProviderAdmin: a site admin adds, edits and deletes
// providers at /admin/identity; bad input gets a 4xx with a message and
// writes nothing; the client secret is never shown.
func TestIdentityProviderAdmin(t *testing.T) {
	t.Parallel()
	a, op := idpApp(t)
	admin := a.signIn("ada")
	admin.get("/admin/identity").contains(t, a.ts.URL+"/login/callback", "No identity provider yet")
	p := addProvider(t, a, providerForm(op, "Okta"))

	// Servers that are not an OIDC issuer: no discovery, and a discovery
	// document naming another issuer.
	none := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(none.Close)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://someone-else.example", "authorization_endpoint": "https://someone-else.example/auth",
			"token_endpoint": "https://someone-else.example/token", "jwks_uri": "https://someone-else.example/keys"})
	}))
	t.Cleanup(other.Close)

	with := func(changes map[string]string) url.Values {
		f := providerForm(op, "Second")
		f.Set("client_id", "another-client")
		for k, v := range changes {
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"an issuer without discovery", with(map[string]string{"issuer": none.URL}), 422, "No OpenID Connect discovery document"},
		{"a discovery document for another issuer", with(map[string]string{"issuer": other.URL}), 422, "for another issuer"},
		{"a non-HTTPS issuer", with(map[string]string{"issuer": "http://idp.example.com"}), 422, "Use HTTPS"},
		{"not a URL", with(map[string]string{"issuer": "idp.example.com"}), 422, "Enter an address such as https://"},
		{"a duplicate name", with(map[string]string{"name": "okta"}), 409, "a provider named &#34;okta&#34; exists already"},
		{"the same issuer and client twice", with(map[string]string{"client_id": op.ClientID}), 409, "added already"},
		{"an empty client secret", with(map[string]string{"client_secret": ""}), 422, "Enter the client secret"},
		{"a bad domain", with(map[string]string{"domains": "example.org, not_a domain!"}), 422, "is not an email domain"},
		{"joining without domains", with(map[string]string{"domains": ""}), 422, "Joining needs at least one allowed domain"},
		{"joining without an org", with(map[string]string{"join_org": "nope"}), 422, "Choose the organization people join"},
		{"an unknown kind", with(map[string]string{"kind": "saml"}), 422, "Choose OpenID Connect or GitHub"},
		{"a non-HTTPS GitHub API", with(map[string]string{"kind": "github", "issuer": "", "api_url": "http://github.example.com"}), 422, "Use HTTPS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			admin.get("/admin/identity")
			r := admin.post("/admin/identity", tc.form)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d\n%.1500s", r.status, tc.status, r.body)
			}
			r.contains(t, tc.want)
			r.lacks(t, op.ClientSecret)
			list, err := a.db.Providers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Errorf("%d providers, want 1: a refused form wrote one", len(list))
			}
		})
	}

	t.Run("the list and the edit form never show the secret", func(t *testing.T) {
		admin.get("/admin/identity").lacks(t, op.ClientSecret)
		r := admin.get("/admin/identity/" + itoa(p.ID))
		r.contains(t, "A secret is saved", `value="Okta"`)
		r.lacks(t, op.ClientSecret)
	})
	t.Run("an edit with an empty secret keeps it", func(t *testing.T) {
		f := providerForm(op, "Okta SSO")
		f.Del("client_secret")
		admin.get("/admin/identity/" + itoa(p.ID))
		if r := admin.post("/admin/identity/"+itoa(p.ID), f); r.status != http.StatusSeeOther {
			t.Fatalf("edit: status %d\n%.2000s", r.status, r.body)
		}
		// Signing in still works: the client secret is the saved one.
		if r := signInAt(t, a.client(), p, "alice"); r.status != http.StatusSeeOther {
			t.Fatalf("sign in after the edit: status %d\n%.2000s", r.status, r.body)
		}
		a.client().get("/login").contains(t, "Sign in with Okta SSO")
	})
	t.Run("delete", func(t *testing.T) {
		admin.get("/admin/identity")
		if r := admin.post("/admin/identity/"+itoa(p.ID)+"/delete", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("delete: status %d", r.status)
		}
		admin.get("/admin/identity").contains(t, "Deleted Okta SSO.", "No identity provider yet")
		if strings.Contains(a.client().get("/login").body, "Sign in with") {
			t.Error("the sign-in page still offers the deleted provider")
		}
	})
}
