package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

var secretPattern = regexp.MustCompile(`tw[acsp]_[0-9A-Za-z]{49}`)

// createToken creates a token through the dashboard as c and returns its
// secret and id.
func (c *client) createToken(t *testing.T, kind string, vals url.Values) (string, string) {
	t.Helper()
	c.get("/orgs/acme/settings/tokens/" + kind)
	r := c.post("/orgs/acme/settings/tokens/"+kind, vals)
	if r.status != http.StatusCreated {
		t.Fatalf("create %s token: status %d\n%.2000s", kind, r.status, r.body)
	}
	secret := secretPattern.FindString(r.body)
	id := regexp.MustCompile(`data-testid="reveal-id">([0-9a-f-]{36})<`).FindStringSubmatch(r.body)
	if secret == "" || id == nil {
		t.Fatalf("no secret or id in the reveal:\n%.2000s", r.body)
	}
	return secret, id[1]
}

func (a *app) tokenCount(t *testing.T) int {
	t.Helper()
	total := 0
	for _, k := range []string{"api", "cli", "service"} {
		p, err := a.db.Tokens(context.Background(), store.TokenQuery{OrgID: a.org.ID, Kind: k, PerPage: 1,
			Statuses: []string{"active", "expired", "disabled", "revoked"}})
		if err != nil {
			t.Fatal(err)
		}
		total += p.Total
	}
	return total
}

func TestCreateAndRevealOnce(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/api")
	r := admin.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"CI deploys"}, "scopes": {"tokens:read", "audit:read"}, "expiry": {"30"}})
	if r.status != http.StatusCreated {
		t.Fatalf("status %d\n%.2000s", r.status, r.body)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	secret := secretPattern.FindString(r.body)
	if _, err := auth.ParseToken(secret); err != nil || !strings.HasPrefix(secret, "twa_") {
		t.Fatalf("secret %q: %v", secret, err)
	}
	r.contains(t, "TOKENWARD_TOKEN", "will not be shown again")
	h := auth.HashToken(secret)
	tok, _, err := a.db.TokenBySecretHash(context.Background(), h[:])
	if err != nil || tok.Name != "CI deploys" || strings.Join(tok.Scopes, " ") != "audit:read tokens:read" || len(tok.Sealed) != 0 {
		t.Fatalf("stored token = %+v, %v", tok, err)
	}
	later := admin.get("/orgs/acme/settings/tokens/api")
	later.lacks(t, secret)
	later.contains(t, tok.Hint, "CI deploys")
	admin.get(tokenURL(tok, "")).lacks(t, secret)
	events, err := a.db.TokenEvents(context.Background(), a.org.ID, tok.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != "token.created" {
		t.Errorf("events = %+v", events)
	}
	for _, e := range events {
		for _, v := range e.Details {
			if strings.Contains(v, secret) {
				t.Error("secret in the audit trail")
			}
		}
	}
	if strings.Contains(a.log.String(), secret) {
		t.Error("secret in the log")
	}
}

func tokenURL(t store.Token, action string) string {
	u := "/orgs/acme/settings/tokens/" + t.Kind + "/" + t.ID
	if action != "" {
		u += "/" + action
	}
	return u
}

func TestCreateBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	admin.createToken(t, "api", url.Values{"name": {"taken"}, "scopes": {"api"}})
	before := a.tokenCount(t)
	tests := []struct {
		name  string
		vals  url.Values
		field string
		msg   string
	}{
		{"empty name", url.Values{"name": {""}, "scopes": {"api"}}, "name", "Enter a name"},
		{"long name", url.Values{"name": {strings.Repeat("n", 101)}, "scopes": {"api"}}, "name", "at most 100"},
		{"control characters", url.Values{"name": {"a\x07b"}, "scopes": {"api"}}, "name", "control characters"},
		{"non-UTF-8", url.Values{"name": {"bad\xffname"}, "scopes": {"api"}}, "name", "plain text"},
		{"duplicate", url.Values{"name": {"taken"}, "scopes": {"api"}}, "name", "already exists"},
		{"no scope", url.Values{"name": {"x"}}, "scopes", "at least one scope"},
		{"unknown scope", url.Values{"name": {"x"}, "scopes": {"root"}}, "scopes", "valid scopes for API tokens"},
		{"disallowed scope", url.Values{"name": {"x"}, "scopes": {"ci"}}, "scopes", "not allowed on API tokens"},
		{"expiry 0", url.Values{"name": {"x"}, "scopes": {"api"}, "expiry": {"0"}}, "expiry", "1 to 365 days"},
		{"expiry 366", url.Values{"name": {"x"}, "scopes": {"api"}, "expiry": {"366"}}, "expiry", "1 to 365 days"},
		{"past date", url.Values{"name": {"x"}, "scopes": {"api"}, "expiry": {"custom"}, "expires_on": {"2020-01-01"}}, "expiry", "in the past"},
		{"never not allowed", url.Values{"name": {"x"}, "scopes": {"api"}, "expiry": {"never"}}, "expiry", "requires tokens of this kind to expire"},
		{"quota text", url.Values{"name": {"x"}, "scopes": {"api"}, "quota": {"lots"}}, "quota", "whole number"},
		{"quota negative", url.Values{"name": {"x"}, "scopes": {"api"}, "quota": {"-5"}}, "quota", "whole number"},
		{"bad visibility", url.Values{"name": {"x"}, "scopes": {"api"}, "visibility": {"public"}}, "visibility", "Choose admins only"},
		{"HTML name escaped", url.Values{"name": {"<script>alert(1)</script>"}, "scopes": {"ci"}}, "scopes", "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.post("/orgs/acme/settings/tokens/api", tt.vals)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d\n%.1500s", r.status, r.body)
			}
			r.contains(t, `data-testid="error-`+tt.field+`"`, tt.msg)
			r.lacks(t, "<script>alert(1)</script>", "\xff")
			if n := a.tokenCount(t); n != before {
				t.Fatalf("tokens %d -> %d", before, n)
			}
		})
	}
}

func TestCreatePermissions(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	member := a.signIn("max")
	member.get("/orgs/acme/settings/tokens/cli")
	t.Run("member cannot create API tokens", func(t *testing.T) {
		if r := member.post("/orgs/acme/settings/tokens/api", url.Values{"name": {"x"}, "scopes": {"api"}}); r.status != http.StatusForbidden {
			t.Fatalf("status = %d", r.status)
		}
		if r := member.get("/orgs/acme/settings/tokens/api/new"); r.status != http.StatusForbidden {
			t.Fatalf("new: status = %d", r.status)
		}
	})
	t.Run("a tampered kind field does not change the kind", func(t *testing.T) {
		secret, _ := member.createToken(t, "cli", url.Values{"name": {"laptop"}, "kind": {"api"}, "scopes": {"findings:local"}})
		if !strings.HasPrefix(secret, "twc_") {
			t.Fatalf("secret %s", secret)
		}
	})
	t.Run("member cannot share a CLI token", func(t *testing.T) {
		r := member.post("/orgs/acme/settings/tokens/cli", url.Values{"name": {"shared"}, "scopes": {"findings:local"}, "visibility": {"org"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", r.status)
		}
	})
	t.Run("auditor creates nothing", func(t *testing.T) {
		aud := a.signIn("audra")
		aud.get("/orgs/acme/settings/tokens/cli")
		if r := aud.post("/orgs/acme/settings/tokens/cli", url.Values{"name": {"x"}, "scopes": {"findings:local"}}); r.status != http.StatusForbidden {
			t.Fatalf("status = %d", r.status)
		}
	})
	t.Run("service tokens come from onboarding", func(t *testing.T) {
		admin := a.signIn("ada")
		admin.get("/")
		if r := admin.post("/orgs/acme/settings/tokens/service", url.Values{"name": {"x"}, "scopes": {"ci"}}); r.status != http.StatusForbidden {
			t.Fatalf("status = %d", r.status)
		}
	})
}

func TestOrgVisibleTokens(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	shared, sharedID := admin.createToken(t, "api", url.Values{"name": {"shared"}, "scopes": {"report:read"}, "visibility": {"org"}})
	hidden, _ := admin.createToken(t, "api", url.Values{"name": {"hidden"}, "scopes": {"api"}})
	ctx := context.Background()
	tok, err := a.db.TokenByID(ctx, a.org.ID, sharedID)
	if err != nil {
		t.Fatal(err)
	}

	member := a.signIn("max")
	list := member.get("/orgs/acme/settings/tokens/api")
	list.contains(t, "shared", `data-testid="action-reveal"`)
	list.lacks(t, ">hidden<", shared, hidden, `data-testid="action-edit"`, `data-testid="action-revoke"`)
	if r := member.get(tokenURL(store.Token{Kind: "api", ID: sharedID}, "")); r.status != http.StatusOK {
		t.Errorf("member detail of shared token: %d", r.status)
	}
	r := member.post(tokenURL(tok, "reveal"), url.Values{})
	if r.status != http.StatusOK || !strings.Contains(r.body, shared) || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %q", r.status, r.header.Get("Cache-Control"))
	}
	events, err := a.db.TokenEvents(ctx, a.org.ID, sharedID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if events[0].Action != "token.revealed" || events[0].ActorLabel != "max" || events[0].IP == "" {
		t.Errorf("reveal event = %+v", events[0])
	}

	aud := a.signIn("audra")
	audList := aud.get("/orgs/acme/settings/tokens/api")
	audList.contains(t, "shared", "hidden")
	audList.lacks(t, `data-testid="action-`, shared, hidden, `name="ids"`)
	if r := aud.post(tokenURL(tok, "reveal"), url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("auditor reveal: %d", r.status)
	}
}

func TestListSearchAndFilters(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	member := a.signIn("max")
	first, firstID := admin.createToken(t, "api", url.Values{"name": {"alpha deploy"}, "scopes": {"api"}, "visibility": {"org"}})
	admin.createToken(t, "api", url.Values{"name": {"beta_report"}, "scopes": {"report:read"}})
	_, revokedID := admin.createToken(t, "api", url.Values{"name": {"gamma"}, "scopes": {"api"}})
	if _, err := a.db.RevokeToken(context.Background(), a.org.ID, revokedID, "", store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	// A token made by a member who is later promoted would count as admin's;
	// make one whose creator is a member now.
	maxU, err := a.db.UserByUsername(context.Background(), "max")
	if err != nil {
		t.Fatal(err)
	}
	if _, errs, err := issueAPI(a, maxU.ID, "member made"); err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	firstTok := mustToken(t, a, firstID)
	tests := []struct {
		query        string
		want, unwant []string
	}{
		{"", []string{"alpha deploy", "beta_report", "member made"}, []string{">gamma<"}},
		{"?q=alpha", []string{"alpha deploy"}, []string{"beta_report"}},
		{"?q=report:read", []string{"beta_report"}, []string{"alpha deploy"}},
		{"?q=ta_r", []string{"beta_report"}, []string{"alpha deploy"}}, // "a_r" could match a hint such as twa_r…
		{"?q=" + url.QueryEscape(firstTok.Hint[len(firstTok.Hint)-4:]), []string{"alpha deploy"}, []string{"beta_report"}},
		{"?role=member", []string{"member made"}, []string{"alpha deploy"}},
		{"?role=admin", []string{"alpha deploy", "beta_report"}, []string{"member made"}},
		{"?status=revoked", []string{">gamma<"}, []string{"alpha deploy"}},
		{"?sort=name&dir=asc&q=a", []string{"alpha deploy"}, nil},
		{"?q=nothing-matches", []string{"No tokens match"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := admin.get("/orgs/acme/settings/tokens/api" + tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			r.contains(t, tt.want...)
			r.lacks(t, tt.unwant...)
		})
	}
	t.Run("a whole token is searched by a POST and named by its hint", func(t *testing.T) {
		hintURL := "/orgs/acme/settings/tokens/api?" + url.Values{"q": {firstTok.Hint}}.Encode()
		if r := admin.get("/orgs/acme/settings/tokens/api?q=" + first); r.status != http.StatusSeeOther || r.header.Get("Location") != hintURL {
			t.Errorf("GET with a whole token: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), hintURL)
		}
		r := admin.post("/orgs/acme/settings/tokens/api/search", url.Values{"q": {first}, "status": {"active"}})
		want := "/orgs/acme/settings/tokens/api?" + url.Values{"q": {firstTok.Hint}, "status": {"active"}}.Encode()
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Fatalf("POST search: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), want)
		}
		page := admin.get(want)
		page.contains(t, "alpha deploy", `value="`+firstTok.Hint+`"`)
		page.lacks(t, "beta_report", first)

		vals := url.Values{"q": {first}, "csrf_token": {admin.csrf}}
		req := admin.request(http.MethodPost, "/orgs/acme/settings/tokens/api/search", strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "token-table")
		hx := admin.do(req)
		if hx.status != http.StatusOK || hx.header.Get("HX-Push-Url") != hintURL {
			t.Errorf("htmx POST search: %d, pushes %q, want 200 pushing %q", hx.status, hx.header.Get("HX-Push-Url"), hintURL)
		}
		hx.contains(t, `id="token-table"`, "alpha deploy")
		hx.lacks(t, "<html", "beta_report", first)

		bad := admin.post("/orgs/acme/settings/tokens/api/search", url.Values{"q": {"x"}, "sort": {"secret"}})
		if bad.status != http.StatusBadRequest {
			t.Errorf("POST search with a bad sort: %d, want 400", bad.status)
		}
		bad.contains(t, `data-testid="filter-error"`, "Sort by name, created, last used or expires.")
	})
	t.Run("htmx gets the table alone", func(t *testing.T) {
		req := admin.request(http.MethodGet, "/orgs/acme/settings/tokens/api?q=alpha", nil, "")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "token-table")
		r := admin.do(req)
		r.contains(t, `id="token-table"`, "alpha deploy")
		r.lacks(t, "<html", `data-testid="token-filter"`)
	})
	t.Run("member sees only shared API tokens", func(t *testing.T) {
		r := member.get("/orgs/acme/settings/tokens/api")
		r.contains(t, "alpha deploy")
		r.lacks(t, "beta_report", "member made")
	})
	t.Run("bad query parameters", func(t *testing.T) {
		for _, q := range []string{"?sort=secret", "?dir=up", "?page=0", "?page=x", "?status=gone", "?role=owner", "?service=1",
			"?q=" + strings.Repeat("q", 201), "?q=%ff%fe"} {
			r := admin.get("/orgs/acme/settings/tokens/api" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d", q, r.status)
			}
			r.contains(t, `data-testid="filter-error"`)
		}
	})
	t.Run("unknown kind and ids", func(t *testing.T) {
		for _, p := range []string{"/orgs/acme/settings/tokens/admin", "/orgs/acme/settings/tokens/API",
			"/orgs/acme/settings/tokens/api/00000000-0000-0000-0000-000000000000", "/orgs/acme/settings/tokens/cli/" + firstID,
			"/orgs/acme/settings/tokens/api/%3Cscript%3E/edit"} {
			if r := admin.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s: status %d", p, r.status)
			}
		}
	})
}

func mustToken(t *testing.T, a *app, id string) store.Token {
	t.Helper()
	tok, err := a.db.TokenByID(context.Background(), a.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// issueAPI makes an API token directly, as if creator had made it.
func issueAPI(a *app, creator int64, name string) (core.Issued, fault.Fields, error) {
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		return core.Issued{}, nil, err
	}
	return core.IssueToken(context.Background(), a.db, sealer, core.TokenRequest{Org: a.org, Kind: auth.KindAPI, Name: name,
		Scopes: []string{"api"}, CreatorID: creator, OwnerUserID: creator}, store.Actor{UserID: creator, Label: "test"})
}
