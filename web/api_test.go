package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// apiResponse is an API answer with its JSON body decoded.
type apiResponse struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// call makes an API request with a bearer secret ("" for none).
func (a *app) call(t testing.TB, method, path, secret, contentType, body string) apiResponse {
	t.Helper()
	req, err := http.NewRequest(method, a.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := apiResponse{status: res.StatusCode, header: res.Header, body: string(b)}
	// Discarded on purpose: some answers are not JSON (CSV, metrics, 204);
	// callers check the body or status themselves.
	_ = json.Unmarshal(b, &r.json)
	return r
}

// issue makes a token for the API tests through core.IssueToken.
func (a *app) issue(t testing.TB, r core.TokenRequest) core.Issued {
	t.Helper()
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	if r.Org.ID == 0 {
		r.Org = a.org
	}
	if r.Name == "" {
		r.Name = fmt.Sprintf("api test %d", time.Now().UnixNano())
	}
	is, errs, err := core.IssueToken(context.Background(), a.db, sealer, r, store.Actor{Label: "test"})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	return is
}

func (a *app) user(t testing.TB, name string) store.User {
	t.Helper()
	u, err := a.db.UserByUsername(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (a *app) adminToken(t testing.TB, scopes ...string) core.Issued {
	ada := a.user(t, "ada")
	if len(scopes) == 0 {
		scopes = []string{"api"}
	}
	return a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Scopes: scopes, CreatorID: ada.ID, OwnerUserID: ada.ID})
}

func TestAPISelf(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t, "report:read")
	r := a.call(t, "GET", "/api/v1/token", tok.Secret, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	for k, want := range map[string]any{"id": tok.Token.ID, "kind": "api", "org": "acme", "creator": "ada", "owner": "ada", "status": "active"} {
		if r.json[k] != want {
			t.Errorf("%s = %v, want %v", k, r.json[k], want)
		}
	}
	if lu, _ := r.json["last_used"].(map[string]any); lu == nil || lu["what"] != "GET /api/v1/token" {
		t.Errorf("last_used = %v", r.json["last_used"])
	}
	if strings.Contains(r.body, tok.Secret) {
		t.Error("the secret is in the answer")
	}
	q := a.call(t, "GET", "/api/v1/quota", tok.Secret, "", "")
	if q.status != http.StatusOK || q.json["limit"] != nil || q.json["month"] == nil {
		t.Errorf("quota without a limit: %d %s", q.status, q.body)
	}
	if r := a.call(t, "DELETE", "/api/v1/token", tok.Secret, "", ""); r.status != http.StatusNoContent {
		t.Fatalf("self revoke: %d", r.status)
	}
	r = a.call(t, "GET", "/api/v1/token", tok.Secret, "", "")
	if r.status != http.StatusUnauthorized || !strings.Contains(r.json["detail"].(string), "revoked") {
		t.Errorf("after self revoke: %d %s", r.status, r.body)
	}
}

func TestAPIRefusals(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	actor := store.Actor{Label: "test"}
	ada := a.user(t, "ada")
	disabled := a.adminToken(t)
	if _, err := a.db.SetTokenDisabled(ctx, a.org.ID, disabled.Token.ID, true, actor); err != nil {
		t.Fatal(err)
	}
	expiring := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Expiry: "1", CreatorID: ada.ID, OwnerUserID: ada.ID})
	good := a.adminToken(t)
	unknown, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		t.Fatal(err)
	}
	// One character of the checksum changed: the checksum no longer matches.
	last := "A"
	if strings.HasSuffix(good.Secret, "A") {
		last = "B"
	}
	broken := good.Secret[:len(good.Secret)-1] + last

	tests := []struct {
		name, header string
		status       int
		detail       string
	}{
		{"no header", "", 401, "Authorization: Bearer"},
		{"wrong scheme", "Basic " + good.Secret, 401, "Authorization: Bearer"},
		{"malformed", "Bearer twa_short", 401, "malformed"},
		{"bad checksum", "Bearer " + broken, 401, "malformed"},
		{"unknown", "Bearer " + unknown, 401, "not known"},
		{"disabled", "Bearer " + disabled.Secret, 401, "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", a.ts.URL+"/api/v1/token", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.status || !strings.Contains(string(b), tt.detail) {
				t.Errorf("status %d body %s", res.StatusCode, b)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("expired, by its own date and by a tighter policy", func(t *testing.T) {
		if r := a.call(t, "GET", "/api/v1/token", expiring.Secret, "", ""); r.status != 200 {
			t.Fatalf("fresh: %d", r.status)
		}
		now := a.db.Now()
		a.clock.Set(now.Add(25 * time.Hour))
		r := a.call(t, "GET", "/api/v1/token", expiring.Secret, "", "")
		a.clock.Set(now)
		if r.status != 401 || !strings.Contains(r.body, "expired") {
			t.Errorf("expired: %d %s", r.status, r.body)
		}
		// Warm the cache, tighten the policy: the next request is refused.
		old := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Expiry: "365", CreatorID: ada.ID, OwnerUserID: ada.ID})
		a.clock.Set(now.Add(40 * 24 * time.Hour))
		defer a.clock.Set(now)
		if r := a.call(t, "GET", "/api/v1/token", old.Secret, "", ""); r.status != 200 {
			t.Fatalf("before policy: %d", r.status)
		}
		if _, err := a.db.SetPolicy(ctx, a.org.ID, store.Policy{MaxDays: 30, DefaultDays: 30}, actor); err != nil {
			t.Fatal(err)
		}
		if r := a.call(t, "GET", "/api/v1/token", old.Secret, "", ""); r.status != 401 || !strings.Contains(r.body, "expired") {
			t.Errorf("after policy: %d %s", r.status, r.body)
		}
	})
	t.Run("missing scope is 403", func(t *testing.T) {
		narrow := a.adminToken(t, "report:read")
		r := a.call(t, "GET", "/api/v1/tokens", narrow.Secret, "", "")
		if r.status != 403 || r.json["error"] != "insufficient_scope" || !strings.Contains(r.body, "tokens:read") {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}

// TestRevocationSeenAtOnce revokes, disables and rotates tokens whose checks
// are cached (warm) and requires the very next request to see it.
func TestRevocationSeenAtOnce(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	secret, id := admin.createToken(t, "api", url.Values{"name": {"warm"}, "scopes": {"api"}})
	for range 3 {
		if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 200 {
			t.Fatalf("warm-up: %d", r.status)
		}
	}
	tok := mustToken(t, a, id)
	admin.post(tokenURL(tok, "disable"), url.Values{})
	if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 401 {
		t.Fatalf("after disable: %d", r.status)
	}
	admin.post(tokenURL(tok, "enable"), url.Values{})
	if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 200 {
		t.Fatalf("after enable: %d", r.status)
	}
	r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}})
	fresh := secretPattern.FindString(r.body)
	if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 401 {
		t.Fatalf("old secret after rotate now: %d", r.status)
	}
	if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != 200 {
		t.Fatalf("new secret: %d", r.status)
	}
	admin.post(tokenURL(tok, "revoke"), url.Values{})
	if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != 401 || !strings.Contains(r.body, "revoked") {
		t.Fatalf("after revoke: %d %s", r.status, r.body)
	}
}

func TestAPIRotationGrace(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.adminToken(t)
	target := a.adminToken(t)
	r := a.call(t, "POST", "/api/v1/tokens/"+target.Token.ID+"/rotate", admin.Secret, "application/json", `{"grace":"1h"}`)
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	fresh := r.json["secret"].(string)
	for _, s := range []string{target.Secret, fresh} {
		if r := a.call(t, "GET", "/api/v1/token", s, "", ""); r.status != 200 {
			t.Errorf("within grace: %d", r.status)
		}
	}
	now := a.db.Now()
	a.clock.Set(now.Add(61 * time.Minute))
	defer a.clock.Set(now)
	if r := a.call(t, "GET", "/api/v1/token", target.Secret, "", ""); r.status != 401 {
		t.Errorf("old secret after grace: %d", r.status)
	}
	if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != 200 {
		t.Errorf("new secret: %d", r.status)
	}
}

// The rotate body's expires sets the new secret's expiry; without it the
// token keeps its lifetime from now, so an expired token is renewed. A bad
// or out-of-policy expiry is a 422 on expires and changes nothing.
func TestAPIRotationExpires(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.adminToken(t)
	ada := a.user(t, "ada")
	start := a.db.Now().Truncate(time.Second)
	a.clock.Set(start.AddDate(0, 0, -10))
	target := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "weekly", Expiry: "7", CreatorID: ada.ID, OwnerUserID: ada.ID})
	a.clock.Set(start)
	if r := a.call(t, "GET", "/api/v1/token", target.Secret, "", ""); r.status != 401 {
		t.Fatalf("the 7-day token 10 days on: %d, want 401", r.status)
	}
	path := "/api/v1/tokens/" + target.Token.ID + "/rotate"
	for _, c := range []struct{ body, want string }{
		{`{"expires":"400"}`, "Tokens expire after 1 to 365 days."},
		{`{"expires":"` + start.AddDate(0, 0, -2).Format(time.DateOnly) + `"}`, "in the past"},
		{`{"expires":"never"}`, "requires tokens of this kind to expire"},
		{`{"expires":"soon"}`, "Choose an expiry"},
	} {
		r := a.call(t, "POST", path, admin.Secret, "application/json", c.body)
		errs, _ := r.json["errors"].(map[string]any)
		if msg, _ := errs["expires"].(string); r.status != 422 || !strings.Contains(msg, c.want) {
			t.Errorf("rotate %s: %d %s, want 422 with %q on expires", c.body, r.status, r.body, c.want)
		}
	}
	if got := mustToken(t, a, target.Token.ID); got.Hint != target.Token.Hint {
		t.Fatal("a refused rotation changed the secret")
	}
	r := a.call(t, "POST", path, admin.Secret, "", "")
	if r.status != 200 {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	fresh := r.json["secret"].(string)
	if got := a.call(t, "GET", "/api/v1/token", fresh, "", ""); got.status != 200 {
		t.Errorf("the renewed token's new secret: %d, want 200", got.status)
	}
	if got := mustToken(t, a, target.Token.ID); !got.ExpiresAt.Equal(start.Add(7 * 24 * time.Hour)) {
		t.Errorf("renewed expiry %v, want 7 days from now (%v)", got.ExpiresAt, start.Add(7*24*time.Hour))
	}
	r = a.call(t, "POST", path, admin.Secret, "application/json", `{"expires":"`+start.AddDate(0, 0, 20).Format(time.DateOnly)+`"}`)
	if r.status != 200 {
		t.Fatalf("rotate to a date: %d %s", r.status, r.body)
	}
	tok, _ := r.json["token"].(map[string]any)
	if exp, _ := tok["expires_at"].(string); !strings.HasPrefix(exp, start.AddDate(0, 0, 20).Format(time.DateOnly)+"T23:59:59") {
		t.Errorf("the answer says expires %q, want the end of the day asked for", exp)
	}
}

func TestAPIQuota(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.user(t, "ada")
	start := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	a.clock.Set(start)
	tok := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Quota: "3", CreatorID: ada.ID, OwnerUserID: ada.ID})
	for i := range 3 {
		if r := a.call(t, "GET", "/api/v1/token", tok.Secret, "", ""); r.status != 200 {
			t.Fatalf("use %d: %d", i+1, r.status)
		}
	}
	r := a.call(t, "GET", "/api/v1/quota", tok.Secret, "", "")
	if r.status != 429 {
		t.Fatalf("fourth request: %d %s", r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra != "3601" {
		t.Errorf("Retry-After = %q, want 3601 (until 1 December 00:00 UTC)", ra)
	}
	// The counts survive a restart: flush, start a new server on the same database.
	a.srv.Close()
	a.ts.Close()
	a.start()
	if r := a.call(t, "GET", "/api/v1/token", tok.Secret, "", ""); r.status != 429 {
		t.Fatalf("after restart: %d", r.status)
	}
	a.clock.Set(start.Add(2 * time.Hour)) // 1 December
	r = a.call(t, "GET", "/api/v1/quota", tok.Secret, "", "")
	if r.status != 200 || r.json["used"] != float64(1) || r.json["remaining"] != float64(2) || r.json["month"] != "2026-12" {
		t.Fatalf("new month: %d %s", r.status, r.body)
	}
}

func TestLastUseFlush(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t)
	for i, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		r := a.call(t, "POST", "/oauth/introspect", tok.Secret, "application/x-www-form-urlencoded",
			url.Values{"token": {tok.Secret}, "client_ip": {ip}, "user_agent": {fmt.Sprintf("agent/%d", i)}}.Encode())
		if r.status != 200 || r.json["active"] != true {
			t.Fatalf("introspect: %d %s", r.status, r.body)
		}
	}
	// Written by the background flush, about once a FlushInterval.
	deadline := time.Now().Add(10 * time.Second)
	got := mustToken(t, a, tok.Token.ID)
	for ; got.LastUsedAt.IsZero() && time.Now().Before(deadline); got = mustToken(t, a, tok.Token.ID) {
		time.Sleep(20 * time.Millisecond)
	}
	if got.LastUsedAt.IsZero() || got.LastUsedWhat == "" {
		t.Fatalf("not flushed after a batch within %s: %+v", 10*time.Second, got)
	}
	// The two uses may fall into two flushes: wait for the second too.
	var ips []store.TokenIP
	for {
		var err error
		if ips, err = a.db.TokenIPs(context.Background(), tok.Token.ID); err != nil {
			t.Fatal(err)
		}
		if len(ips) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(ips) < 3 { // the two passed-through clients and the caller itself
		t.Errorf("ips = %+v", ips)
	}
	t.Run("at shutdown", func(t *testing.T) {
		other := a.adminToken(t)
		a.call(t, "GET", "/api/v1/token", other.Secret, "", "")
		a.srv.Close() // flushes before it returns
		if got := mustToken(t, a, other.Token.ID); got.LastUsedAt.IsZero() || got.LastUsedWhat != "GET /api/v1/token" {
			t.Errorf("not flushed at shutdown: %+v", got)
		}
	})
}

func TestFailedAuthThrottle(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	good := a.adminToken(t)
	saw429 := false
	for range 80 {
		r := a.call(t, "GET", "/api/v1/token", "", "", "")
		if r.status == 429 {
			saw429 = true
			if r.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			break
		}
	}
	if !saw429 {
		t.Fatal("80 failed attempts from one IP never throttled")
	}
	if r := a.call(t, "GET", "/api/v1/token", good.Secret, "", ""); r.status != 200 {
		t.Errorf("good token from the throttled IP: %d", r.status)
	}
}
