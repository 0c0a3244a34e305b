package plumbing

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
)

// guard says who may reach a route: anyone, any signed-in user, or a
// principal that auth.Authorize allows the action for (in the route's org,
// for org routes).
type guard struct {
	kind   guardKind
	action auth.Action
	// org marks an org-scoped API route, answered for one org (see
	// requestOrg) in both its short and its /api/v1/orgs/{org}/… form.
	org bool
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
	Public   = guard{kind: guardPublic}
	SignedIn = guard{kind: guardSignedIn}
)

func InOrg(a auth.Action) guard { return guard{kind: guardOrg, action: a} }

// OnToken is for routes about one token (or one to be made), registered
// through tokenRoute or newTokenRoute: the guard checks org membership,
// loads the token in the path and asks auth.Authorize about the route's
// action on it (or, for a new token, whether the viewer may make one of the
// path's kind), then hands the handler the token (or the kind).
func OnToken(a auth.Action) guard { return guard{kind: guardToken, action: a} }

func OnSite(a auth.Action) guard { return guard{kind: guardSite, action: a} }

// WithScope is for API routes: a valid bearer token holding scope (any
// valid token for ""). What the token's creator may do is then checked by
// the handler, through auth.Authorize.
func WithScope(scope auth.Scope) guard { return guard{kind: guardBearer, action: auth.Action(scope)} }

// InOrgWithScope is WithScope for an org-scoped API route, registered
// through OrgAPIRoute in both forms.
func InOrgWithScope(scope auth.Scope) guard {
	return guard{kind: guardBearer, action: auth.Action(scope), org: true}
}

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

// Route registers one route behind its guard, and for a page's GET the
// same route for HEAD (the API and OAuth endpoints answer what they
// document).
// Every unsafe method checks the CSRF token first; doing it here rather
// than globally lets unknown paths and wrong methods answer 404 and 405.
func (s *Site) Route(method, path string, g guard, h echo.HandlerFunc) {
	if method == http.MethodGet && !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/oauth/") {
		s.Route(http.MethodHead, path, g, h)
	}
	mw := []echo.MiddlewareFunc{s.Metrics.count}
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
		mw = append(mw, s.requireBearer(auth.Scope(g.action), g.org))
	}
	s.Echo.Add(method, path, h, mw...).Name = g.name()
}

// OrgAPIPrefix is how the org form of an org-scoped API path begins.
const OrgAPIPrefix = "/api/v1/orgs/:org"

// OrgAPIRoute registers an org-scoped API route twice: as path
// (/api/v1/tokens) and as its org form (/api/v1/orgs/:org/tokens), both
// behind the same guard, so no endpoint has one form without the other.
func (s *Site) OrgAPIRoute(method, path string, scope auth.Scope, h echo.HandlerFunc) {
	g := InOrgWithScope(scope)
	s.Route(method, path, g, h)
	s.Route(method, OrgFormOf(path), g, h)
}

// OrgFormOf is the org form of an org-scoped API path.
func OrgFormOf(path string) string { return OrgAPIPrefix + strings.TrimPrefix(path, "/api/v1") }

// requireUser sends anonymous visitors to sign in, then back.
func (s *Site) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if State(c).User != nil {
			return next(c)
		}
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return &fault.Error{Code: fault.Unauthorized, Title: "Signed out",
				Message: "Your session has ended. Sign in again, then repeat what you were doing."}
		}
		return Redirect(c, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()))
	}
}

// requireOrg loads the org named in the path and the viewer's role in it,
// then asks auth.Authorize. Someone outside the org gets 404, so org slugs
// are not confirmed to strangers; a member without the right gets 403.
func (s *Site) requireOrg(a auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			st := State(c)
			org, err := s.DB.OrgBySlug(c.Request().Context(), c.Param("org"))
			if err != nil {
				return err // not found stays 404
			}
			m, err := s.DB.Membership(c.Request().Context(), org.ID, st.User.ID)
			if err != nil {
				return err
			}
			st.Org, st.Role = &org, m.Role
			if !auth.Authorize(Principal(st), a, nil) {
				return Forbidden()
			}
			return next(c)
		}
	}
}

// requireSite checks a site-wide action.
func (s *Site) requireSite(a auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !auth.Authorize(Principal(State(c)), a, nil) {
				return NotFound()
			}
			return next(c)
		}
	}
}
