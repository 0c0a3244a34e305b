package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// auditFixture is acme with tokens of every kind, creator and age, some
// used from known IPs, for the audit page's filters.
type auditFixture struct {
	a       *app
	secrets map[string]string      // token name → secret
	tokens  map[string]store.Token // token name → token
}

// auditLive are the fixture's tokens that are not revoked.
var auditLive = []string{"ada-deploy", "max-reports", "max-laptop", "audra-repos", "acme/payments", "stale-forever", "stale-used"}

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	a := seededApp(t)
	ctx := context.Background()
	f := &auditFixture{a: a, secrets: map[string]string{}, tokens: map[string]store.Token{}}
	ada, maxU, audra := a.user(t, "ada"), a.user(t, "max"), a.user(t, "audra")
	mk := func(name string, kind auth.Kind, u store.User, expiry string, scopes ...string) {
		is := a.issue(t, core.TokenRequest{Kind: kind, Name: name, Scopes: scopes, Expiry: expiry, CreatorID: u.ID, OwnerUserID: u.ID})
		f.secrets[name], f.tokens[name] = is.Secret, is.Token
	}
	mk("ada-deploy", auth.KindAPI, ada, "90", "api")
	mk("max-reports", auth.KindAPI, maxU, "90", "report")
	mk("max-laptop", auth.KindCLI, maxU, "90")
	mk("audra-repos", auth.KindAPI, audra, "7", "repo:list")
	mk("ada-old", auth.KindAPI, ada, "90", "api")
	if _, err := a.db.RevokeToken(ctx, a.org.ID, f.tokens["ada-old"].ID, "", store.Actor{UserID: ada.ID, Label: "ada"}); err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	_, is, errs, err := core.OnboardService(ctx, a.db, sealer, store.NewService{OrgID: a.org.ID, Name: "acme/payments"},
		core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: "acme/payments", Expiry: "90", CreatorID: ada.ID}, store.Actor{UserID: ada.ID, Label: "ada"})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	f.secrets["acme/payments"], f.tokens["acme/payments"] = is.Secret, is.Token
	now := a.db.Now()
	f.importTokens(t,
		imported("stale-forever", maxU.ID, []string{"report:read"}, now.AddDate(0, 0, -200), time.Time{}),
		imported("stale-used", audra.ID, []string{"api"}, now.AddDate(0, 0, -300), now.AddDate(0, 0, 100)))
	if err := a.db.RecordUses(ctx, []store.Use{
		{TokenID: f.tokens["ada-deploy"].ID, At: now, IP: "203.0.113.7", What: "GET /api/v1/token"},
		{TokenID: f.tokens["max-laptop"].ID, At: now.Add(-time.Minute), IP: "198.51.100.2"},
		{TokenID: f.tokens["max-laptop"].ID, At: now, IP: "203.0.113.7"},
		{TokenID: f.tokens["stale-used"].ID, At: now.AddDate(0, 0, -120), IP: "192.0.2.1"},
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// imported is an API token written directly, with its age decided.
func imported(name string, creator int64, scopes []string, created, expires time.Time) store.ImportedToken {
	secret, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		panic(err) // a helper without a *testing.T: crypto/rand failing is not a test's fault
	}
	h := auth.HashToken(secret)
	return store.ImportedToken{NewToken: store.NewToken{ID: uuid.NewString(), Kind: "api", Name: name, CreatorID: creator, OwnerUserID: creator,
		Scopes: scopes, Visibility: "admins", SecretHash: h[:], Hint: auth.TokenHint(secret), ExpiresAt: expires}, CreatedAt: created}
}

func (f *auditFixture) importTokens(t *testing.T, toks ...store.ImportedToken) {
	t.Helper()
	if err := f.a.db.ImportTokens(context.Background(), f.a.org.ID, toks, store.Actor{Label: "import"}); err != nil {
		t.Fatal(err)
	}
	for _, it := range toks {
		f.tokens[it.Name] = mustToken(t, f.a, it.ID)
	}
}

var auditRowPattern = regexp.MustCompile(`data-testid="token-row-([^"]+)"`)

// auditRows are the token names the audit table lists, sorted.
func auditRows(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range auditRowPattern.FindAllStringSubmatch(body, -1) {
		name, err := url.PathUnescape(m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { return slices.Sorted(slices.Values(s)) }

func TestAuditTokenFilters(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("audra")
	laptop, repos, deploy := f.tokens["max-laptop"], f.tokens["audra-repos"], f.tokens["ada-deploy"]
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", auditLive},
		{"user=max", []string{"max-reports", "max-laptop", "stale-forever"}},
		{"user=ma", []string{"max-reports", "max-laptop", "stale-forever"}},
		{"user=MAX", []string{"max-reports", "max-laptop", "stale-forever"}},
		{"user=a", []string{"ada-deploy", "audra-repos", "acme/payments", "stale-used"}},
		{"user=nobody", nil},
		{"token=" + repos.ID, []string{"audra-repos"}},
		{"token=" + url.QueryEscape(deploy.Hint), []string{"ada-deploy"}},
		{"scope=report:read", []string{"max-reports", "stale-forever"}},
		{"scope=report", []string{"max-reports"}},
		{"scope=tokens:read", []string{"ada-deploy", "stale-used"}},
		{"scope=findings:local", []string{"max-laptop", "acme/payments"}},
		{"ip=203.0.113.7", []string{"ada-deploy", "max-laptop"}},
		{"ip=198.51.100.2", []string{"max-laptop"}},
		{"ip=203.0.113.8", nil},
		{"admin=1", []string{"ada-deploy", "acme/payments", "stale-used"}},
		{"view=never-used", []string{"max-reports", "audra-repos", "acme/payments", "stale-forever"}},
		{"view=idle-90", []string{"stale-forever", "stale-used"}},
		{"view=expiring-30", []string{"audra-repos"}},
		{"view=no-expiry", []string{"stale-forever"}},
		{"kind=cli", []string{"max-laptop"}},
		{"kind=service", []string{"acme/payments"}},
		{"status=revoked", []string{"ada-old"}},
		{"status=active", auditLive},
		{"status=active&view=expiring-30", []string{"audra-repos"}},
		{"status=disabled&view=expiring-30", nil},
		{"user=max&scope=report:read&view=no-expiry", []string{"stale-forever"}},
		{"admin=1&ip=203.0.113.7&kind=api&view=&status=active", []string{"ada-deploy"}},
		{"sort=last_used&dir=asc", auditLive},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := c.get("/orgs/acme/settings/audit?" + tc.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d\n%.2000s", r.status, r.body)
			}
			if got, want := auditRows(t, r.body), sorted(tc.want...); !slices.Equal(got, want) {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}

	t.Run("a row", func(t *testing.T) {
		r := c.get("/orgs/acme/settings/audit?kind=cli")
		r.contains(t, `href="/orgs/acme/settings/tokens/cli/`+laptop.ID+`"`, `data-testid="token-kind">CLI<`,
			// The addresses themselves, not a count.
			`data-testid="recent-ips" title="Recent client IPs: 203.0.113.7, 198.51.100.2">`, `<span class="ip mono">203.0.113.7</span>`, `<span class="ip mono">198.51.100.2</span>`,
			laptop.Hint, "badge-member")
		r = c.get("/orgs/acme/settings/audit?view=never-used&kind=api&user=max")
		r.contains(t, `data-testid="last-used"><span class="muted">Never</span>`)
	})

	t.Run("with a policy maximum", func(t *testing.T) {
		pol := store.DefaultPolicy()
		pol.MaxDays = 210 // stale-forever (200 days old) has 10 left; stale-used (300) is expired
		if _, err := f.a.db.SetPolicy(context.Background(), f.a.org.ID, pol, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		defer f.a.db.SetPolicy(context.Background(), f.a.org.ID, store.DefaultPolicy(), store.Actor{Label: "test"})
		for q, want := range map[string][]string{
			"view=expiring-30":                {"audra-repos", "stale-forever"},
			"view=no-expiry":                  nil,
			"status=expired":                  {"stale-used"},
			"status=active&view=idle-90":      {"stale-forever"},
			"status=revoked&view=expiring-30": nil,
		} {
			r := c.get("/orgs/acme/settings/audit?" + q)
			if got := auditRows(t, r.body); !slices.Equal(got, sorted(want...)) {
				t.Errorf("%s: rows %q, want %q", q, got, sorted(want...))
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		var many []store.ImportedToken
		for i := range 30 {
			many = append(many, imported(fmt.Sprintf("bulk-%02d", i), f.a.user(t, "ada").ID, []string{"repo"}, f.a.db.Now().Add(-time.Duration(i)*time.Hour), time.Time{}))
		}
		f.importTokens(t, many...)
		first := c.get("/orgs/acme/settings/audit?scope=repo")
		first.contains(t, "Page 1 of 2 · 30 tokens", `href="/orgs/acme/settings/audit?page=2&amp;scope=repo"`)
		second := c.get("/orgs/acme/settings/audit?scope=repo&page=2")
		rows := append(auditRows(t, first.body), auditRows(t, second.body)...)
		if len(rows) != 30 || len(slices.Compact(slices.Sorted(slices.Values(rows)))) != 30 {
			t.Errorf("two pages list %d distinct of %d rows, want 30", len(slices.Compact(slices.Sorted(slices.Values(rows)))), len(rows))
		}
	})
}

func TestAuditBadQueries(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("ada")
	for _, q := range []string{"user=Bad%21", "token=twa_garbage", "token=" + strings.Repeat("x", 60), "scope=nope", "ip=1.2.3", "ip=fe80::1%25eth0",
		"admin=yes", "view=forever", "kind=robot", "status=lost", "sort=name", "dir=up", "page=0", "page=x"} {
		t.Run("tokens "+q, func(t *testing.T) {
			r := c.get("/orgs/acme/settings/audit?" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", r.status)
			}
			r.contains(t, `data-testid="filter-error"`)
			if csv := c.get("/orgs/acme/settings/audit/tokens.csv?" + q); csv.status != http.StatusBadRequest {
				t.Errorf("CSV: status %d, want 400", csv.status)
			}
		})
	}
	t.Run("kept for correcting, but never a token", func(t *testing.T) {
		r := c.get("/orgs/acme/settings/audit?ip=1.2.3&user=Bad%21&token=twa_garbage")
		r.contains(t, `value="1.2.3"`, `value="bad!"`)
		r.lacks(t, "twa_garbage")
	})
	other := f.a.issue(t, core.TokenRequest{Org: mustOrg(t, f.a, "globex"), Kind: auth.KindAPI, Name: "globex token", Expiry: "30",
		CreatorID: f.a.user(t, "gus").ID, OwnerUserID: f.a.user(t, "gus").ID})
	for _, q := range []string{"action=Token%20Revoked", "from=2026-13-01", "to=22/11/2026", "from=2026-02-02&to=2026-02-01", "before=x", "before=0",
		"before=99999999", "token=not-a-token", "token=" + url.QueryEscape(other.Secret)} {
		t.Run("events "+q, func(t *testing.T) {
			r := c.get("/orgs/acme/settings/audit/events?" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", r.status)
			}
			r.contains(t, `data-testid="filter-error"`)
			r.lacks(t, other.Secret)
			if csv := c.get("/orgs/acme/settings/audit/events.csv?" + q); csv.status != http.StatusBadRequest {
				t.Errorf("CSV: status %d, want 400", csv.status)
			}
		})
	}
}

func mustOrg(t *testing.T, a *app, slug string) store.Org {
	t.Helper()
	o, err := a.db.OrgBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestAuditAccess(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	visitors := map[string]*client{"anon": a.client()}
	for _, u := range []string{"ada", "audra", "max", "gus"} {
		visitors[u] = a.signIn(u)
	}
	want := map[string]int{"ada": http.StatusOK, "audra": http.StatusOK, "max": http.StatusForbidden, "gus": http.StatusNotFound, "anon": http.StatusSeeOther}
	for _, path := range []string{"/orgs/acme/settings/audit", "/orgs/acme/settings/audit/events",
		"/orgs/acme/settings/audit/tokens.csv", "/orgs/acme/settings/audit/events.csv"} {
		for who, status := range want {
			if r := visitors[who].get(path); r.status != status {
				t.Errorf("GET %s as %s: status %d, want %d", path, who, r.status, status)
			}
		}
	}
	t.Run("navigation", func(t *testing.T) {
		visitors["audra"].get("/orgs/acme/settings/services").contains(t, `href="/orgs/acme/settings/audit"`)
		visitors["ada"].get("/orgs/acme/settings/services").contains(t, `href="/orgs/acme/settings/audit"`)
		visitors["max"].get("/orgs/acme/settings/tokens/api").lacks(t, `href="/orgs/acme/settings/audit"`)
	})
}
