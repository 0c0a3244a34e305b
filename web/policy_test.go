package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

func acmePolicy(t testing.TB, a *app) store.Policy {
	t.Helper()
	o, err := a.db.OrgBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return o.Policy
}

func TestPolicyAccess(t *testing.T) {
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
		who, method string
		status      int
	}{
		{"anon", "GET", http.StatusSeeOther},
		{"ada", "GET", http.StatusOK},
		{"audra", "GET", http.StatusForbidden},
		{"max", "GET", http.StatusForbidden},
		{"gus", "GET", http.StatusNotFound},
		{"audra", "POST", http.StatusForbidden},
		{"max", "POST", http.StatusForbidden},
		{"gus", "POST", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.method, func(t *testing.T) {
			var r response
			if tt.method == "GET" {
				r = visitors[tt.who].get("/orgs/acme/settings/policy")
			} else {
				r = visitors[tt.who].post("/orgs/acme/settings/policy", url.Values{"max_days": {"7"}, "default_days": {"7"}, "action": {"save"}})
			}
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.1500s", r.status, tt.status, r.body)
			}
			r.lacks(t, "This form has expired") // refused for the role, not the CSRF token
		})
	}
	if got := acmePolicy(t, a); !reflect.DeepEqual(got, store.DefaultPolicy()) {
		t.Errorf("refused posts changed the policy: %+v", got)
	}
	t.Run("nav shows Policy to admins only", func(t *testing.T) {
		r := visitors["ada"].get("/orgs/acme/settings/policy")
		r.contains(t, `href="/orgs/acme/settings/policy"`, `value="30" selected`)
		visitors["audra"].get("/orgs/acme/settings/services").lacks(t, `href="/orgs/acme/settings/policy"`)
	})
}

// policyTokens makes acme's tokens for the preview: three that a 90-day
// maximum cuts and three it does not touch.
func policyTokens(t *testing.T, a *app) (cut, kept []store.Token) {
	t.Helper()
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second)
	defer a.clock.Release()
	at := func(daysAgo int) { a.clock.Set(base.AddDate(0, 0, -daysAgo)) }
	never := store.DefaultPolicy()
	never.NeverExpire["api"] = true
	if _, err := a.db.SetPolicy(ctx, a.org.ID, never, store.Actor{UserID: userID(t, a, "ada")}); err != nil {
		t.Fatal(err)
	}
	org, err := a.db.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	maxID := userID(t, a, "max")

	at(100)
	cut = append(cut, mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindAPI, Name: "old-api", Expiry: "365"}))
	revoked := mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindAPI, Name: "revoked-api", Expiry: "365"})
	at(50)
	kept = append(kept, mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindCLI, Name: "mid-cli", Expiry: "60"}))
	at(10)
	cut = append(cut, mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindAPI, Name: "forever-api", Expiry: "never"}))
	at(0)
	cut = append(cut, mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindAPI, Name: "long-api", Expiry: "365"}))
	kept = append(kept, mintToken(t, a, core.TokenRequest{Org: org, Kind: auth.KindCLI, Name: "recent-cli", Expiry: "30",
		CreatorID: maxID, OwnerUserID: maxID}))
	if _, err := a.db.RevokeToken(ctx, a.org.ID, revoked.ID, "", store.Actor{UserID: userID(t, a, "ada")}); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, revoked)
	if _, err := a.db.SetPolicy(ctx, a.org.ID, store.DefaultPolicy(), store.Actor{UserID: userID(t, a, "ada")}); err != nil {
		t.Fatal(err)
	}
	return cut, kept
}

func TestPolicyPreviewListsCutTokensAndSaves(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	cut, kept := policyTokens(t, a)
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/policy")
	tighter := url.Values{"max_days": {"90"}, "default_days": {"30"}, "never_cli": {"on"}}

	for name, action := range map[string]string{"preview button": "preview", "no button (Enter, no JS)": ""} {
		t.Run(name+" previews without saving", func(t *testing.T) {
			vals := url.Values{"action": {action}}
			for k, v := range tighter {
				vals[k] = v
			}
			r := c.post("/orgs/acme/settings/policy", vals)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d\n%.2000s", r.status, r.body)
			}
			r.contains(t, "This change cuts 3 tokens", `data-testid="policy-save"`, `value="90"`)
			for _, tok := range cut {
				r.contains(t, `data-testid="cut-`+tok.ID+`"`)
			}
			for _, tok := range kept {
				r.lacks(t, `data-testid="cut-`+tok.ID+`"`)
			}
			if n := strings.Count(r.body, "expires at once"); n != 1 {
				t.Errorf(`"expires at once" %d times, want 1 (old-api)`, n)
			}
			if got := acmePolicy(t, a); !reflect.DeepEqual(got, store.DefaultPolicy()) {
				t.Errorf("preview saved the policy: %+v", got)
			}
		})
	}

	t.Run("save saves", func(t *testing.T) {
		vals := url.Values{"action": {"save"}}
		for k, v := range tighter {
			vals[k] = v
		}
		r := c.post("/orgs/acme/settings/policy", vals)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/acme/settings/policy" {
			t.Fatalf("status = %d, Location %q\n%.1000s", r.status, r.header.Get("Location"), r.body)
		}
		want := store.Policy{MaxDays: 90, DefaultDays: 30, NeverExpire: map[string]bool{"api": false, "cli": true, "service": false}}
		if got := acmePolicy(t, a); !reflect.DeepEqual(got, want) {
			t.Errorf("policy = %+v, want %+v", got, want)
		}
		page := c.get("/orgs/acme/settings/policy")
		page.contains(t, "Saved the token policy.", `value="90"`)
		if !strings.Contains(page.body, `name="never_cli" value="on" checked`) {
			t.Error("never_cli not ticked after save")
		}
	})

	t.Run("loosening cuts nothing and says what lives longer", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/policy", url.Values{"max_days": {""}, "default_days": {"30"}})
		if r.status != http.StatusOK {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "This change cuts no token.", "3 tokens would live longer",
			"1 of them expired under the current policy and would work again")
		r.lacks(t, `data-testid="cut-table"`)
	})

	t.Run("an unchanged maximum changes no expiry", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/policy", url.Values{"max_days": {"90"}, "default_days": {"60"}})
		if r.status != http.StatusOK {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "No token&#39;s expiry changes.")
	})
}

func TestPolicyBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/policy")
	cases := []struct {
		name, field, max, def string
	}{
		{"max non-numeric", "max_days", "abc", "30"},
		{"max negative", "max_days", "-5", "30"},
		{"max zero", "max_days", "0", "30"},
		{"max over 3650", "max_days", "3651", "30"},
		{"max fractional", "max_days", "1.5", "30"},
		{"max HTML", "max_days", "<script>alert(1)</script>", "30"},
		{"max non-UTF8", "max_days", "9\xff", "30"},
		{"default empty", "default_days", "", ""},
		{"default not a preset", "default_days", "", "45"},
		{"default non-numeric", "default_days", "", "abc"},
		{"default negative", "default_days", "", "-30"},
		{"default HTML", "default_days", "", "<script>alert(1)</script>"},
		{"default over the maximum", "default_days", "7", "30"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := c.post("/orgs/acme/settings/policy", url.Values{"max_days": {tt.max}, "default_days": {tt.def},
				"never_api": {"on"}, "action": {"save"}})
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d\n%.1000s", r.status, r.body)
			}
			r.contains(t, `data-testid="error-`+tt.field+`"`)
			r.lacks(t, "<script>alert(1)</script>", "\xff", `data-testid="policy-cuts"`)
			if got := acmePolicy(t, a); !reflect.DeepEqual(got, store.DefaultPolicy()) {
				t.Fatalf("policy changed: %+v", got)
			}
		})
	}
	t.Run("the widest policy is accepted", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/policy", url.Values{"max_days": {"3650"}, "default_days": {"365"}})
		if r.status != http.StatusOK {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
	})
}
