package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// grantsCase is acme (ada admin, max member) and initech (ada admin, max
// member), with a personal token of each granted to both.
type grantsCase struct {
	a                       *app
	ada, max                store.User
	initech                 store.Org
	adaToken, maxToken      core.Issued
	acmeAdmin, initechAdmin string // API tokens with api, one per org
}

func newGrantsCase(t *testing.T) *grantsCase {
	t.Helper()
	a := seededApp(t)
	ctx := context.Background()
	g := &grantsCase{a: a, ada: a.user(t, "ada"), max: a.user(t, "max")}
	actor := store.Actor{UserID: g.ada.ID, Label: "ada"}
	var err error
	if g.initech, err = a.db.CreateOrg(ctx, store.NewOrg{Slug: "initech", Name: "Initech"}, g.ada.ID, actor); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.AddMember(ctx, g.initech.ID, g.max.ID, "member", actor); err != nil {
		t.Fatal(err)
	}
	both := []store.Org{a.org, g.initech}
	g.adaToken = a.issue(t, core.TokenRequest{Kind: auth.KindPersonal, Name: "ada everywhere", Orgs: both, Scopes: []string{"api"}, CreatorID: g.ada.ID, OwnerUserID: g.ada.ID})
	g.maxToken = a.issue(t, core.TokenRequest{Kind: auth.KindPersonal, Name: "max everywhere", Orgs: both, Scopes: []string{"api"}, CreatorID: g.max.ID, OwnerUserID: g.max.ID})
	g.acmeAdmin = a.adminToken(t).Secret
	g.initechAdmin = a.issue(t, core.TokenRequest{Org: g.initech, Kind: auth.KindAPI, Scopes: []string{"api"}, CreatorID: g.ada.ID, OwnerUserID: g.ada.ID}).Secret
	return g
}

func wantStatus(t *testing.T, r apiResponse, status int, text ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.body)
	}
	for _, s := range text {
		if !strings.Contains(r.body, s) {
			t.Errorf("body lacks %q: %s", s, r.body)
		}
	}
}

func TestPersonalTokenOrgPaths(t *testing.T) {
	t.Parallel()
	g := newGrantsCase(t)
	a := g.a
	t.Run("the short form is ambiguous with several grants, naming them", func(t *testing.T) {
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens", g.adaToken.Secret, "", ""), 400, "acme, initech", "/api/v1/orgs/{org}/")
	})
	t.Run("the org form answers for each org granted, and 404 for others", func(t *testing.T) {
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.adaToken.Secret, "", ""), 200)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/members", g.adaToken.Secret, "", ""), 200, `"max"`)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/globex/tokens", g.adaToken.Secret, "", ""), 404, "does not reach")
	})
	t.Run("a single-org token may use either form, never another org", func(t *testing.T) {
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens", g.acmeAdmin, "", ""), 200)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.acmeAdmin, "", ""), 200)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/tokens", g.acmeAdmin, "", ""), 404)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/no-such-org/tokens", g.acmeAdmin, "", ""), 404)
	})
	t.Run("who am I lists a personal token's orgs", func(t *testing.T) {
		wantStatus(t, a.call(t, "GET", "/api/v1/token", g.adaToken.Secret, "", ""), 200, `"kind":"personal"`, `"orgs":["acme","initech"]`)
	})
	t.Run("the owner's role in each org bounds the token", func(t *testing.T) {
		const js = "application/json"
		wantStatus(t, a.call(t, "POST", "/api/v1/orgs/acme/tokens", g.adaToken.Secret, js, `{"name":"by ada's personal token"}`), 201)
		wantStatus(t, a.call(t, "POST", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, js, `{"name":"by max's personal token"}`), 403)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/audit", g.maxToken.Secret, "", ""), 403)
		if _, err := a.db.ChangeRole(context.Background(), g.initech.ID, g.max.ID, "auditor", store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/audit", g.maxToken.Secret, "", ""), 200)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/audit", g.maxToken.Secret, "", ""), 403)
	})
	t.Run("a disabled owner's personal tokens are refused", func(t *testing.T) {
		ctx := context.Background()
		if _, err := a.db.SetUserDisabled(ctx, g.max.ID, true, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 401, "disabled")
		wantStatus(t, a.call(t, "GET", "/api/v1/token", g.maxToken.Secret, "", ""), 401, "disabled")
		if _, err := a.db.SetUserDisabled(ctx, g.max.ID, false, store.Actor{Label: "test"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 200)
	})
}

func TestPersonalTokenGrantRemoval(t *testing.T) {
	t.Parallel()
	g := newGrantsCase(t)
	a := g.a
	ctx := context.Background()
	access := "/api/v1/tokens/" + g.maxToken.Token.ID + "/access"
	t.Run("an org's admin may not change someone's personal token, only remove the org", func(t *testing.T) {
		tok := "/api/v1/tokens/" + g.maxToken.Token.ID
		wantStatus(t, a.call(t, "GET", tok, g.acmeAdmin, "", ""), 404)
		wantStatus(t, a.call(t, "PATCH", tok, g.acmeAdmin, "application/json", `{"name":"taken over"}`), 404)
		wantStatus(t, a.call(t, "POST", tok+"/rotate", g.acmeAdmin, "", ""), 404)
		wantStatus(t, a.call(t, "DELETE", tok, g.acmeAdmin, "", ""), 404)
		owned, err := a.db.LiveTokensOwnedBy(ctx, a.org.ID, g.max.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range owned {
			if o.Kind == "personal" {
				t.Errorf("revoke-all of max in acme would revoke his personal token %q", o.Name)
			}
		}
	})
	t.Run("a member cannot remove an org from a token", func(t *testing.T) {
		wantStatus(t, a.call(t, "DELETE", "/api/v1/orgs/acme"+strings.TrimPrefix(access, "/api/v1"), g.maxToken.Secret, "", ""), 403, "member")
	})
	t.Run("an admin of initech cannot remove acme from a token", func(t *testing.T) {
		wantStatus(t, a.call(t, "DELETE", "/api/v1/orgs/acme"+strings.TrimPrefix(access, "/api/v1"), g.initechAdmin, "", ""), 404)
	})
	t.Run("after a removal the token is refused there and works for its other org", func(t *testing.T) {
		wantStatus(t, a.call(t, "DELETE", access, g.acmeAdmin, "", ""), 204)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 404)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/tokens", g.maxToken.Secret, "", ""), 200)
		// One grant left: the short form is that org's.
		wantStatus(t, a.call(t, "GET", "/api/v1/tokens", g.maxToken.Secret, "", ""), 200)
		wantStatus(t, a.call(t, "DELETE", access, g.acmeAdmin, "", ""), 404)
	})
	t.Run("the owner is notified and both sides are audited", func(t *testing.T) {
		notes, err := a.db.Notifications(ctx, g.max.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) == 0 || notes[0].Kind != store.NoticeOrgRemoved || !strings.Contains(notes[0].Message, "Acme") {
			t.Errorf("notifications = %+v", notes)
		}
		events, err := a.db.TokenEvents(ctx, a.org.ID, g.maxToken.Token.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 || events[0].Action != "token.org_removed" {
			t.Errorf("acme's events about the token = %+v", events)
		}
	})
	t.Run("introspection answers active only while that org's grant stands", func(t *testing.T) {
		in := func(caller string) string {
			r := a.call(t, "POST", "/oauth/introspect", caller, "application/x-www-form-urlencoded", "token="+g.maxToken.Secret)
			return r.body
		}
		if got := in(g.acmeAdmin); !strings.Contains(got, `"active":false`) {
			t.Errorf("acme introspects after removal: %s", got)
		}
		if got := in(g.initechAdmin); !strings.Contains(got, `"active":true`) || !strings.Contains(got, `"org":"initech"`) {
			t.Errorf("initech introspects: %s", got)
		}
	})
	t.Run("re-adding brings the org back", func(t *testing.T) {
		if _, err := a.db.AddTokenOrg(ctx, g.max.ID, g.maxToken.Token.ID, a.org.ID, store.Actor{UserID: g.max.ID, Label: "max"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 200)
		if got := a.call(t, "POST", "/oauth/introspect", g.acmeAdmin, "application/x-www-form-urlencoded", "token="+g.maxToken.Secret); !strings.Contains(got.body, `"org":"acme"`) {
			t.Errorf("acme introspects after re-adding: %s", got.body)
		}
	})
	t.Run("removing the member ends that org's grant", func(t *testing.T) {
		if _, err := a.db.RemoveMember(ctx, a.org.ID, g.max.ID, store.RemoveOptions{}, store.Actor{UserID: g.ada.ID, Label: "ada"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 404)
		wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/tokens", g.maxToken.Secret, "", ""), 200)
	})
}

func TestPersonalTokenPolicyPerGrant(t *testing.T) {
	t.Parallel()
	g := newGrantsCase(t)
	a := g.a
	ctx := context.Background()
	pol := store.DefaultPolicy()
	pol.MaxDays = 10
	if _, err := a.db.SetPolicy(ctx, a.org.ID, pol, store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	a.clock.Set(g.maxToken.Token.CreatedAt.Add(11 * 24 * time.Hour))
	wantStatus(t, a.call(t, "GET", "/api/v1/orgs/acme/tokens", g.maxToken.Secret, "", ""), 401, "expired")
	wantStatus(t, a.call(t, "GET", "/api/v1/orgs/initech/tokens", g.maxToken.Secret, "", ""), 200)
}
