package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// powerCase is acme with max promoted to admin and holding an API token
// with `api` that he made; ada, signed in, is the other admin.
type powerCase struct {
	a   *app
	ada *client
	max store.User
	api core.Issued
}

func newPowerCase(t *testing.T) *powerCase {
	t.Helper()
	a := seededApp(t)
	ctx := context.Background()
	ada, maxU := a.user(t, "ada"), a.user(t, "max")
	if _, err := a.db.ChangeRole(ctx, a.org.ID, maxU.ID, "admin", store.Actor{UserID: ada.ID, Label: "ada"}); err != nil {
		t.Fatal(err)
	}
	pc := &powerCase{a: a, max: maxU, ada: a.signIn("ada")}
	pc.api = a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "max deploy", Scopes: []string{"api"}, CreatorID: maxU.ID, OwnerUserID: maxU.ID})
	return pc
}

// checkAdminPower makes the calls the issue's reproduction made with a kept
// API token and wants each to work.
func (pc *powerCase) checkAdminPower(t *testing.T, secret string) {
	t.Helper()
	const js = "application/json"
	if r := pc.a.call(t, "POST", "/api/v1/tokens", secret, js, `{"name":"made after `+t.Name()+`"}`); r.status != http.StatusCreated {
		t.Errorf("POST /api/v1/tokens: %d %s", r.status, r.body)
	}
	if r := pc.a.call(t, "GET", "/api/v1/tokens?kind=api", secret, "", ""); r.status != http.StatusOK || !strings.Contains(r.body, `"max deploy"`) {
		t.Errorf("GET /api/v1/tokens?kind=api: %d %s", r.status, r.body)
	}
	if r := pc.a.call(t, "GET", "/api/v1/services", secret, "", ""); r.status != http.StatusOK {
		t.Errorf("GET /api/v1/services: %d %s", r.status, r.body)
	}
	if r := pc.a.call(t, "GET", "/api/v1/audit?limit=1", secret, "", ""); r.status != http.StatusOK {
		t.Errorf("GET /api/v1/audit: %d %s", r.status, r.body)
	}
}

func TestAPITokenKeepsPowerAfterCreatorRemoved(t *testing.T) {
	t.Parallel()
	for _, choice := range []string{"keep", "transfer"} {
		t.Run(choice, func(t *testing.T) {
			pc := newPowerCase(t)
			path := "/orgs/acme/settings/members/" + itoa(pc.max.ID) + "/remove"
			pc.ada.get(path)
			form := url.Values{"api_tokens": {choice}}
			if choice == "transfer" {
				form.Set("transfer_to", itoa(pc.a.user(t, "ada").ID))
			}
			if r := pc.ada.post(path, form); r.status != http.StatusSeeOther {
				t.Fatalf("remove max: %d %s", r.status, r.body)
			}
			pc.checkAdminPower(t, pc.api.Secret)
		})
	}
}

func TestAPITokenKeepsPowerAfterCreatorDemoted(t *testing.T) {
	t.Parallel()
	pc := newPowerCase(t)
	pc.ada.get("/orgs/acme/settings/members")
	if r := pc.ada.post("/orgs/acme/settings/members/"+itoa(pc.max.ID)+"/role", url.Values{"role": {"member"}}); r.status != http.StatusSeeOther {
		t.Fatalf("demote max: %d %s", r.status, r.body)
	}
	pc.checkAdminPower(t, pc.api.Secret)
}

func TestAPITokenKeepsPowerAfterCreatorDisabled(t *testing.T) {
	t.Parallel()
	pc := newPowerCase(t)
	pc.ada.get("/admin")
	if r := pc.ada.post("/admin/users/"+itoa(pc.max.ID)+"/disable", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("disable max: %d %s", r.status, r.body)
	}
	pc.checkAdminPower(t, pc.api.Secret)
}

// TestAPITokenScopesStillLimitIt: an org credential has admin power only
// as far as its scopes reach.
func TestAPITokenScopesStillLimitIt(t *testing.T) {
	t.Parallel()
	pc := newPowerCase(t)
	ro := pc.a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "max read-only", Scopes: []string{"tokens:read"},
		CreatorID: pc.max.ID, OwnerUserID: pc.max.ID})
	if r := pc.a.call(t, "POST", "/api/v1/tokens", ro.Secret, "application/json", `{"name":"nope"}`); r.status != http.StatusForbidden {
		t.Errorf("tokens:read creates a token: %d", r.status)
	}
	if r := pc.a.call(t, "GET", "/api/v1/services", ro.Secret, "", ""); r.status != http.StatusForbidden {
		t.Errorf("tokens:read lists services: %d", r.status)
	}
}

func TestDisabledUsersCLITokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	maxU := a.user(t, "max")
	cli := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: maxU.ID, OwnerUserID: maxU.ID})
	api := a.adminToken(t)
	introspect := func() bool {
		t.Helper()
		r := a.call(t, "POST", "/oauth/introspect", api.Secret, "application/x-www-form-urlencoded", url.Values{"token": {cli.Secret}}.Encode())
		return r.json["active"] == true
	}
	if r := a.call(t, "GET", "/api/v1/token", cli.Secret, "", ""); r.status != http.StatusOK || !introspect() {
		t.Fatalf("before: %d %s", r.status, r.body) // also warms the check cache
	}
	admin := a.signIn("ada")
	admin.get("/admin")
	if r := admin.post("/admin/users/"+itoa(maxU.ID)+"/disable", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	r := a.call(t, "GET", "/api/v1/token", cli.Secret, "", "")
	if r.status != http.StatusUnauthorized || r.header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(r.body, "the owner's account is disabled") {
		t.Errorf("disabled owner's CLI token: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if introspect() {
		t.Error("introspection calls the disabled owner's CLI token active")
	}
	admin.get("/admin")
	if r := admin.post("/admin/users/"+itoa(maxU.ID)+"/enable", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	if r := a.call(t, "GET", "/api/v1/token", cli.Secret, "", ""); r.status != http.StatusOK || !introspect() {
		t.Errorf("after enabling: %d %s", r.status, r.body)
	}
}
