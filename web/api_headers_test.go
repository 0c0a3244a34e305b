package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestTwoHeaderAuthentication: a token sent as X-Tokenward-Token-Id with
// X-Tokenward-Token-Secret works wherever Authorization: Bearer does
// (the API and introspection), and every way of getting the headers wrong
// gets a 401 or 400 saying what to fix, without echoing the secret.
func TestTwoHeaderAuthentication(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t, "api", "introspect")
	other := a.adminToken(t, "report:read")
	send := func(method, path string, headers map[string][]string, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, a.ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	const idH, secretH = "X-Tokenward-Token-Id", "X-Tokenward-Token-Secret"
	good := map[string][]string{idH: {tok.Token.ID}, secretH: {tok.Secret}}

	if st, body := send("GET", "/api/v1/token", good, ""); st != http.StatusOK || !strings.Contains(body, tok.Token.ID) {
		t.Fatalf("two headers on the API: %d %s", st, body)
	}
	upper := map[string][]string{idH: {strings.ToUpper(tok.Token.ID)}, secretH: {tok.Secret}}
	if st, body := send("GET", "/api/v1/tokens", upper, ""); st != http.StatusOK {
		t.Errorf("an id in capitals: %d %s", st, body)
	}
	if st, body := send("POST", "/oauth/introspect", good, "token="+other.Secret); st != http.StatusOK || !strings.Contains(body, `"active":true`) {
		t.Errorf("two headers on introspection: %d %s", st, body)
	}

	for _, c := range []struct {
		name    string
		headers map[string][]string
		status  int
		says    string
	}{
		{"another token's id", map[string][]string{idH: {other.Token.ID}, secretH: {tok.Secret}}, 401, "not the id of the token"},
		{"no secret", map[string][]string{idH: {tok.Token.ID}}, 401, secretH + " is missing"},
		{"an empty secret", map[string][]string{idH: {tok.Token.ID}, secretH: {" "}}, 401, secretH + " is missing"},
		{"no id", map[string][]string{secretH: {tok.Secret}}, 401, idH + " is missing"},
		{"a bad secret", map[string][]string{idH: {tok.Token.ID}, secretH: {"twa_nope"}}, 401, ""},
		{"both forms", map[string][]string{idH: {tok.Token.ID}, secretH: {tok.Secret}, "Authorization": {"Bearer " + tok.Secret}}, 400, "not both"},
		{"the id twice", map[string][]string{idH: {tok.Token.ID, tok.Token.ID}, secretH: {tok.Secret}}, 400, "once"},
		{"the secret twice", map[string][]string{idH: {tok.Token.ID}, secretH: {tok.Secret, tok.Secret}}, 400, "once"},
		{"a malformed id", map[string][]string{idH: {"12345"}, secretH: {tok.Secret}}, 400, "must be a UUID"},
		{"an id with a newline smuggled", map[string][]string{idH: {tok.Token.ID + "x"}, secretH: {tok.Secret}}, 400, "must be a UUID"},
		{"the secret in the id header", map[string][]string{idH: {tok.Secret}, secretH: {tok.Secret}}, 400, "holds a token secret"},
	} {
		st, body := send("GET", "/api/v1/token", c.headers, "")
		if st != c.status || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, st, body, c.status, c.says)
		}
		if strings.Contains(body, tok.Secret) {
			t.Errorf("%s: the answer repeats the secret", c.name)
		}
	}
}
