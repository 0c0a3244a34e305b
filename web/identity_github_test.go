package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"tokenward/web"
)

// fakeGitHub serves GitHub's OAuth app endpoints (authorize, access_token)
// and the two API calls Tokenward makes (/user, /user/emails), as GitHub
// documents them, for the one person it knows. GitHub cannot be reached
// from the tests; this is a protocol fake, not a mock of our code.
type fakeGitHub struct {
	srv      *httptest.Server
	clientID string
	secret   string
	id       int64
	login    string
	emails   []map[string]any

	mu    sync.Mutex
	codes map[string]string // code → PKCE challenge
	hang  bool              // the token endpoint never answers
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{clientID: "gh-client", secret: "gh-secret", id: 4242, login: "Octo.Cat",
		emails: []map[string]any{{"email": "octo@private.example", "verified": true, "primary": true},
			{"email": "octo@example.org", "verified": true, "primary": false}},
		codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != f.clientID || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad authorize request", http.StatusBadRequest)
			return
		}
		code := "code-" + q.Get("state")[:8]
		f.mu.Lock()
		f.codes[code] = q.Get("code_challenge")
		f.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		hang := f.hang
		f.mu.Unlock()
		if hang {
			// Read the body first: only then does the server notice the
			// client hanging up, which ends r's context.
			_ = r.ParseForm()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
		}
		f.mu.Lock()
		challenge, known := f.codes[r.FormValue("code")]
		delete(f.codes, r.FormValue("code"))
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
		w.Header().Set("Content-Type", "application/json")
		if id != f.clientID || secret != f.secret || !known || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "gho_fake", "token_type": "bearer", "scope": "read:user,user:email"})
	})
	api := func(v func() any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer gho_fake" {
				http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v())
		}
	}
	mux.HandleFunc("GET /api/user", api(func() any { return map[string]any{"id": f.id, "login": f.login, "name": "The Octocat"} }))
	mux.HandleFunc("GET /api/user/emails", api(func() any { return f.emails }))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// TestGitHubProvider: GitHub as an OAuth app, against the protocol fake: a
// person with a verified address in the domain joins (the address in the
// domain, not the primary one, is used), a second sign-in finds them, and
// without a verified address in the domain they are refused.
func TestGitHubProvider(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	gh := newFakeGitHub(t)
	p := addProvider(t, a, url.Values{"kind": {"github"}, "name": {"GitHub"}, "issuer": {gh.srv.URL}, "api_url": {gh.srv.URL + "/api"},
		"client_id": {gh.clientID}, "client_secret": {gh.secret}, "domains": {"example.org"}, "join": {"1"}, "join_org": {"acme"}, "join_role": {"auditor"}})
	ctx := context.Background()
	signIn := func(c *client) response { t.Helper(); return gitHubSignIn(t, c, p.ID) }

	c := a.client()
	if r := signIn(c); r.status != http.StatusSeeOther {
		t.Fatalf("join: status %d\n%.2000s", r.status, r.body)
	}
	u, err := a.db.IdentityUser(ctx, p.ID, "4242")
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "octo.cat" || u.Email != "octo@example.org" {
		t.Errorf("joined %s <%s>, want octo.cat <octo@example.org>", u.Username, u.Email)
	}
	if m, err := a.db.Membership(ctx, a.org.ID, u.ID); err != nil || m.Role != "auditor" {
		t.Errorf("membership %+v %v, want auditor", m, err)
	}
	t.Run("a second sign-in finds the account", func(t *testing.T) {
		before := userCount(t, a)
		if r := signIn(a.client()); r.status != http.StatusSeeOther {
			t.Fatalf("status %d", r.status)
		}
		if userCount(t, a) != before {
			t.Error("a second sign-in made an account")
		}
	})
	t.Run("no verified address in the domain", func(t *testing.T) {
		gh.id, gh.login = 777, "unverified"
		gh.emails = []map[string]any{{"email": "other@example.org", "verified": false, "primary": true}}
		r := signIn(a.client())
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		r.contains(t, "not verified")
	})
	t.Run("GitHub refusing the code", func(t *testing.T) {
		c := a.client()
		state := mustURL(t, startAt(t, c, c.get("/login/with/"+itoa(p.ID)))).Query().Get("state")
		r := c.get("/login/callback?code=made-up&state=" + url.QueryEscape(state))
		if r.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.status)
		}
		r.contains(t, "refused the sign-in code")
	})
}

// gitHubSignIn starts a sign-in with the GitHub provider, lets the fake
// authorize it, and returns the app's answer to the callback.
func gitHubSignIn(t *testing.T, c *client, providerID int64) response {
	t.Helper()
	to := startAt(t, c, c.get("/login/with/"+itoa(providerID)))
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(to)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("fake GitHub authorize: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	return c.get(back.RequestURI())
}

// TestProviderTimeout: a provider that does not answer in time gives a
// clear answer and nothing is written, when adding it and when signing in.
func TestProviderTimeout(t *testing.T) {
	t.Parallel()
	a := seededApp(t, func(cfg *web.Config) { cfg.ProviderTimeout = 300 * time.Millisecond })
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(silent.Close)
	admin := a.signIn("ada")
	admin.get("/admin/identity")
	r := admin.post("/admin/identity", url.Values{"kind": {"oidc"}, "name": {"Silent"}, "issuer": {silent.URL},
		"client_id": {"x"}, "client_secret": {"y"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("add a silent issuer: status %d", r.status)
	}
	r.contains(t, "did not answer in time")
	if list, _ := a.db.Providers(context.Background()); len(list) != 0 {
		t.Errorf("%d providers saved", len(list))
	}

	gh := newFakeGitHub(t)
	p := addProvider(t, a, url.Values{"kind": {"github"}, "name": {"GitHub"}, "issuer": {gh.srv.URL}, "api_url": {gh.srv.URL + "/api"},
		"client_id": {gh.clientID}, "client_secret": {gh.secret}, "domains": {"example.org"}, "join": {"1"}, "join_org": {"acme"}, "join_role": {"member"}})
	gh.mu.Lock()
	gh.hang = true
	gh.mu.Unlock()
	before := userCount(t, a)
	r = gitHubSignIn(t, a.client(), p.ID)
	if r.status != http.StatusForbidden {
		t.Fatalf("sign in while GitHub hangs: status %d", r.status)
	}
	r.contains(t, "did not answer in time", "Nothing was changed")
	if userCount(t, a) != before {
		t.Error("a user was written")
	}
}
