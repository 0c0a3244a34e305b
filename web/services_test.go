package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// mintSealer is a sealer under a throwaway key, for tokens tests make
// directly rather than through the server.
func mintSealer(t testing.TB) *auth.Sealer {
	t.Helper()
	key := make([]byte, auth.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mintToken makes a token through core.IssueToken, as the dashboard would.
func mintToken(t testing.TB, a *app, r core.TokenRequest) store.Token {
	t.Helper()
	ctx := context.Background()
	if r.Org.ID == 0 {
		r.Org = a.org
	}
	if r.CreatorID == 0 {
		r.CreatorID = userID(t, a, "ada")
	}
	if r.OwnerUserID == 0 && r.Kind != auth.KindService {
		r.OwnerUserID = r.CreatorID
	}
	is, errs, err := core.IssueToken(ctx, a.db, mintSealer(t), r, store.Actor{UserID: r.CreatorID, Label: "test"})
	if err != nil || len(errs) > 0 {
		t.Fatalf("issue %s: %v %v", r.Name, errs, err)
	}
	return is.Token
}

func userID(t testing.TB, a *app, username string) int64 {
	t.Helper()
	u, err := a.db.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

var revealedSecret = regexp.MustCompile(`data-testid="reveal-secret">([^<]+)<`)

// liveServices is how many services and live tokens of any kind acme has.
func liveServices(t testing.TB, a *app) (services, tokens int) {
	t.Helper()
	ctx := context.Background()
	list, err := a.db.Services(ctx, a.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	live, err := a.db.LiveTokens(ctx, a.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(list), len(live)
}

func TestServicesAccess(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	visitors := map[string]*client{"anon": a.client(), "ada": a.signIn("ada"), "max": a.signIn("max"),
		"audra": a.signIn("audra"), "gus": a.signIn("gus")}
	for who, c := range visitors {
		if who == "anon" {
			c.get("/login")
		} else {
			c.get("/") // a page with a form, for the CSRF token
		}
	}
	tests := []struct {
		who, method, path string
		status            int
		contains, lacks   string
	}{
		{"anon", "GET", "/orgs/acme/settings/services", http.StatusSeeOther, "", ""},
		{"ada", "GET", "/orgs/acme/settings/services", http.StatusOK, `data-testid="add-service"`, ""},
		{"audra", "GET", "/orgs/acme/settings/services", http.StatusOK, "No services yet", `data-testid="add-service"`},
		{"max", "GET", "/orgs/acme/settings/services", http.StatusForbidden, "", ""},
		{"gus", "GET", "/orgs/acme/settings/services", http.StatusNotFound, "", ""},
		{"gus", "GET", "/orgs/globex/settings/services", http.StatusOK, "Add a service", ""},
		{"audra", "POST", "/orgs/acme/settings/services", http.StatusForbidden, "", ""},
		{"max", "POST", "/orgs/acme/settings/services", http.StatusForbidden, "", ""},
		{"gus", "POST", "/orgs/acme/settings/services", http.StatusNotFound, "", ""},
		{"audra", "POST", "/orgs/acme/settings/services/1/remove", http.StatusForbidden, "", ""},
		{"max", "POST", "/orgs/acme/settings/services/1/remove", http.StatusForbidden, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
			c := visitors[tt.who]
			var r response
			if tt.method == "GET" {
				r = c.get(tt.path)
			} else {
				r = c.post(tt.path, url.Values{"name": {"acme/payments"}})
			}
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.1500s", r.status, tt.status, r.body)
			}
			r.contains(t, tt.contains)
			r.lacks(t, "This form has expired") // refused for the role, not the CSRF token
			if tt.lacks != "" {
				r.lacks(t, tt.lacks)
			}
		})
	}
	if s, n := liveServices(t, a); s != 0 || n != 0 {
		t.Errorf("refused posts wrote %d services, %d tokens", s, n)
	}
	t.Run("nav shows Services to admins and auditors only", func(t *testing.T) {
		visitors["ada"].get("/orgs/acme/settings/services").contains(t, `href="/orgs/acme/settings/services"`)
		visitors["audra"].get("/orgs/acme/settings/services").contains(t, `href="/orgs/acme/settings/services"`)
		visitors["max"].get("/").lacks(t, `href="/orgs/acme/settings/services"`)
	})
}

func TestServiceOnboardRevealsTokenOnce(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/services")
	r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}, "url": {"https://github.com/acme/payments"}})
	if r.status != http.StatusOK {
		t.Fatalf("status = %d\n%.2000s", r.status, r.body)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	r.contains(t, `data-testid="reveal-dialog"`, "Service token for acme/payments", "It will not be shown again",
		`href="/orgs/acme/settings/services"`)
	m := revealedSecret.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret in the reveal\n%.3000s", r.body)
	}
	secret := m[1]
	if !strings.HasPrefix(secret, "tws_") {
		t.Errorf("secret %q is not a service token", secret)
	}
	if n := strings.Count(r.body, secret); n != 1 {
		t.Errorf("secret appears %d times in the reveal page", n)
	}

	h := auth.HashToken(secret)
	tok, _, err := a.db.TokenBySecretHash(ctx, h[:])
	if err != nil {
		t.Fatalf("token not found by its hash: %v", err)
	}
	if tok.Kind != "service" || tok.Name != "acme/payments" || tok.ServiceName != "acme/payments" || tok.Visibility != "admins" || len(tok.Sealed) != 0 {
		t.Errorf("token = %+v", tok)
	}
	if !slices.Contains(tok.Scopes, "ci") {
		t.Errorf("scopes = %v, want ci", tok.Scopes)
	}
	if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != 30*24*time.Hour {
		t.Errorf("lifetime = %v, want the policy default of 30 days", d)
	}

	later := c.get("/orgs/acme/settings/services")
	later.lacks(t, secret, `data-testid="reveal-dialog"`)
	later.contains(t, "acme/payments", "https://github.com/acme/payments", "ada", "1 live token",
		fmt.Sprintf(`href="/orgs/acme/settings/tokens/service?service=%d"`, tok.ServiceID))
	if strings.Contains(a.log.String(), secret) {
		t.Error("the secret is in the log")
	}
	events, err := a.db.OrgEvents(ctx, a.org.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if strings.Contains(fmt.Sprint(e), secret) {
			t.Errorf("audit event %s holds the secret", e.Action)
		}
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"service.added", "token.created"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s event in %v", want, actions)
		}
	}

	t.Run("the expiry follows the org's default", func(t *testing.T) {
		pol := store.DefaultPolicy()
		pol.DefaultDays = 7
		if _, err := a.db.SetPolicy(ctx, a.org.ID, pol, store.Actor{UserID: tok.CreatorID}); err != nil {
			t.Fatal(err)
		}
		r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/web"}})
		m := revealedSecret.FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil {
			t.Fatalf("status = %d", r.status)
		}
		h := auth.HashToken(m[1])
		tok, _, err := a.db.TokenBySecretHash(ctx, h[:])
		if err != nil {
			t.Fatal(err)
		}
		if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != 7*24*time.Hour {
			t.Errorf("lifetime = %v, want 7 days", d)
		}
	})
}

func TestServiceBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/services")
	names := map[string]string{
		"empty":           "",
		"overlong":        "acme/" + strings.Repeat("p", 96),
		"non-UTF8":        "acme/pay\xff\xfe",
		"HTML":            "<script>alert(1)</script>",
		"HTML in segment": "acme/<b>pay</b>",
		"no slash":        "payments",
		"two slashes":     "acme/pay/ments",
		"empty owner":     "/payments",
		"empty repo":      "acme/",
		"double slash":    "acme//payments",
		"space":           "acme/pay ments",
		"control char":    "acme/pay\x01ments",
		"dot-dot":         "acme/..",
	}
	for name, v := range names {
		t.Run("name "+name, func(t *testing.T) {
			r := c.post("/orgs/acme/settings/services", url.Values{"name": {v}, "url": {"https://example.com/x"}})
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d\n%.1000s", r.status, r.body)
			}
			r.contains(t, `data-testid="error-name"`, `value="https://example.com/x"`)
			r.lacks(t, "<script>alert(1)</script>", "<b>pay", "\xff", `data-testid="reveal-dialog"`)
			if s, n := liveServices(t, a); s != 0 || n != 0 {
				t.Fatalf("wrote %d services, %d tokens", s, n)
			}
		})
	}
	urls := map[string]string{
		"overlong":     "https://example.com/" + strings.Repeat("a", 2048),
		"non-UTF8":     "https://example.com/\xff",
		"HTML":         "<script>alert(1)</script>",
		"quote":        `https://example.com/"onmouseover=x`,
		"no scheme":    "github.com/acme/payments",
		"ftp":          "ftp://example.com/acme",
		"javascript":   "javascript:alert(1)",
		"no host":      "https://",
		"space":        "https://example.com/a b",
		"credentials":  "https://user:secret@example.com/acme",
		"control char": "https://example.com/\x7f",
	}
	for name, v := range urls {
		t.Run("url "+name, func(t *testing.T) {
			r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}, "url": {v}})
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d\n%.1000s", r.status, r.body)
			}
			r.contains(t, `data-testid="error-url"`, `value="acme/payments"`)
			r.lacks(t, "<script>alert(1)</script>", `href="javascript:`, "\xff", `data-testid="reveal-dialog"`)
			if s, n := liveServices(t, a); s != 0 || n != 0 {
				t.Fatalf("wrote %d services, %d tokens", s, n)
			}
		})
	}
	t.Run("duplicate name is 409 by the field", func(t *testing.T) {
		if r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}}); r.status != http.StatusOK {
			t.Fatalf("first: status = %d", r.status)
		}
		r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}})
		if r.status != http.StatusConflict {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
		r.contains(t, `data-testid="error-name"`, "already onboarded")
		r.lacks(t, `data-testid="reveal-dialog"`)
		if s, n := liveServices(t, a); s != 1 || n != 1 {
			t.Fatalf("have %d services, %d tokens; want 1 and 1", s, n)
		}
	})
}

func TestServiceRemoveRevokesItsTokens(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/services")
	if r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}}); r.status != http.StatusOK {
		t.Fatalf("onboard: status = %d", r.status)
	}
	list, err := a.db.Services(ctx, a.org.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("services %v %v", list, err)
	}
	svc := list[0]
	second := mintToken(t, a, core.TokenRequest{Kind: auth.KindService, Name: "payments-deploy", ServiceID: svc.ID})
	other := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "unrelated"})

	page := c.get("/orgs/acme/settings/services")
	page.contains(t, "2 live tokens", `data-confirm="Remove acme/payments? Its 2 live tokens will be revoked."`)

	t.Run("unknown, malformed and other org's ids are 404", func(t *testing.T) {
		globex, err := a.db.OrgBySlug(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		gusID := userID(t, a, "gus")
		foreign, _, errs, err := core.OnboardService(ctx, a.db, mintSealer(t), store.NewService{OrgID: globex.ID, Name: "globex/app"},
			core.TokenRequest{Org: globex, Kind: auth.KindService, Name: "globex/app", CreatorID: gusID}, store.Actor{UserID: gusID})
		if err != nil || len(errs) > 0 {
			t.Fatal(errs, err)
		}
		for _, id := range []string{"999999", "abc", "0", "-1", itoa(foreign.ID)} {
			r := c.post("/orgs/acme/settings/services/"+id+"/remove", url.Values{})
			if r.status != http.StatusNotFound {
				t.Errorf("%s: status = %d", id, r.status)
			}
		}
		if _, err := a.db.ServiceByID(ctx, globex.ID, foreign.ID); err != nil {
			t.Errorf("globex's service is gone: %v", err)
		}
	})

	r := c.post(fmt.Sprintf("/orgs/acme/settings/services/%d/remove", svc.ID), url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/acme/settings/services" {
		t.Fatalf("status = %d, Location %q\n%.1000s", r.status, r.header.Get("Location"), r.body)
	}
	after := c.get("/orgs/acme/settings/services")
	after.contains(t, "Removed acme/payments and revoked 2 tokens.", "No services yet")
	after.lacks(t, `data-testid="service-acme/payments"`)
	if tok, err := a.db.TokenByID(ctx, a.org.ID, second.ID); err != nil || tok.RevokedAt.IsZero() {
		t.Errorf("the service's second token is not revoked: %v", err)
	}
	if live, err := a.db.LiveTokens(ctx, a.org.ID); err != nil {
		t.Fatal(err)
	} else if len(live) != 1 || live[0].ID != other.ID {
		t.Errorf("live tokens after removal: %v", live)
	}
	t.Run("the name can be onboarded again", func(t *testing.T) {
		if r := c.post("/orgs/acme/settings/services", url.Values{"name": {"acme/payments"}}); r.status != http.StatusOK {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
	})
}
