package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web"
	"tokenward/web/core"
)

// The visitors of the walk: anonymous, a member, an auditor, an admin of
// acme, and gus, a site admin who is an admin of another org only.
var walkRoles = []string{"anon", "gus", "audra", "max", "ada"}

// allowedFor spells out who may reach a route, transcribed from DESIGN.md's
// "Who may do what" independently of auth's rules map.
var (
	everyone   = []string{"anon", "gus", "audra", "max", "ada"}
	signedIn   = []string{"gus", "audra", "max", "ada"}
	members    = []string{"audra", "max", "ada"}
	admins     = []string{"ada"}
	auditors   = []string{"audra", "ada"} // admins and auditors
	siteAdmins = []string{"gus", "ada"}
	nobody     = []string{}
)

// walkFixtures are fresh things for one case to act on.
type walkFixtures struct {
	sharedAPI, adminsAPI, maxCLI, adaCLI store.Token
	service                              store.Service
	victim                               store.User // a fresh member of acme
	// maxPersonal is max's personal token granted to acme; maxLeft one whose
	// acme grant max removed (so he may add it again).
	maxPersonal, maxLeft store.Token
	// provider is a GitHub identity provider (its start needs no network);
	// maxLinked one that max has an identity linked at.
	provider, maxLinked store.IdentityProvider
	// invitation is a pending invitation to acme and code its link's;
	// revokedCode is the link of a revoked one; newEmail is not invited yet.
	invitation        store.Invitation
	code, revokedCode string
	newEmail          string
}

// walkCase is one concrete request for a route pattern and who may make it.
type walkCase struct {
	path    string
	form    url.Values
	allowed []string
}

// walkTable maps "METHOD pattern" to the cases that exercise it. A route
// missing here fails the test, so a new route cannot skip the table.
func walkTable(f walkFixtures) map[string][]walkCase {
	tok := func(t store.Token, action string) string {
		p := "/orgs/acme/settings/tokens/" + t.Kind + "/" + t.ID
		if action != "" {
			p += "/" + action
		}
		return p
	}
	perToken := func(action string, shared, adminsOnly, maxCLI, adaCLI []string) []walkCase {
		return []walkCase{{path: tok(f.sharedAPI, action), allowed: shared}, {path: tok(f.adminsAPI, action), allowed: adminsOnly},
			{path: tok(f.maxCLI, action), allowed: maxCLI}, {path: tok(f.adaCLI, action), allowed: adaCLI}}
	}
	victim := fmt.Sprint(f.victim.ID)
	idp, linked := fmt.Sprint(f.provider.ID), fmt.Sprint(f.maxLinked.ID)
	return map[string][]walkCase{
		"GET /healthz":        {{path: "/healthz", allowed: everyone}},
		"GET /readyz":         {{path: "/readyz", allowed: everyone}},
		"GET /static/*":       {{path: "/static/app.css", allowed: everyone}},
		"HEAD /static/*":      {{path: "/static/app.js", allowed: everyone}},
		"GET /favicon.ico":    {{path: "/favicon.ico", allowed: everyone}},
		"GET /login":          {{path: "/login", allowed: everyone}},
		"POST /login":         {{path: "/login", allowed: everyone}},
		"GET /login/with/:id": {{path: "/login/with/" + idp, allowed: everyone}},
		// No sign-in under way in the walk's sessions: refused for all (the
		// TestOIDC tests walk the whole flow).
		"GET /login/callback":             {{path: "/login/callback?state=x&code=y", allowed: nobody}},
		"GET /me/sign-in":                 {{path: "/me/sign-in", allowed: signedIn}},
		"POST /me/sign-in/:id/link":       {{path: "/me/sign-in/" + idp + "/link", allowed: signedIn}},
		"POST /me/sign-in/:id/unlink":     {{path: "/me/sign-in/" + linked + "/unlink", allowed: []string{"max"}}},
		"GET /admin/identity":             {{path: "/admin/identity", allowed: siteAdmins}},
		"POST /admin/identity":            {{path: "/admin/identity", allowed: siteAdmins}},
		"GET /admin/identity/:id":         {{path: "/admin/identity/" + idp, allowed: siteAdmins}},
		"POST /admin/identity/:id":        {{path: "/admin/identity/" + idp, allowed: siteAdmins}},
		"POST /admin/identity/:id/delete": {{path: "/admin/identity/" + idp + "/delete", allowed: siteAdmins}},
		"GET /setup":                      {{path: "/setup", allowed: nobody}}, // setup is closed once a site admin exists
		"POST /setup":                     {{path: "/setup", allowed: nobody}},

		// The invitation link's page is public; its forms, posted empty, get
		// their messages (422) from anyone. Accepting as the signed-in
		// account needs one (a revoked invitation: a 409 that writes nothing).
		"GET /invite/:code":          {{path: "/invite/" + f.code, allowed: everyone}},
		"GET /invite/:code/with/:id": {{path: "/invite/" + f.code + "/with/" + idp, allowed: everyone}},
		"POST /invite/:code/sign-in": {{path: "/invite/" + f.code + "/sign-in", allowed: everyone}},
		"POST /invite/:code/join":    {{path: "/invite/" + f.code + "/join", allowed: everyone}},
		"POST /invite/:code/accept":  {{path: "/invite/" + f.revokedCode + "/accept", allowed: signedIn}},
		"POST /orgs/:org/settings/members/invitations": {{path: "/orgs/acme/settings/members/invitations",
			form: url.Values{"invite_email": {f.newEmail}, "invite_role": {"member"}}, allowed: admins}},
		"POST /orgs/:org/settings/members/invitations/:id/resend": {{path: fmt.Sprintf("/orgs/acme/settings/members/invitations/%d/resend", f.invitation.ID), allowed: admins}},
		"POST /orgs/:org/settings/members/invitations/:id/revoke": {{path: fmt.Sprintf("/orgs/acme/settings/members/invitations/%d/revoke", f.invitation.ID), allowed: admins}},

		"GET /":           {{path: "/", allowed: signedIn}},
		"GET /logout":     {{path: "/logout", allowed: signedIn}},
		"GET /switch-org": {{path: "/switch-org?org=acme", allowed: signedIn}},
		"GET /me/tokens":  {{path: "/me/tokens", allowed: signedIn}},
		// Personal tokens are their owner's alone: anyone else's is 404.
		"POST /me/tokens/personal": {{path: "/me/tokens/personal", allowed: signedIn}},
		"POST /me/tokens/personal/:id/orgs": {{path: "/me/tokens/personal/" + f.maxLeft.ID + "/orgs", form: url.Values{"org": {"acme"}},
			allowed: []string{"max"}}},
		"POST /me/tokens/personal/:id/orgs/:slug/remove": {{path: "/me/tokens/personal/" + f.maxPersonal.ID + "/orgs/acme/remove", allowed: []string{"max"}}},
		"POST /me/tokens/personal/:id/revoke":            {{path: "/me/tokens/personal/" + f.maxPersonal.ID + "/revoke", allowed: []string{"max"}}},
		"POST /me/tokens/personal/:id/edit": {{path: "/me/tokens/personal/" + f.maxPersonal.ID + "/edit", form: url.Values{"name": {"renamed"}, "scopes": {"api"}},
			allowed: []string{"max"}}},
		"POST /me/tokens/personal/:id/rotate":                     {{path: "/me/tokens/personal/" + f.maxPersonal.ID + "/rotate", allowed: []string{"max"}}},
		"GET /orgs/:org/settings/tokens/personal/:id":             {{path: "/orgs/acme/settings/tokens/personal/" + f.maxPersonal.ID, allowed: auditors}},
		"GET /orgs/:org/settings/tokens/personal/:id/remove-org":  {{path: "/orgs/acme/settings/tokens/personal/" + f.maxPersonal.ID + "/remove-org", allowed: admins}},
		"POST /orgs/:org/settings/tokens/personal/:id/remove-org": {{path: "/orgs/acme/settings/tokens/personal/" + f.maxPersonal.ID + "/remove-org", allowed: admins}},

		"GET /orgs/:org":                                {{path: "/orgs/acme", allowed: members}},
		"GET /orgs/:org/settings/members":               {{path: "/orgs/acme/settings/members", allowed: admins}},
		"POST /orgs/:org/settings/members":              {{path: "/orgs/acme/settings/members", allowed: admins}},
		"POST /orgs/:org/settings/members/:user/role":   {{path: "/orgs/acme/settings/members/" + victim + "/role", form: url.Values{"role": {"auditor"}}, allowed: admins}},
		"GET /orgs/:org/settings/members/:user/remove":  {{path: "/orgs/acme/settings/members/" + victim + "/remove", allowed: admins}},
		"POST /orgs/:org/settings/members/:user/remove": {{path: "/orgs/acme/settings/members/" + victim + "/remove", allowed: admins}},
		"GET /orgs/:org/settings/members/:user/tokens":  {{path: "/orgs/acme/settings/members/" + victim + "/tokens", allowed: admins}},
		"POST /orgs/:org/settings/members/:user/tokens/:id/handover": {{path: "/orgs/acme/settings/members/" + victim + "/tokens/" + f.adminsAPI.ID + "/handover",
			allowed: admins}},

		"GET /orgs/:org/settings/tokens/:kind": {{path: "/orgs/acme/settings/tokens/api", allowed: members},
			{path: "/orgs/acme/settings/tokens/cli", allowed: members}, {path: "/orgs/acme/settings/tokens/service", allowed: members}},
		"GET /orgs/:org/settings/tokens/:kind/new": {{path: "/orgs/acme/settings/tokens/api/new", allowed: admins},
			{path: "/orgs/acme/settings/tokens/cli/new", allowed: []string{"max", "ada"}}, {path: "/orgs/acme/settings/tokens/service/new", allowed: nobody}},
		"POST /orgs/:org/settings/tokens/:kind": {{path: "/orgs/acme/settings/tokens/api", allowed: admins},
			{path: "/orgs/acme/settings/tokens/cli", allowed: []string{"max", "ada"}}, {path: "/orgs/acme/settings/tokens/service", allowed: nobody}},
		"POST /orgs/:org/settings/tokens/:kind/bulk":   {{path: "/orgs/acme/settings/tokens/api/bulk", allowed: admins}},
		"POST /orgs/:org/settings/tokens/:kind/search": {{path: "/orgs/acme/settings/tokens/api/search", form: url.Values{"q": {"x"}}, allowed: members}},
		"GET /orgs/:org/settings/tokens/:kind/tokens.csv": {{path: "/orgs/acme/settings/tokens/api/tokens.csv", allowed: auditors},
			{path: "/orgs/acme/settings/tokens/cli/tokens.csv", allowed: auditors}},
		"POST /orgs/:org/settings/tokens/revoke-all": {{path: "/orgs/acme/settings/tokens/revoke-all", form: url.Values{"user": {victim}}, allowed: admins}},
		// Only a token's owner dismisses its expiry warning; anyone else's is 404.
		"POST /orgs/:org/settings/tokens/expiring/:id/dismiss": {{path: "/orgs/acme/settings/tokens/expiring/" + f.maxCLI.ID + "/dismiss", allowed: []string{"max"}}},

		"GET /orgs/:org/settings/tokens/:kind/:id":            perToken("", members, auditors, members, auditors),
		"GET /orgs/:org/settings/tokens/:kind/:id/edit":       perToken("edit", admins, admins, admins, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/edit":      perToken("edit", admins, admins, admins, admins),
		"GET /orgs/:org/settings/tokens/:kind/:id/rotate":     perToken("rotate", admins, admins, admins, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/rotate":    perToken("rotate", admins, admins, admins, admins),
		"GET /orgs/:org/settings/tokens/:kind/:id/disable":    perToken("disable", admins, admins, admins, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/disable":   perToken("disable", admins, admins, admins, admins),
		"GET /orgs/:org/settings/tokens/:kind/:id/enable":     perToken("enable", admins, admins, admins, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/enable":    perToken("enable", admins, admins, admins, admins),
		"GET /orgs/:org/settings/tokens/:kind/:id/revoke":     perToken("revoke", admins, admins, []string{"max", "ada"}, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/revoke":    perToken("revoke", admins, admins, []string{"max", "ada"}, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/reveal":    perToken("reveal", []string{"max", "ada"}, nobody, nobody, nobody),
		"GET /orgs/:org/settings/tokens/:kind/:id/end-grace":  perToken("end-grace", admins, admins, admins, admins),
		"POST /orgs/:org/settings/tokens/:kind/:id/end-grace": perToken("end-grace", admins, admins, admins, admins),

		"GET /orgs/:org/settings/audit":                {{path: "/orgs/acme/settings/audit", allowed: auditors}},
		"POST /orgs/:org/settings/audit/search":        {{path: "/orgs/acme/settings/audit/search", form: url.Values{"user": {"ada"}}, allowed: auditors}},
		"GET /orgs/:org/settings/audit/events":         {{path: "/orgs/acme/settings/audit/events", allowed: auditors}},
		"POST /orgs/:org/settings/audit/events/search": {{path: "/orgs/acme/settings/audit/events/search", form: url.Values{"actor": {"ada"}}, allowed: auditors}},
		"GET /orgs/:org/settings/audit/tokens.csv":     {{path: "/orgs/acme/settings/audit/tokens.csv", allowed: auditors}},
		"GET /orgs/:org/settings/audit/events.csv":     {{path: "/orgs/acme/settings/audit/events.csv", allowed: auditors}},
		"GET /orgs/:org/settings/services":             {{path: "/orgs/acme/settings/services", allowed: auditors}},
		"POST /orgs/:org/settings/services":            {{path: "/orgs/acme/settings/services", allowed: admins}},
		"POST /orgs/:org/settings/services/:id/remove": {{path: fmt.Sprintf("/orgs/acme/settings/services/%d/remove", f.service.ID), allowed: admins}},
		"GET /orgs/:org/settings/policy":               {{path: "/orgs/acme/settings/policy", allowed: admins}},
		"POST /orgs/:org/settings/policy":              {{path: "/orgs/acme/settings/policy", allowed: admins}},
		"GET /admin":                                   {{path: "/admin", allowed: siteAdmins}},
		"POST /admin/orgs":                             {{path: "/admin/orgs", allowed: siteAdmins}},
		"GET /admin/users/:user/disable":               {{path: "/admin/users/" + victim + "/disable", allowed: siteAdmins}},
		"POST /admin/users/:user/disable":              {{path: "/admin/users/" + victim + "/disable", allowed: siteAdmins}},
		"POST /admin/users/:user/enable":               {{path: "/admin/users/" + victim + "/enable", allowed: siteAdmins}},
		"GET /admin/smtp":                              {{path: "/admin/smtp", allowed: siteAdmins}},
		"POST /admin/smtp":                             {{path: "/admin/smtp", allowed: siteAdmins}},
		"POST /admin/smtp/test":                        {{path: "/admin/smtp/test", allowed: siteAdmins}},
		"POST /admin/smtp/remove":                      {{path: "/admin/smtp/remove", allowed: siteAdmins}},
		"GET /notifications":                           {{path: "/notifications", allowed: signedIn}},
		"GET /notifications/:id":                       {{path: "/notifications/999999", allowed: nobody}}, // nobody's: 404 for all
		"POST /notifications/read-all":                 {{path: "/notifications/read-all", allowed: signedIn}},
		"POST /logout":                                 {{path: "/logout", allowed: signedIn}}, // walked last: it signs out
		"GET /api/v1/openapi.json":                     {{path: "/api/v1/openapi.json", allowed: everyone}},
		"GET /metrics":                                 {{path: "/metrics", allowed: everyone}},
		"POST /oauth/revoke":                           {{path: "/oauth/revoke", form: url.Values{"token": {"not-a-token"}}, allowed: everyone}},
		"GET /.well-known/oauth-authorization-server":  {{path: "/.well-known/oauth-authorization-server", allowed: everyone}},
		"POST /oauth/device_authorization":             {{path: "/oauth/device_authorization", form: url.Values{"client_id": {"tokenward-cli"}}, allowed: everyone}},
		"POST /oauth/token": {{path: "/oauth/token", form: url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"client_id": {"tokenward-cli"}}, allowed: everyone}}, // no device_code: 400, not an unknown code spending the IP's failure allowance
		"GET /device":  {{path: "/device", allowed: signedIn}},
		"POST /device": {{path: "/device", form: url.Values{"code": {"not a code"}, "decision": {"deny"}}, allowed: signedIn}},
	}
}

// bearerPath fills an API route's parameters with fixtures.
func bearerPath(pattern string, f walkFixtures) string {
	p := strings.Replace(pattern, "/tokens/:id", "/tokens/"+f.adminsAPI.ID, 1)
	return strings.Replace(p, "/services/:id", fmt.Sprintf("/services/%d", f.service.ID), 1)
}

// refused reports whether a response turned the visitor away: 401, 403,
// 404, or, for a page (GET), a redirect to sign in. A POST from someone
// signed out gets 401, so a POST's redirect to /login is a sign-out.
func refused(method string, r response) bool {
	switch r.status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests:
		return true
	}
	return (method == http.MethodGet || method == http.MethodHead) && r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login")
}

// TestAuthorizationWalk requests every registered route as every kind of
// visitor and checks the answer against walkTable.
func TestAuthorizationWalk(t *testing.T) {
	t.Parallel()
	key := make([]byte, auth.MasterKeySize)
	key[0] = 7
	a := seededApp(t, func(cfg *web.Config) { cfg.MasterKey = key })
	ctx := context.Background()
	visitors := map[string]*client{"anon": a.client()}
	visitors["anon"].get("/login") // holds a CSRF token, so refusals are about who, not the form
	for _, u := range walkRoles[1:] {
		visitors[u] = a.signIn(u)
		visitors[u].get("/")
	}
	users := map[string]store.User{}
	for _, u := range []string{"ada", "max"} {
		user, err := a.db.UserByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		users[u] = user
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	fixtures := func() walkFixtures {
		n++
		issue := func(kind auth.Kind, owner store.User, vis string) store.Token {
			is, errs, err := core.IssueToken(ctx, a.db, sealer, core.TokenRequest{Org: a.org, Kind: kind, Name: fmt.Sprintf("walk-%d-%s-%s-%s", n, kind, owner.Username, vis),
				Visibility: vis, CreatorID: owner.ID, OwnerUserID: owner.ID}, store.Actor{Label: "walk"})
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			return is.Token
		}
		var f walkFixtures
		f.sharedAPI = issue(auth.KindAPI, users["ada"], "org")
		f.adminsAPI = issue(auth.KindAPI, users["ada"], "admins")
		f.maxCLI = issue(auth.KindCLI, users["max"], "admins")
		f.adaCLI = issue(auth.KindCLI, users["ada"], "admins")
		svc, _, errs, err := core.OnboardService(ctx, a.db, sealer, store.NewService{OrgID: a.org.ID, Name: fmt.Sprintf("acme/walk-%d", n)},
			core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: fmt.Sprintf("acme/walk-%d", n), CreatorID: users["ada"].ID}, store.Actor{UserID: users["ada"].ID, Label: "walk"})
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		f.service = svc
		m, err := a.db.CreateMember(ctx, a.org.ID, store.NewUser{Username: fmt.Sprintf("victim%d", n), Email: "v@example.com", PasswordHash: "x"},
			"member", store.Actor{Label: "walk"})
		if err != nil {
			t.Fatal(err)
		}
		f.victim = m.User
		personal := func(suffix string) store.Token {
			is, errs, err := core.IssueToken(ctx, a.db, sealer, core.TokenRequest{Org: a.org, Orgs: []store.Org{a.org}, Kind: auth.KindPersonal,
				Name: fmt.Sprintf("walk-%d-personal-%s", n, suffix), CreatorID: users["max"].ID, OwnerUserID: users["max"].ID}, store.Actor{Label: "walk"})
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			return is.Token
		}
		f.maxPersonal, f.maxLeft = personal("live"), personal("left")
		provider := func(name string) store.IdentityProvider {
			p, err := a.db.CreateProvider(ctx, store.ProviderInput{Kind: store.ProviderGitHub, Name: name, Issuer: "https://github.com",
				APIURL: "https://api.github.com", ClientID: name, SecretSealed: sealer.Seal("identity provider client secret", "secret")}, store.Actor{Label: "walk"})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		f.provider, f.maxLinked = provider(fmt.Sprintf("walk-%d", n)), provider(fmt.Sprintf("walk-%d-linked", n))
		if err := a.db.LinkIdentity(ctx, users["max"].ID, store.Identity{ProviderID: f.maxLinked.ID, Subject: fmt.Sprint(n)}, "walk", store.Actor{Label: "walk"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.RemoveTokenOrg(ctx, a.org.ID, f.maxLeft.ID, store.GrantRemovedByOwner, store.Actor{UserID: users["max"].ID, Label: "max"}); err != nil {
			t.Fatal(err)
		}
		return f
	}

	// invitations gives f a pending and a revoked invitation, only for the
	// routes about invitations (an org may have 100 pending).
	invitations := func(f *walkFixtures) {
		n++ // fresh addresses, also when the other fixtures are kept
		by := store.Actor{UserID: users["ada"].ID, Label: "walk"}
		mk := func(email string) (store.Invitation, string) {
			code, hash := auth.NewInviteCode()
			inv, err := a.db.CreateInvitation(ctx, store.NewInvitation{OrgID: a.org.ID, Email: email, Role: "member", LinkHash: hash,
				InvitedBy: users["ada"].ID, TTL: auth.InvitationTTL}, by)
			if err != nil {
				t.Fatal(err)
			}
			return inv, code
		}
		f.invitation, f.code = mk(fmt.Sprintf("walk-invitee-%d@example.com", n))
		revoked, code := mk(fmt.Sprintf("walk-revoked-%d@example.com", n))
		if _, err := a.db.RevokeInvitation(ctx, a.org.ID, revoked.ID, by); err != nil {
			t.Fatal(err)
		}
		f.revokedCode, f.newEmail = code, fmt.Sprintf("walk-new-%d@example.com", n)
	}

	routes := a.srv.Routes()
	sort.SliceStable(routes, func(i, j int) bool { return routes[j].Path == "/logout" && routes[j].Method == http.MethodPost })
	// Fixtures are made again after every route that may change them: a
	// route of reads (GET, HEAD) leaves them for the next one.
	var f walkFixtures
	stale := true
	for _, route := range routes {
		key := route.Method + " " + route.Path
		if stale {
			f = fixtures()
		}
		stale = route.Method != http.MethodGet && route.Method != http.MethodHead
		if strings.Contains(route.Path, "invit") {
			invitations(&f)
		}
		cases, ok := walkTable(f)[key]
		if !ok && route.Method == http.MethodHead {
			cases, ok = walkTable(f)["GET "+route.Path] // HEAD is guarded as its GET is
		}
		if strings.HasPrefix(route.Guard, "bearer:") {
			// A browser session never reaches the token API; TestAPIAuthorizationWalk
			// walks it with tokens.
			cases, ok = []walkCase{{path: bearerPath(route.Path, f), allowed: nobody}}, true
		}
		if !ok {
			t.Errorf("%s (guard %s) has no row in the authorization table: add one", key, route.Guard)
			continue
		}
		for _, wc := range cases {
			for _, who := range walkRoles {
				c := visitors[who]
				var r response
				switch route.Method {
				case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPatch:
					r = c.do(c.request(route.Method, wc.path, nil, ""))
				default:
					form := url.Values{}
					for k, v := range wc.form {
						form[k] = v
					}
					r = c.post(wc.path, form)
				}
				want := contains(wc.allowed, who)
				if got := !refused(route.Method, r); got != want {
					t.Errorf("%s %s as %s: status %d (Location %q), want allowed=%v", route.Method, wc.path, who, r.status, r.header.Get("Location"), want)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
