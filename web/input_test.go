package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSearchWithANulByteIsRefusedNot500: a NUL byte in the search of any
// tab, as a page or as the htmx fragment, and in the API's list, is a 400
// that says what to remove, never a 500.
func TestSearchWithANulByteIsRefusedNot500(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	for _, kind := range []string{"api", "cli", "service"} {
		for _, htmx := range []bool{false, true} {
			req := admin.request(http.MethodGet, "/orgs/acme/settings/tokens/"+kind+"?q=a%00b", nil, "")
			if htmx {
				req.Header.Set("HX-Request", "true")
				req.Header.Set("HX-Target", "token-table")
			}
			r := admin.do(req)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s tab (htmx %v): status %d\n%.300s", kind, htmx, r.status, r.body)
			}
			r.contains(t, "The search", "control characters", "Remove them")
		}
	}
	for _, path := range []string{"/orgs/acme/settings/audit?q=a%00b", "/orgs/acme/settings/audit?user=a%00", "/orgs/acme/settings/audit/events?actor=%00"} {
		if r := admin.get(path); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d", path, r.status)
		}
	}
	tok := a.adminToken(t)
	r := a.call(t, "GET", "/api/v1/tokens?q=a%00b", tok.Secret, "", "")
	if r.status != http.StatusBadRequest || r.header.Get("Content-Type") != "application/problem+json" || r.json["error"] != "invalid_request" {
		t.Fatalf("API search: %d %s", r.status, r.body)
	}
	if d, _ := r.json["detail"].(string); !strings.Contains(d, `"q"`) || !strings.Contains(d, "control characters") {
		t.Errorf("API search: detail %q", d)
	}
}

// TestControlCharactersAreRefusedInEveryInput: forms, JSON strings and
// headers with a control character get a 4xx naming the field, and nothing
// is written.
func TestControlCharactersAreRefusedInEveryInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/api")
	before := a.tokenCount(t)
	t.Run("a form field without its own check", func(t *testing.T) {
		r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"ok"}, "scopes": {"api"}, "expiry": {"30\x00"}})
		if r.status != http.StatusBadRequest {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, `The field &#34;expiry&#34; holds control characters`)
	})
	t.Run("a form field with its own check shows it next to the field", func(t *testing.T) {
		c := a.client()
		c.get("/login")
		r := c.post("/login", url.Values{"username": {"ada"}, "password": {testPassword + "\x00"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, `data-testid="error-password"`, "control characters")
		r = admin.post("/orgs/acme/settings/members", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"},
			"password": {"a long enough\tpassword"}, "role": {"member"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("member with a tab in the password: status %d", r.status)
		}
		r.contains(t, `data-testid="error-password"`, "control characters")
	})
	tok := a.adminToken(t, "api")
	t.Run("a JSON string", func(t *testing.T) {
		r := a.call(t, "POST", "/api/v1/tokens", tok.Secret, "application/json", `{"kind":"api","name":"a\u0000b","scopes":["api"]}`)
		if r.status != http.StatusBadRequest {
			t.Fatalf("status %d %s", r.status, r.body)
		}
		if d, _ := r.json["detail"].(string); !strings.Contains(d, `"name"`) || !strings.Contains(d, "control characters") {
			t.Errorf("detail %q", d)
		}
		r = a.call(t, "POST", "/oauth/revoke", "", "application/json", `{"tokens":["twa_x","\u001b[2J"]}`)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "tokens[1]") {
			t.Errorf("leak report: %d %s", r.status, r.body)
		}
	})
	t.Run("an OAuth form field", func(t *testing.T) {
		r := a.call(t, "POST", "/oauth/introspect", tok.Secret, formType, url.Values{"token": {tok.Secret}, "user_agent": {"ci\x01"}}.Encode())
		r.oauthErr(t, http.StatusBadRequest, "invalid_request")
	})
	t.Run("a header", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, a.ts.URL+"/api/v1/token", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		req.Header.Set("User-Agent", "curl\t8")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a tab in User-Agent: %d", res.StatusCode)
		}
	})
	if n := a.tokenCount(t); n != before+1 { // the API token made above
		t.Errorf("tokens %d -> %d", before, n)
	}
}

// TestFormsRefuseControlCharactersInTheFieldsTheyCheck walks every browser
// form field that refuseControls leaves to its form: each form refuses a
// NUL byte in it with a 4xx (never a 5xx, never a change made).
func TestFormsRefuseControlCharactersInTheFieldsTheyCheck(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	_, id := admin.createToken(t, "api", url.Values{"name": {"walked"}, "scopes": {"api"}})
	forms := []struct {
		path string
		good url.Values
	}{
		{"/login", url.Values{"username": {"ada"}, "password": {testPassword}}},
		{"/orgs/acme/settings/tokens/api", url.Values{"name": {"fresh"}, "scopes": {"api"}}},
		{"/orgs/acme/settings/tokens/api/" + id + "/edit", url.Values{"name": {"renamed"}, "scopes": {"api"}, "visibility": {"admins"}}},
		{"/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}, "url": {"https://example.com/p"}}},
		{"/orgs/acme/settings/members", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"}, "display_name": {"New"},
			"password": {"a long enough password"}, "role": {"member"}}},
		{"/admin/orgs", url.Values{"slug": {"initech"}, "name": {"Initech"}}},
		{"/admin/smtp", url.Values{"host": {"smtp.example.com"}, "port": {"587"}, "security": {"starttls"}, "username": {"mailer"},
			"password": {"secret"}, "from": {"tokenward@example.com"}}},
	}
	before := a.tokenCount(t)
	for _, f := range forms {
		for field := range f.good {
			t.Run(f.path+" "+field, func(t *testing.T) {
				vals := url.Values{}
				for k, v := range f.good {
					vals[k] = v
				}
				vals.Set(field, "ab\x00cd")
				c := admin
				if f.path == "/login" {
					c = a.client()
					c.get("/login")
				} else {
					c.get("/orgs/acme/settings/tokens/api")
				}
				r := c.post(f.path, vals)
				if r.status < 400 || r.status >= 500 || r.status == http.StatusForbidden { // 403: the form was not reached
					t.Fatalf("status %d\n%.500s", r.status, r.body)
				}
			})
		}
	}
	if n := a.tokenCount(t); n != before {
		t.Errorf("tokens %d -> %d", before, n)
	}
	if r := admin.get("/orgs/acme/settings/members"); strings.Contains(r.body, "newbie") {
		t.Error("a member was added")
	}
}
