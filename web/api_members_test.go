package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/web/core"
)

// TestMembersAPI: the members endpoints follow the members page's rules.
// A token needs members:read to list and members:write to change; removing
// a member revokes their CLI tokens and hands their API tokens to the admin
// the body names; each change is in the audit trail under the calling
// token; refused requests change nothing and say what to fix.
func TestMembersAPI(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	js := "application/json"
	reader := a.adminToken(t, "members:read")
	writer := a.adminToken(t, "members:write", "audit:read", "tokens:read")

	list := a.call(t, "GET", "/api/v1/members", reader.Secret, "", "")
	if list.status != http.StatusOK || !strings.Contains(list.body, `"username":"max"`) || !strings.Contains(list.body, `"role":"auditor"`) {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if r := a.call(t, "POST", "/api/v1/members", reader.Secret, js, `{"username":"gus","role":"member"}`); r.status != http.StatusForbidden ||
		!strings.Contains(r.body, "members:write") {
		t.Errorf("adding with members:read only: %d %s", r.status, r.body)
	}
	if r := a.call(t, "GET", "/api/v1/members", a.adminToken(t, "tokens:read").Secret, "", ""); r.status != http.StatusForbidden {
		t.Errorf("listing without a members scope: %d", r.status)
	}

	// max gets a CLI token and an API token, then is removed with the API
	// token handed to ada.
	max := a.user(t, "max")
	cli := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, CreatorID: max.ID, OwnerUserID: max.ID})
	api := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Scopes: []string{"report"}, CreatorID: a.user(t, "ada").ID, OwnerUserID: max.ID})
	if r := a.call(t, "DELETE", "/api/v1/members/max", writer.Secret, js, `{"api_tokens":"transfer","transfer_to":"audra"}`); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "another admin") {
		t.Errorf("handing over to an auditor: %d %s", r.status, r.body)
	}
	if _, err := a.db.Membership(ctx, a.org.ID, max.ID); err != nil {
		t.Fatalf("a refused removal removed max: %v", err)
	}
	r := a.call(t, "DELETE", "/api/v1/members/MAX", writer.Secret, js, `{"api_tokens":"transfer","transfer_to":"ada"}`)
	if r.status != http.StatusOK || r.json["cli_tokens_revoked"] != float64(1) || r.json["api_tokens_transferred"] != float64(1) || r.json["transferred_to"] != "ada" {
		t.Fatalf("remove max: %d %s", r.status, r.body)
	}
	if r := a.call(t, "GET", "/api/v1/token", cli.Secret, "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("max's CLI token after the removal: %d", r.status)
	}
	if r := a.call(t, "GET", "/api/v1/tokens/"+api.Token.ID, writer.Secret, "", ""); r.json["owner"] != "ada" {
		t.Errorf("the handed-over API token's owner: %v", r.json["owner"])
	}
	events := a.call(t, "GET", "/api/v1/audit?action=member.removed", writer.Secret, "", "")
	if !strings.Contains(events.body, "max") || !strings.Contains(events.body, "token "+writer.Token.Name) {
		t.Errorf("the removal is not audited under the calling token: %s", events.body)
	}
	if r := a.call(t, "POST", "/api/v1/members", writer.Secret, js, `{"username":"max","role":"member"}`); r.status != http.StatusCreated || r.json["role"] != "member" {
		t.Errorf("adding max back: %d %s", r.status, r.body)
	}
	if r := a.call(t, "PATCH", "/api/v1/members/max", writer.Secret, js, `{"role":"admin"}`); r.status != http.StatusOK || r.json["role"] != "admin" {
		t.Errorf("promoting max: %d %s", r.status, r.body)
	}
	if r := a.call(t, "PATCH", "/api/v1/members/max", writer.Secret, js, `{"role":"member"}`); r.status != http.StatusOK {
		t.Errorf("demoting max while ada is admin too: %d %s", r.status, r.body)
	}
	if r := a.call(t, "PATCH", "/api/v1/members/ada", writer.Secret, js, `{"role":"auditor"}`); r.status != http.StatusConflict ||
		!strings.Contains(strings.ToLower(r.body), "admin") {
		t.Errorf("demoting the last admin: %d %s", r.status, r.body)
	}
	if m, _ := a.db.Membership(ctx, a.org.ID, a.user(t, "ada").ID); m.Role != "admin" {
		t.Errorf("the refused demotion changed ada's role to %q", m.Role)
	}
	for _, bad := range []struct{ method, path, body, says string }{
		{"POST", "/api/v1/members", `{"username":"<b>nobody</b>","role":"member"}`, "no user named"},
		{"POST", "/api/v1/members", `{"username":"gus","role":"root"}`, "admin, member or auditor"},
		{"POST", "/api/v1/members", `{"username":"gus"}`, "admin, member or auditor"},
		{"POST", "/api/v1/members", `{"username":"gus","role":"member","extra":1}`, "extra"},
		{"DELETE", "/api/v1/members/max", `{"api_tokens":"transfer"}`, "admin"},
		{"DELETE", "/api/v1/members/max", `{"api_tokens":"transfer","transfer_to":"nobody"}`, "no user named"},
	} {
		r := a.call(t, bad.method, bad.path, writer.Secret, js, bad.body)
		if r.status < 400 || r.status >= 500 || !strings.Contains(r.body, bad.says) || strings.Contains(r.body, "<b>") {
			t.Errorf("%s %s %s: %d %s, want a 4xx saying %q, names escaped", bad.method, bad.path, bad.body, r.status, r.body, bad.says)
		}
	}
	if _, err := a.db.Membership(ctx, a.org.ID, a.user(t, "max").ID); err != nil {
		t.Errorf("a refused request removed max: %v", err)
	}
	if _, err := a.db.UserByUsername(ctx, "gus"); err != nil {
		t.Fatal(err)
	}
	members, _ := a.db.Members(ctx, a.org.ID)
	for _, m := range members {
		if m.User.Username == "gus" {
			t.Error("a refused request added gus")
		}
	}
}
