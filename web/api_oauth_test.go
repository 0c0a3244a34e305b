package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

const formType = "application/x-www-form-urlencoded"

func TestIntrospection(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	caller := a.adminToken(t, "introspect")
	maxU := a.user(t, "max")
	cli := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, CreatorID: maxU.ID, OwnerUserID: maxU.ID})
	introspect := func(secret string, vals url.Values) apiResponse {
		return a.call(t, "POST", "/oauth/introspect", secret, formType, vals.Encode())
	}
	t.Run("active token", func(t *testing.T) {
		r := introspect(caller.Secret, url.Values{"token": {cli.Secret}, "token_type_hint": {"access_token"}})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for k, want := range map[string]any{"active": true, "scope": "findings:local", "token_type": "Bearer", "sub": "max",
			"username": "max", "client_id": "tokenward-cli", "kind": "cli", "org": "acme", "token_id": cli.Token.ID} {
			if r.json[k] != want {
				t.Errorf("%s = %v, want %v", k, r.json[k], want)
			}
		}
		if r.json["exp"] == nil || r.json["iat"] == nil {
			t.Errorf("exp/iat missing: %s", r.body)
		}
	})
	t.Run("counts as a use with the client passed through", func(t *testing.T) {
		introspect(caller.Secret, url.Values{"token": {cli.Secret}, "client_ip": {"198.51.100.9"}, "user_agent": {"ci-runner/3"}})
		a.srv.Close()
		got := mustToken(t, a, cli.Token.ID)
		if got.LastUsedIP != "198.51.100.9" || got.LastUsedUA != "ci-runner/3" || !strings.Contains(got.LastUsedWhat, "introspected by") {
			t.Errorf("last use = %q %q %q", got.LastUsedIP, got.LastUsedUA, got.LastUsedWhat)
		}
		a.ts.Close()
		a.start()
	})
	inactive := func(t *testing.T, secret string) {
		t.Helper()
		r := introspect(caller.Secret, url.Values{"token": {secret}})
		if r.status != 200 || strings.TrimSpace(r.body) != `{"active":false}` {
			t.Errorf("want exactly {\"active\":false}, got %d %s", r.status, r.body)
		}
	}
	t.Run("inactive tokens say nothing else", func(t *testing.T) {
		revoked := a.adminToken(t)
		a.db.RevokeToken(ctx, a.org.ID, revoked.Token.ID, "", store.Actor{Label: "t"})
		unknown, err := auth.NewToken(auth.KindAPI)
		if err != nil {
			t.Fatal(err)
		}
		inactive(t, "garbage")
		inactive(t, unknown)
		inactive(t, revoked.Secret)
		// Another org's token is not this caller's business.
		gus := a.user(t, "gus")
		globex, err := a.db.OrgBySlug(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		theirs := a.issue(t, core.TokenRequest{Org: globex, Kind: auth.KindAPI, CreatorID: gus.ID, OwnerUserID: gus.ID})
		inactive(t, theirs.Secret)
	})
	t.Run("callers and bad requests", func(t *testing.T) {
		if r := introspect("", url.Values{"token": {cli.Secret}}); r.status != 401 {
			t.Errorf("unauthenticated: %d", r.status)
		}
		noScope := a.adminToken(t, "report:read")
		if r := introspect(noScope.Secret, url.Values{"token": {cli.Secret}}); r.status != 403 {
			t.Errorf("without introspect scope: %d", r.status)
		}
		if r := introspect(caller.Secret, url.Values{}); r.status != 400 || r.json["error"] != "invalid_request" {
			t.Errorf("no token: %d %s", r.status, r.body)
		}
		if r := introspect(caller.Secret, url.Values{"token": {cli.Secret}, "client_ip": {"not-an-ip"}}); r.status != 400 {
			t.Errorf("bad client_ip: %d", r.status)
		}
		if r := a.call(t, "POST", "/oauth/introspect", caller.Secret, "application/json", `{"token":"x"}`); r.status != 415 {
			t.Errorf("JSON body: %d", r.status)
		}
		if r := a.call(t, "GET", "/oauth/introspect", caller.Secret, "", ""); r.status != 405 {
			t.Errorf("GET: %d", r.status)
		}
	})
}

func TestRevocationEndpoint(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	t.Run("form, RFC 7009", func(t *testing.T) {
		tok := a.adminToken(t)
		if r := a.call(t, "POST", "/oauth/revoke", "", formType, url.Values{"token": {tok.Secret}, "token_type_hint": {"access_token"}}.Encode()); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if got := mustToken(t, a, tok.Token.ID); got.RevokedAt.IsZero() || got.RevokedReason != "reported through /oauth/revoke" {
			t.Errorf("not revoked: %+v", got)
		}
		events, err := a.db.TokenEvents(ctx, a.org.ID, tok.Token.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if events[0].Action != "token.revoked" || !strings.Contains(events[0].ActorLabel, "revocation endpoint") || events[0].IP == "" {
			t.Errorf("event = %+v", events[0])
		}
		if r := a.call(t, "GET", "/api/v1/token", tok.Secret, "", ""); r.status != 401 {
			t.Errorf("revoked token still works: %d", r.status)
		}
		for _, body := range []string{url.Values{"token": {"nonsense"}}.Encode(), url.Values{"token": {tok.Secret}}.Encode()} {
			if r := a.call(t, "POST", "/oauth/revoke", "", formType, body); r.status != 200 {
				t.Errorf("unknown or already revoked: %d", r.status)
			}
		}
		if r := a.call(t, "POST", "/oauth/revoke", "", formType, ""); r.status != 400 || r.json["error"] != "invalid_request" {
			t.Errorf("no token: %d %s", r.status, r.body)
		}
	})
	t.Run("JSON leak report of up to 1,000 tokens", func(t *testing.T) {
		var secrets []string
		var ids []string
		for range 3 {
			is := a.adminToken(t)
			secrets, ids = append(secrets, is.Secret), append(ids, is.Token.ID)
		}
		for range 997 {
			s, err := auth.NewToken(auth.KindAPI)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, s)
		}
		body, err := json.Marshal(map[string][]string{"tokens": secrets})
		if err != nil {
			t.Fatal(err)
		}
		if r := a.call(t, "POST", "/oauth/revoke", "", "application/json", string(body)); r.status != 200 || r.json["received"] != float64(1000) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		for _, id := range ids {
			if got := mustToken(t, a, id); got.RevokedAt.IsZero() {
				t.Errorf("%s not revoked", id)
			}
		}
		tooMany, err := json.Marshal(map[string][]string{"tokens": append(secrets, "one more")})
		if err != nil {
			t.Fatal(err)
		}
		if r := a.call(t, "POST", "/oauth/revoke", "", "application/json", string(tooMany)); r.status != 400 {
			t.Errorf("1,001 tokens: %d", r.status)
		}
		for _, bad := range []string{`{"tokens": "x"}`, `{"tokens": []}`, `{"tokenz": ["x"]}`, `not json`} {
			if r := a.call(t, "POST", "/oauth/revoke", "", "application/json", bad); r.status != 400 {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
	})
	t.Run("limited per IP", func(t *testing.T) {
		saw := false
		for range 30 {
			r := a.call(t, "POST", "/oauth/revoke", "", formType, "token=x")
			if r.status == 429 && r.header.Get("Retry-After") != "" {
				saw = true
				break
			}
		}
		if !saw {
			t.Error("never limited")
		}
	})
}

func TestAPIManagement(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	admin := a.adminToken(t)
	js := "application/json"
	r := a.call(t, "POST", "/api/v1/tokens", admin.Secret, js, `{"name":"made by api","scopes":["report:read"],"expires":"60","quota":500}`)
	if r.status != 201 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	secret := r.json["secret"].(string)
	id := r.json["token"].(map[string]any)["id"].(string)
	if _, err := auth.ParseToken(secret); err != nil {
		t.Fatalf("secret %q", secret)
	}
	t.Run("attributed to the calling token, showing its creator", func(t *testing.T) {
		events, err := a.db.TokenEvents(ctx, a.org.ID, id, 5)
		if err != nil {
			t.Fatal(err)
		}
		e := events[len(events)-1]
		if e.ActorToken != admin.Token.ID || !strings.Contains(e.ActorLabel, "created by ada") {
			t.Errorf("event = %+v", e)
		}
	})
	t.Run("bad bodies", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
		for _, c := range []struct {
			ct, body string
			status   int
		}{
			{"text/plain", `{"name":"x"}`, 415},
			{js, `{"name":`, 400},
			{js, `{"name":"x","admin":true}`, 400},
			{js, `{"name":5}`, 400},
			{js, `{"name":"x"} {"name":"y"}`, 400},
			{js, ``, 400},
			{js, big, 413},
			{js, `{"name":""}`, 422},
			{js, `{"name":"made by api"}`, 422},
			{js, `{"name":"x","scopes":["ci"]}`, 422},
			{js, `{"name":"x","scopes":[]}`, 422},
			{js, `{"name":"x","expires":"0"}`, 422},
			{js, `{"name":"x","expires":"never"}`, 422},
			{js, `{"name":"x","quota":-1}`, 422},
			{js, `{"name":"x","kind":"service"}`, 422},
			{js, `{"name":"x","visibility":"public"}`, 422},
		} {
			before := a.tokenCount(t)
			r := a.call(t, "POST", "/api/v1/tokens", admin.Secret, c.ct, c.body)
			if r.status != c.status || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%.60s: %d %s", c.body, r.status, r.header.Get("Content-Type"))
			}
			if detail, _ := r.json["detail"].(string); detail == "" {
				t.Errorf("%.60s: no detail", c.body)
			}
			if n := a.tokenCount(t); n != before {
				t.Errorf("%.60s: a token was written", c.body)
			}
		}
	})
	t.Run("list, get, patch, disable, enable, delete", func(t *testing.T) {
		list := a.call(t, "GET", "/api/v1/tokens?q=made+by&per_page=10", admin.Secret, "", "")
		if list.status != 200 || list.json["total"] != float64(1) {
			t.Fatalf("list: %d %s", list.status, list.body)
		}
		for _, q := range []string{"?sort=secret", "?page=0", "?per_page=500", "?kind=admin", "?status=gone"} {
			if r := a.call(t, "GET", "/api/v1/tokens"+q, admin.Secret, "", ""); r.status != 400 {
				t.Errorf("%s: %d", q, r.status)
			}
		}
		if r := a.call(t, "GET", "/api/v1/tokens/"+id, admin.Secret, "", ""); r.status != 200 || r.json["name"] != "made by api" {
			t.Errorf("get: %d %s", r.status, r.body)
		}
		if r := a.call(t, "PATCH", "/api/v1/tokens/"+id, admin.Secret, js, `{"name":"renamed","scopes":["repo"]}`); r.status != 200 || r.json["name"] != "renamed" {
			t.Errorf("patch: %d %s", r.status, r.body)
		}
		if r := a.call(t, "PATCH", "/api/v1/tokens/"+id, admin.Secret, js, `{"visibility":"org"}`); r.status != 422 || !strings.Contains(r.body, "rotate") {
			t.Errorf("share without rotation: %d %s", r.status, r.body)
		}
		if r := a.call(t, "POST", "/api/v1/tokens/"+id+"/disable", admin.Secret, "", ""); r.json["status"] != "disabled" {
			t.Errorf("disable: %s", r.body)
		}
		if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 401 {
			t.Errorf("disabled token works: %d", r.status)
		}
		if r := a.call(t, "POST", "/api/v1/tokens/"+id+"/enable", admin.Secret, "", ""); r.json["status"] != "active" {
			t.Errorf("enable: %s", r.body)
		}
		if r := a.call(t, "DELETE", "/api/v1/tokens/"+id, admin.Secret, "", ""); r.status != 204 {
			t.Errorf("delete: %d", r.status)
		}
		if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != 401 {
			t.Errorf("deleted token works: %d", r.status)
		}
		if r := a.call(t, "GET", "/api/v1/tokens/not-a-token", admin.Secret, "", ""); r.status != 404 {
			t.Errorf("unknown id: %d", r.status)
		}
	})
	t.Run("an API token a member made acts as the org's", func(t *testing.T) {
		// API tokens are the org's credentials, whoever made them (DESIGN.md,
		// "Whose power a token carries"); this case once expected the
		// member's own narrower power (404 and 403).
		maxU := a.user(t, "max")
		member := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Scopes: []string{"api"}, CreatorID: maxU.ID, OwnerUserID: maxU.ID})
		if r := a.call(t, "GET", "/api/v1/tokens/"+admin.Token.ID, member.Secret, "", ""); r.status != 200 {
			t.Errorf("admins-only token: %d", r.status)
		}
		if r := a.call(t, "POST", "/api/v1/tokens", member.Secret, js, `{"name":"by member"}`); r.status != 201 {
			t.Errorf("member creates API token: %d", r.status)
		}
		if r := a.call(t, "POST", "/api/v1/tokens", member.Secret, js, `{"name":"member cli","kind":"cli"}`); r.status != 201 {
			t.Errorf("member creates own CLI token: %d %s", r.status, r.body)
		}
	})
	t.Run("services and audit", func(t *testing.T) {
		r := a.call(t, "POST", "/api/v1/services", admin.Secret, js, `{"name":"acme/api-made","url":"https://git.example.com/acme/api-made"}`)
		if r.status != 201 || r.json["secret"] == nil {
			t.Fatalf("create service: %d %s", r.status, r.body)
		}
		svcID := r.json["service"].(map[string]any)["id"].(float64)
		if r := a.call(t, "POST", "/api/v1/services", admin.Secret, js, `{"name":"acme/api-made"}`); r.status != 409 {
			t.Errorf("duplicate: %d", r.status)
		}
		if r := a.call(t, "POST", "/api/v1/services", admin.Secret, js, `{"name":"<b>"}`); r.status != 422 {
			t.Errorf("bad name: %d", r.status)
		}
		if r := a.call(t, "GET", "/api/v1/services", admin.Secret, "", ""); !strings.Contains(r.body, "acme/api-made") {
			t.Errorf("list: %s", r.body)
		}
		if r := a.call(t, "DELETE", fmt.Sprintf("/api/v1/services/%d", int(svcID)), admin.Secret, "", ""); r.status != 200 || r.json["revoked_tokens"] != float64(1) {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		audit := a.call(t, "GET", "/api/v1/audit?limit=5", admin.Secret, "", "")
		if audit.status != 200 || !strings.Contains(audit.body, "service.removed") {
			t.Errorf("audit: %d %s", audit.status, audit.body)
		}
		if r := a.call(t, "GET", "/api/v1/audit?limit=x", admin.Secret, "", ""); r.status != 400 {
			t.Errorf("bad limit: %d", r.status)
		}
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t)
	a.call(t, "GET", "/api/v1/token", tok.Secret, "", "")
	a.call(t, "GET", "/api/v1/token", "twa_bad", "", "")
	a.srv.Close() // a flush to count
	r := a.call(t, "GET", "/metrics", "", "", "")
	for _, want := range []string{`tokenward_http_requests_total{method="GET",route="/api/v1/token",status="200"} 1`,
		`tokenward_token_checks_total{outcome="ok"} 1`, `tokenward_token_checks_total{outcome="malformed"} 1`,
		"tokenward_usage_flush_seconds_bucket", "tokenward_usage_flush_uses", "go_sql_open_connections"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(r.body, tok.Secret) {
		t.Error("secret in metrics")
	}
}
