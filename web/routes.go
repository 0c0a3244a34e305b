package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/static"
	"tokenward/store"
)

// guard says who may reach a route: anyone, any signed-in user, or a
// principal that auth.Authorize allows the action for (in the route's org,
// for org routes).
type guard struct {
	kind   guardKind
	action auth.Action
}

type guardKind int

const (
	guardPublic guardKind = iota
	guardSignedIn
	guardOrg    // an org role; the org comes from the :org path parameter
	guardToken  // an org member; the handler asks about the token in the path
	guardSite   // a site-wide action
	guardBearer // a bearer token holding the guard's scope (any token when none)
)

var (
	public   = guard{kind: guardPublic}
	signedIn = guard{kind: guardSignedIn}
)

func inOrg(a auth.Action) guard { return guard{kind: guardOrg, action: a} }

// onToken is for routes about one token (or one to be made), registered
// through tokenRoute or newTokenRoute: the guard checks org membership,
// loads the token in the path and asks auth.Authorize about the route's
// action on it (or, for a new token, whether the viewer may make one of the
// path's kind), then hands the handler the token (or the kind).
func onToken(a auth.Action) guard { return guard{kind: guardToken, action: a} }

// tokenHandler serves a route about one token, which its guard loaded and
// authorized.
type tokenHandler func(c echo.Context, t store.Token) error

// kindHandler serves a route that makes a token of the path's kind, which
// its guard checked the viewer may make.
type kindHandler func(c echo.Context, kind auth.Kind) error

// tokenRoute registers a route about the token in its path, guarded by a.
func (s *Server) tokenRoute(method, path string, a auth.Action, h tokenHandler) {
	s.route(method, path, onToken(a), func(c echo.Context) error {
		t, err := s.orgToken(c, a)
		if err != nil {
			return err
		}
		return h(c, t)
	})
}

// newTokenRoute registers a route that makes a token of the path's kind.
func (s *Server) newTokenRoute(method, path string, h kindHandler) {
	s.route(method, path, onToken(auth.CreateToken), func(c echo.Context) error {
		kind, err := tokenKind(c)
		if err != nil {
			return err
		}
		if err := s.mayCreate(c, kind); err != nil {
			return err
		}
		return h(c, kind)
	})
}
func onSite(a auth.Action) guard { return guard{kind: guardSite, action: a} }

// withScope is for API routes: a valid bearer token holding scope (any
// valid token for ""). What the token's creator may do is then checked by
// the handler, through auth.Authorize.
func withScope(scope auth.Scope) guard { return guard{kind: guardBearer, action: auth.Action(scope)} }

// name is stored as the Echo route name, so tests can walk the route table
// and check each route's guard.
func (g guard) name() string {
	switch g.kind {
	case guardPublic:
		return "public"
	case guardSignedIn:
		return "signed-in"
	case guardOrg:
		return "org:" + string(g.action)
	case guardToken:
		return "token:" + string(g.action)
	case guardBearer:
		return "bearer:" + string(g.action)
	default:
		return "site:" + string(g.action)
	}
}

// routes registers every route with its guard: the whole surface and its
// protection in one place.
func (s *Server) routes() {
	// Anyone.
	s.route(http.MethodGet, "/healthz", public, s.healthz)
	s.route(http.MethodGet, "/readyz", public, s.readyz)
	s.route(http.MethodGet, "/static/*", public, echo.WrapHandler(static.Handler()))
	s.route(http.MethodGet, "/login", public, s.loginForm)
	s.route(http.MethodPost, "/login", public, s.login)
	s.route(http.MethodGet, "/setup", public, s.setupForm)
	s.route(http.MethodPost, "/setup", public, s.setupSubmit)
	s.route(http.MethodGet, "/.well-known/oauth-authorization-server", public, s.metadata)

	// Any signed-in user.
	s.route(http.MethodGet, "/", signedIn, s.home)
	s.route(http.MethodGet, "/logout", signedIn, s.logoutForm)
	s.route(http.MethodPost, "/logout", signedIn, s.logout)
	s.route(http.MethodGet, "/switch-org", signedIn, s.switchOrg)
	s.route(http.MethodGet, "/me/tokens", signedIn, s.myTokens)
	s.route(http.MethodGet, "/device", signedIn, s.devicePage)
	s.route(http.MethodPost, "/device", signedIn, s.deviceDecide)
	s.route(http.MethodGet, "/notifications", signedIn, s.notifications)
	s.route(http.MethodGet, "/notifications/:id", signedIn, s.openNotification)
	s.route(http.MethodPost, "/notifications/read-all", signedIn, s.readAllNotifications)

	// Members of the org in the path, by role.
	s.route(http.MethodGet, "/orgs/:org", inOrg(auth.ViewOrg), s.orgHome)
	s.route(http.MethodGet, "/orgs/:org/settings/members", inOrg(auth.ManageMembers), s.members)
	s.route(http.MethodPost, "/orgs/:org/settings/members", inOrg(auth.ManageMembers), s.addMember)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/role", inOrg(auth.ManageMembers), s.changeRole)
	s.route(http.MethodGet, "/orgs/:org/settings/members/:user/remove", inOrg(auth.ManageMembers), s.confirmRemoveMember)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/remove", inOrg(auth.ManageMembers), s.removeMember)
	s.route(http.MethodGet, "/orgs/:org/settings/members/:user/tokens", inOrg(auth.ManageMembers), s.personTokens)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/tokens/:id/handover", inOrg(auth.ManageMembers), s.handOverToken)
	s.route(http.MethodGet, "/orgs/:org/settings/tokens/:kind", inOrg(auth.ViewTokens), s.tokens)
	s.newTokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/new", s.newToken)
	s.newTokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind", s.createToken)
	s.route(http.MethodPost, "/orgs/:org/settings/tokens/:kind/bulk", inOrg(auth.BulkTokens), s.bulkTokens)
	s.route(http.MethodPost, "/orgs/:org/settings/tokens/revoke-all", inOrg(auth.BulkTokens), s.revokeAll)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id", auth.ViewToken, s.tokenDetail)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/edit", auth.EditToken, s.editToken)
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/edit", auth.EditToken, s.updateToken)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/rotate", auth.RotateToken, s.rotateDialog)
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/rotate", auth.RotateToken, s.rotateToken)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/disable", auth.DisableToken, s.confirmState(disableChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/disable", auth.DisableToken, s.applyState(disableChange))
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/enable", auth.DisableToken, s.confirmState(enableChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/enable", auth.DisableToken, s.applyState(enableChange))
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/revoke", auth.RevokeToken, s.confirmState(revokeChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/revoke", auth.RevokeToken, s.applyState(revokeChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/reveal", auth.RevealToken, s.revealToken)
	s.route(http.MethodGet, "/orgs/:org/settings/services", inOrg(auth.ViewServices), s.services)
	s.route(http.MethodPost, "/orgs/:org/settings/services", inOrg(auth.ManageServices), s.addService)
	s.route(http.MethodPost, "/orgs/:org/settings/services/:id/remove", inOrg(auth.ManageServices), s.removeService)
	s.route(http.MethodGet, "/orgs/:org/settings/policy", inOrg(auth.ManagePolicy), s.policy)
	s.route(http.MethodPost, "/orgs/:org/settings/policy", inOrg(auth.ManagePolicy), s.policySubmit)
	s.route(http.MethodGet, "/orgs/:org/settings/audit", inOrg(auth.ViewAudit), s.auditTokens)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/events", inOrg(auth.ViewAudit), s.auditEvents)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/tokens.csv", inOrg(auth.ViewAudit), s.auditTokensCSV)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/events.csv", inOrg(auth.ViewAudit), s.auditEventsCSV)

	// The token API: a bearer token with the scope named.
	s.route(http.MethodGet, "/api/v1/token", withScope(""), s.apiSelf)
	s.route(http.MethodDelete, "/api/v1/token", withScope(""), s.apiRevokeSelf)
	s.route(http.MethodGet, "/api/v1/quota", withScope(""), s.apiQuota)
	s.route(http.MethodGet, "/api/v1/tokens", withScope(auth.ScopeTokensRead), s.apiListTokens)
	s.route(http.MethodPost, "/api/v1/tokens", withScope(auth.ScopeTokensWrite), s.apiCreateToken)
	s.route(http.MethodGet, "/api/v1/tokens/:id", withScope(auth.ScopeTokensRead), s.apiGetToken)
	s.route(http.MethodPatch, "/api/v1/tokens/:id", withScope(auth.ScopeTokensWrite), s.apiPatchToken)
	s.route(http.MethodDelete, "/api/v1/tokens/:id", withScope(auth.ScopeTokensWrite), s.apiRevokeToken)
	s.route(http.MethodPost, "/api/v1/tokens/:id/rotate", withScope(auth.ScopeTokensWrite), s.apiRotateToken)
	s.route(http.MethodPost, "/api/v1/tokens/:id/disable", withScope(auth.ScopeTokensWrite), s.apiSetDisabled(true))
	s.route(http.MethodPost, "/api/v1/tokens/:id/enable", withScope(auth.ScopeTokensWrite), s.apiSetDisabled(false))
	s.route(http.MethodGet, "/api/v1/services", withScope(auth.ScopeServicesRead), s.apiListServices)
	s.route(http.MethodPost, "/api/v1/services", withScope(auth.ScopeServicesWrite), s.apiCreateService)
	s.route(http.MethodDelete, "/api/v1/services/:id", withScope(auth.ScopeServicesWrite), s.apiDeleteService)
	s.route(http.MethodGet, "/api/v1/audit", withScope(auth.ScopeAuditRead), s.apiAudit)
	s.route(http.MethodGet, "/api/v1/openapi.json", public, s.openAPI)
	s.route(http.MethodPost, "/oauth/introspect", withScope(auth.ScopeIntrospect), s.introspect)
	s.route(http.MethodPost, "/oauth/revoke", public, s.revoke)
	s.route(http.MethodPost, "/oauth/device_authorization", public, s.deviceAuthorization)
	s.route(http.MethodPost, "/oauth/token", public, s.token)
	s.route(http.MethodGet, "/metrics", public, s.metrics.handler())

	// Site admins.
	s.route(http.MethodGet, "/admin", onSite(auth.ManageSite), s.adminPage)
	s.route(http.MethodPost, "/admin/orgs", onSite(auth.ManageSite), s.createOrg)
	s.route(http.MethodGet, "/admin/users/:user/disable", onSite(auth.ManageSite), s.confirmDisableUser)
	s.route(http.MethodPost, "/admin/users/:user/disable", onSite(auth.ManageSite), s.disableUser)
	s.route(http.MethodPost, "/admin/users/:user/enable", onSite(auth.ManageSite), s.enableUser)
	s.route(http.MethodGet, "/admin/smtp", onSite(auth.ManageSite), s.smtpPage)
	s.route(http.MethodPost, "/admin/smtp", onSite(auth.ManageSite), s.saveSMTP)
	s.route(http.MethodPost, "/admin/smtp/test", onSite(auth.ManageSite), s.testSMTP)
	s.route(http.MethodPost, "/admin/smtp/remove", onSite(auth.ManageSite), s.removeSMTP)
}

// route registers one route behind its guard, and for a page's GET the
// same route for HEAD (the API and OAuth endpoints answer what they
// document).
// Every unsafe method checks the CSRF token first; doing it here rather
// than globally lets unknown paths and wrong methods answer 404 and 405.
func (s *Server) route(method, path string, g guard, h echo.HandlerFunc) {
	if method == http.MethodGet && !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/oauth/") {
		s.route(http.MethodHead, path, g, h)
	}
	mw := []echo.MiddlewareFunc{s.metrics.count}
	switch {
	case g.kind == guardBearer || g.kind == guardPublic && sessionless(path):
		// No cookies are read here, so there is nothing to forge.
	case method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions:
	default:
		mw = append(mw, s.checkCSRF)
	}
	switch g.kind {
	case guardSignedIn:
		mw = append(mw, s.requireUser)
	case guardOrg:
		mw = append(mw, s.requireUser, s.requireOrg(g.action))
	case guardToken:
		mw = append(mw, s.requireUser, s.requireOrg(auth.ViewOrg))
	case guardSite:
		mw = append(mw, s.requireUser, s.requireSite(g.action))
	case guardBearer:
		mw = append(mw, s.requireBearer(auth.Scope(g.action)))
	}
	s.echo.Add(method, path, h, mw...).Name = g.name()
}

// requireUser sends anonymous visitors to sign in, then back.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if state(c).user != nil {
			return next(c)
		}
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return &Error{Status: http.StatusUnauthorized, Title: "Signed out",
				Message: "Your session has ended. Sign in again, then repeat what you were doing."}
		}
		return redirect(c, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()))
	}
}

// requireOrg loads the org named in the path and the viewer's role in it,
// then asks auth.Authorize. Someone outside the org gets 404, so org slugs
// are not confirmed to strangers; a member without the right gets 403.
func (s *Server) requireOrg(a auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			st := state(c)
			org, err := s.db.OrgBySlug(c.Request().Context(), c.Param("org"))
			if err != nil {
				return err // not found stays 404
			}
			m, err := s.db.Membership(c.Request().Context(), org.ID, st.user.ID)
			if err != nil {
				return err
			}
			st.org, st.role = &org, m.Role
			if !auth.Authorize(principal(st), a, nil) {
				return forbidden()
			}
			return next(c)
		}
	}
}

// requireSite checks a site-wide action.
func (s *Server) requireSite(a auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !auth.Authorize(principal(state(c)), a, nil) {
				return notFound()
			}
			return next(c)
		}
	}
}

// RouteInfo is one registered route and the guard that protects it.
type RouteInfo struct {
	Method string
	Path   string
	Guard  string // "public", "signed-in", "org:<action>" or "site:<action>"
}

// Routes lists every registered route with its guard, for tests and docs.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.echo.Routes() {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Guard: r.Name})
	}
	return out
}
