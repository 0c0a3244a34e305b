package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// fuzzCall sends one request and returns its status and body; inside a
// fuzz target only t may fail the test.
func fuzzCall(t *testing.T, hc *http.Client, method, u, secret, ctype, body string, hdr map[string]string) (int, string) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func hasControlChar(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// FuzzTextInputs sends any text as a search (page, htmx fragment and API),
// as a form field and as a JSON string. None answers 5xx; a control
// character is refused with a 4xx that says so; and none of these
// requests, each missing its scopes, writes a token.
func FuzzTextInputs(f *testing.F) {
	for _, s := range []string{"alpha", "a\x00b", "\x00", `"`, `"quote`, "NEAR(a b)", "a OR b", "*", "%", "_\\", "\xff\xfe",
		"a\tb", "line\nbreak", "\x1b[2J", "\u0085", "\u2028", "<script>alert(1)</script>", strings.Repeat("q", 201), "twa_" + strings.Repeat("a", 49)} {
		f.Add(s)
	}
	a := seededApp(f)
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/api")
	tok := a.adminToken(f, "api")
	base := a.ts.URL
	f.Fuzz(func(t *testing.T, s string) {
		before := a.tokenCount(t)
		control := hasControlChar(s)
		check := func(what string, status int, body string) {
			t.Helper()
			if status >= 500 || status < 200 {
				t.Fatalf("%s with %q: status %d\n%.500s", what, s, status, body)
			}
			if control && (status < 400 || !strings.Contains(body, "control characters")) {
				t.Fatalf("%s with %q: status %d does not refuse the control character\n%.500s", what, s, status, body)
			}
		}
		q := url.Values{"q": {s}}.Encode()
		st, body := fuzzCall(t, admin.http, "GET", base+"/orgs/acme/settings/tokens/api?"+q, "", "", "", nil)
		check("tab search", st, body)
		st, body = fuzzCall(t, admin.http, "GET", base+"/orgs/acme/settings/tokens/cli?"+q, "", "", "", map[string]string{"HX-Request": "true", "HX-Target": "token-table"})
		check("fragment search", st, body)
		st, body = fuzzCall(t, http.DefaultClient, "GET", base+"/api/v1/tokens?"+q, tok.Secret, "", "", nil)
		check("API search", st, body)
		form := url.Values{"name": {s}, "csrf_token": {admin.csrf}, "expiry": {s}}.Encode() // no scopes: never written
		st, body = fuzzCall(t, admin.http, "POST", base+"/orgs/acme/settings/tokens/api", "", formType, form, nil)
		check("form", st, body)
		name, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		st, body = fuzzCall(t, http.DefaultClient, "POST", base+"/api/v1/tokens", tok.Secret, "application/json",
			`{"kind":"api","name":`+string(name)+`,"scopes":[]}`, nil)
		check("JSON", st, body)
		if after := a.tokenCount(t); after != before {
			t.Fatalf("with %q: tokens %d -> %d", s, before, after)
		}
	})
}

// FuzzJSONBody sends any bytes as the JSON body of a token creation. None
// answers 5xx; a token is made only from a valid JSON object, and a refusal
// writes nothing.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []string{`{"kind":"api","name":"fuzz","scopes":["report"]}`, `{}`, `[]`, `null`, `{"name":"a\u0000b"}`,
		`{"kind":"api","name":"x","scopes":["report"]} {}`, `{"quota":"lots"}`, `{"quota":1e400}`, `{"scopes":"api"}`,
		`{"name":"\ud800"}`, `{"kind":"api","name":"x","scopes":["report"],"extra":1}`, "\xff", `{"name":` + strings.Repeat("[", 10000)} {
		f.Add([]byte(s))
	}
	a := seededApp(f)
	tok := a.adminToken(f, "api")
	f.Fuzz(func(t *testing.T, body []byte) {
		before := a.tokenCount(t)
		st, resp := fuzzCall(t, http.DefaultClient, "POST", a.ts.URL+"/api/v1/tokens", tok.Secret, "application/json", string(body), nil)
		if st >= 500 {
			t.Fatalf("body %q: status %d\n%.500s", body, st, resp)
		}
		after := a.tokenCount(t)
		switch {
		case st == http.StatusCreated && (!json.Valid(body) || after != before+1):
			t.Fatalf("body %q: created, valid JSON %v, tokens %d -> %d", body, json.Valid(body), before, after)
		case st != http.StatusCreated && after != before:
			t.Fatalf("body %q: status %d but tokens %d -> %d", body, st, before, after)
		}
	})
}
