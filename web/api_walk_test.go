package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// The API's callers: no token, a malformed one, a revoked one, a CLI token,
// a service token, an API token lacking scopes, and API tokens holding
// "api" whose creators are now an admin, a member and an auditor. API
// tokens are the org's credentials: all three act with the power of their
// scopes, whoever made them (DESIGN.md, "Whose power a token carries").
var apiCallers = []string{"none", "malformed", "revoked", "cli", "service", "api-report", "api-member", "api-auditor", "api-admin"}

var (
	anyValid  = []string{"cli", "service", "api-report", "api-member", "api-auditor", "api-admin"}
	readers   = []string{"api-member", "api-auditor", "api-admin"}
	apiAdmins = readers
	apiAudit  = readers
)

type apiCase struct {
	path, body, contentType string
	allowed                 []string
}

// apiWalkTable maps "METHOD pattern" to who may call it, from DESIGN.md:
// each endpoint's scope, then what an org's API token may do.
func apiWalkTable(target, personal store.Token, svc store.Service, sample, member, outsider string, invitation int64) map[string]apiCase {
	tok := "/api/v1/tokens/" + target.ID
	js, form := "application/json", "application/x-www-form-urlencoded"
	return map[string]apiCase{
		"GET /api/v1/token":                {path: "/api/v1/token", allowed: anyValid},
		"DELETE /api/v1/token":             {path: "/api/v1/token", allowed: anyValid},
		"GET /api/v1/quota":                {path: "/api/v1/quota", allowed: anyValid},
		"GET /api/v1/tokens":               {path: "/api/v1/tokens", allowed: readers},
		"POST /api/v1/tokens":              {path: "/api/v1/tokens", body: `{"name":"walk new"}`, contentType: js, allowed: apiAdmins},
		"GET /api/v1/tokens/:id":           {path: tok, allowed: apiAudit},
		"PATCH /api/v1/tokens/:id":         {path: tok, body: `{"name":"walk renamed"}`, contentType: js, allowed: apiAdmins},
		"DELETE /api/v1/tokens/:id":        {path: tok, allowed: apiAdmins},
		"POST /api/v1/tokens/:id/rotate":   {path: tok + "/rotate", allowed: apiAdmins},
		"POST /api/v1/tokens/:id/disable":  {path: tok + "/disable", allowed: apiAdmins},
		"POST /api/v1/tokens/:id/enable":   {path: tok + "/enable", allowed: apiAdmins},
		"DELETE /api/v1/tokens/:id/access": {path: "/api/v1/tokens/" + personal.ID + "/access", allowed: apiAdmins},
		"GET /api/v1/services":             {path: "/api/v1/services", allowed: apiAudit},
		"POST /api/v1/services":            {path: "/api/v1/services", body: `{"name":"acme/walk-new"}`, contentType: js, allowed: apiAdmins},
		"DELETE /api/v1/services/:id":      {path: fmt.Sprintf("/api/v1/services/%d", svc.ID), allowed: apiAdmins},
		"GET /api/v1/audit":                {path: "/api/v1/audit", allowed: apiAudit},
		"POST /oauth/introspect":           {path: "/oauth/introspect", body: "token=" + sample, contentType: form, allowed: readers},
		"GET /api/v1/members":              {path: "/api/v1/members", allowed: apiAdmins},
		"POST /api/v1/members":             {path: "/api/v1/members", body: `{"username":"` + outsider + `","role":"member"}`, contentType: js, allowed: apiAdmins},
		"PATCH /api/v1/members/:username":  {path: "/api/v1/members/" + member, body: `{"role":"auditor"}`, contentType: js, allowed: apiAdmins},
		"DELETE /api/v1/members/:username": {path: "/api/v1/members/" + member, allowed: apiAdmins},
		"GET /api/v1/invitations":          {path: "/api/v1/invitations", allowed: apiAdmins},
		"POST /api/v1/invitations": {path: "/api/v1/invitations", body: `{"email":"` + outsider + `-invitee@example.com","role":"member"}`,
			contentType: js, allowed: apiAdmins},
		"DELETE /api/v1/invitations/:id": {path: fmt.Sprintf("/api/v1/invitations/%d", invitation), allowed: apiAdmins},
	}
}

// TestAPIAuthorizationWalk calls every bearer route with every kind of
// caller and checks the answer against apiWalkTable; a bearer route missing
// from the table fails.
func TestAPIAuthorizationWalk(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	users := map[string]store.User{}
	for _, u := range []string{"ada", "max", "audra"} {
		user, err := a.db.UserByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		users[u] = user
	}
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	issue := func(kind auth.Kind, creator string, scopes ...string) core.Issued {
		n++
		r := core.TokenRequest{Org: a.org, Kind: kind, Name: fmt.Sprintf("api-walk-%d", n), Scopes: scopes,
			CreatorID: users[creator].ID, OwnerUserID: users[creator].ID}
		is, errs, err := core.IssueToken(ctx, a.db, sealer, r, store.Actor{Label: "walk"})
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		return is
	}
	// caller makes the credential one kind of caller presents: a fresh one
	// for every call, as a call may revoke its own token.
	caller := func(who string) string {
		switch who {
		case "none":
			return ""
		case "malformed":
			return "twa_notatoken"
		case "revoked":
			revoked := issue(auth.KindAPI, "ada", "api")
			if _, err := a.db.RevokeToken(ctx, a.org.ID, revoked.Token.ID, "", store.Actor{Label: "walk"}); err != nil {
				t.Fatal(err)
			}
			return revoked.Secret
		case "cli":
			return issue(auth.KindCLI, "max").Secret
		case "service":
			n++
			_, svcTok, errs, err := core.OnboardService(ctx, a.db, sealer, store.NewService{OrgID: a.org.ID, Name: fmt.Sprintf("acme/caller-%d", n)},
				core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: fmt.Sprintf("acme/caller-%d", n), CreatorID: users["ada"].ID}, store.Actor{Label: "walk"})
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			return svcTok.Secret
		case "api-report":
			return issue(auth.KindAPI, "ada", "report:read").Secret
		}
		creator := map[string]string{"api-member": "max", "api-auditor": "audra", "api-admin": "ada"}[who]
		return issue(auth.KindAPI, creator, "api").Secret
	}
	// targets makes what a route's calls act on: a token, a service, a
	// member to change or remove, a user of another org to add, a personal
	// token, and (for the routes about them, as an org may have 100
	// pending) an invitation to revoke.
	targets := func(route string) map[string]apiCase {
		target := issue(auth.KindAPI, "ada", "api").Token
		n++
		svc, _, _, err := core.OnboardService(ctx, a.db, sealer, store.NewService{OrgID: a.org.ID, Name: fmt.Sprintf("acme/target-%d", n)},
			core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: fmt.Sprintf("acme/target-%d", n), CreatorID: users["ada"].ID}, store.Actor{Label: "walk"})
		if err != nil {
			t.Fatal(err)
		}
		member := fmt.Sprintf("walk-member-%d", n)
		if _, err := a.db.CreateMember(ctx, a.org.ID, store.NewUser{Username: member, Email: member + "@example.com", PasswordHash: "x"},
			"member", store.Actor{Label: "walk"}); err != nil {
			t.Fatal(err)
		}
		outsider := fmt.Sprintf("walk-outsider-%d", n)
		if _, _, err := a.db.CreateUserInOrg(ctx, store.NewUser{Username: outsider, Email: outsider + "@example.com", PasswordHash: "x"},
			"walk-elsewhere", "admin", store.Actor{Label: "walk"}); err != nil {
			t.Fatal(err)
		}
		n++
		personal, errs, err := core.IssueToken(ctx, a.db, sealer, core.TokenRequest{Org: a.org, Orgs: []store.Org{a.org}, Kind: auth.KindPersonal,
			Name: fmt.Sprintf("api-walk-%d", n), CreatorID: users["max"].ID, OwnerUserID: users["max"].ID}, store.Actor{Label: "walk"})
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		var invitation int64
		if strings.Contains(route, "invitations") {
			_, hash := auth.NewInviteCode()
			inv, err := a.db.CreateInvitation(ctx, store.NewInvitation{OrgID: a.org.ID, Email: outsider + "-pending@example.com", Role: "member",
				LinkHash: hash, InvitedBy: users["ada"].ID, TTL: auth.InvitationTTL}, store.Actor{Label: "walk"})
			if err != nil {
				t.Fatal(err)
			}
			invitation = inv.ID
		}
		return apiWalkTable(target, personal.Token, svc, issue(auth.KindCLI, "max").Secret, member, outsider, invitation)
	}

	client := &http.Client{}
	for _, route := range a.srv.Routes() {
		if !strings.HasPrefix(route.Guard, "bearer:") {
			continue
		}
		key := route.Method + " " + route.Path
		// Targets are made again after every call that may have used them
		// up (one that was let through and was not a read): a refused call
		// must leave them as they were, so the next caller finds them so.
		var table map[string]apiCase
		for _, who := range apiCallers {
			if table == nil {
				table = targets(route.Path)
			}
			// The org form of a route is walked as its short form is, in the
			// callers' own org.
			short, inOrg := strings.CutPrefix(route.Path, plumbing.OrgAPIPrefix)
			lookup := key
			if inOrg {
				lookup = route.Method + " /api/v1" + short
			}
			ac, ok := table[lookup]
			if inOrg && ok {
				ac.path = "/api/v1/orgs/" + a.org.Slug + strings.TrimPrefix(ac.path, "/api/v1")
			}
			if !ok {
				t.Errorf("%s (guard %s) has no row in the API authorization table: add one", key, route.Guard)
				break
			}
			req, err := http.NewRequest(route.Method, a.ts.URL+ac.path, strings.NewReader(ac.body))
			if err != nil {
				t.Fatal(err)
			}
			if ac.contentType != "" {
				req.Header.Set("Content-Type", ac.contentType)
			}
			if secret := caller(who); secret != "" {
				req.Header.Set("Authorization", "Bearer "+secret)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			refused := res.StatusCode == 401 || res.StatusCode == 403 || res.StatusCode == 404 || res.StatusCode == 429
			if want := contains(ac.allowed, who); refused == want {
				t.Errorf("%s as %s: status %d, want allowed=%v", key, who, res.StatusCode, want)
			}
			if !refused && route.Method != http.MethodGet {
				table = nil
			}
		}
	}
}
