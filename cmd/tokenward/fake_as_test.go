package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAS is a fake of the server's side of the protocols the client speaks:
// RFC 8414 metadata, RFC 8628 device authorization and token endpoint,
// RFC 7009 revocation, and GET /api/v1/token(s). The real server is tested
// end to end elsewhere; this one lets each answer be chosen.
type fakeAS struct {
	*httptest.Server
	mu         sync.Mutex
	answers    []string // the token endpoint's answers in turn: an RFC 8628 error code, or "ok"
	expiresIn  int
	deviceForm url.Values
	polls      []time.Time
	revoked    []string
	tokens     map[string]map[string]any // secret → GET /api/v1/token answer
	issued     int
}

func newFakeAS(t *testing.T, answers ...string) *fakeAS {
	f := &fakeAS{answers: answers, expiresIn: 600, tokens: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"issuer": f.URL, "device_authorization_endpoint": f.URL + "/oauth/device_authorization",
			"token_endpoint": "/oauth/token", "revocation_endpoint": f.URL + "/oauth/revoke",
			"grant_types_supported": []string{"urn:ietf:params:oauth:grant-type:device_code"}})
	})
	mux.HandleFunc("POST /oauth/device_authorization", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.deviceForm = r.PostForm
		f.mu.Unlock()
		if r.PostForm.Get("client_id") != cliClientID {
			oauthErr(w, 401, "invalid_client", "Unknown client.")
			return
		}
		if strings.Contains(r.PostForm.Get("scope"), "api") {
			oauthErr(w, 400, "invalid_scope", "A CLI token may not hold the scope \"api\".")
			return
		}
		writeJSON(w, 200, map[string]any{"device_code": "dev-code-1", "user_code": "WDJB-MJHT",
			"verification_uri": f.URL + "/device", "verification_uri_complete": f.URL + "/device?user_code=WDJB-MJHT",
			"expires_in": f.expiresIn, "interval": 1})
	})
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" ||
			r.PostForm.Get("device_code") != "dev-code-1" || r.PostForm.Get("client_id") != cliClientID {
			oauthErr(w, 400, "invalid_grant", "Unknown device code.")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.polls = append(f.polls, time.Now())
		answer := "authorization_pending"
		if len(f.answers) > 0 {
			answer, f.answers = f.answers[0], f.answers[1:]
		}
		if answer != "ok" {
			oauthErr(w, 400, answer, "The answer is "+answer+".")
			return
		}
		f.issued++
		secret := "tw_cli_secret" + string(rune('0'+f.issued))
		f.tokens[secret] = map[string]any{"id": "tok-" + secret, "kind": "cli", "name": "laptop", "org": "acme",
			"scopes": []string{"findings:local"}, "status": "active", "creator": "max", "owner": "max", "device_name": "laptop",
			"created_at": time.Now(), "expires_at": time.Now().Add(90 * 24 * time.Hour),
			"last_used": map[string]any{"at": time.Now(), "ip": "127.0.0.1", "what": "GET /api/v1/token"}}
		writeJSON(w, 200, map[string]any{"access_token": secret, "token_type": "Bearer", "scope": "findings:local", "expires_in": 7776000})
	})
	mux.HandleFunc("POST /oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.revoked = append(f.revoked, r.PostForm.Get("token"))
		delete(f.tokens, r.PostForm.Get("token"))
		f.mu.Unlock()
		writeJSON(w, 200, map[string]int{"received": 1})
	})
	mux.HandleFunc("GET /api/v1/token", func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := f.bearer(r); ok {
			writeJSON(w, 200, tok)
			return
		}
		problem(w, 401, "This token was revoked. Create a new one.")
	})
	mux.HandleFunc("GET /api/v1/tokens", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := f.bearer(r)
		if !ok {
			problem(w, 401, "Unknown token.")
			return
		}
		if scopes, _ := tok["scopes"].([]string); !strings.Contains(strings.Join(scopes, " "), "tokens:read") {
			problem(w, 403, "This token lacks the scope tokens:read.")
			return
		}
		list := []map[string]any{}
		if tok["kind"] == r.URL.Query().Get("kind") {
			list = append(list, tok)
		}
		writeJSON(w, 200, map[string]any{"tokens": list, "total": len(list), "page": 1, "per_page": 200})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAS) bearer(r *http.Request) (map[string]any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	return tok, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": detail})
}

// runClient runs a command in process with a config directory of the
// test's own, and returns stdout and stderr apart.
func runClient(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// useConfigDir points os.UserConfigDir at a fresh directory and returns it.
func useConfigDir(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)            // os.UserConfigDir on macOS
	t.Setenv("TOKENWARD_SERVER", "") // the default unless a test sets it
	return dir
}
