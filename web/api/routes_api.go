package api

import (
	"net/http"
	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/plumbing"

	"github.com/labstack/echo/v4"
)

// Routes registers the token API: a bearer token with the scope named, and
// for a route about one token, the action auth.Authorize is asked about
// before the handler runs. Every org-scoped route answers in both its short
// form and its /api/v1/orgs/{org}/… form (plumbing.OrgAPIRoute); who am I
// and quota are about the calling token, in no org.
func (s *Server) Routes() {
	s.Route(http.MethodGet, "/api/v1/token", plumbing.WithScope(""), s.apiSelf)
	s.Route(http.MethodDelete, "/api/v1/token", plumbing.WithScope(""), s.apiRevokeSelf)
	s.Route(http.MethodGet, "/api/v1/quota", plumbing.WithScope(""), s.apiQuota)
	s.OrgAPIRoute(http.MethodGet, "/api/v1/tokens", auth.ScopeTokensRead, s.apiListTokens)
	s.OrgAPIRoute(http.MethodPost, "/api/v1/tokens", auth.ScopeTokensWrite, s.apiCreateToken)
	s.tokenRoute(http.MethodGet, "/api/v1/tokens/:id", auth.ScopeTokensRead, auth.ViewToken, "see this token", s.apiGetToken)
	s.tokenRoute(http.MethodPatch, "/api/v1/tokens/:id", auth.ScopeTokensWrite, auth.EditToken, "edit tokens", s.apiPatchToken)
	s.tokenRoute(http.MethodDelete, "/api/v1/tokens/:id", auth.ScopeTokensWrite, auth.RevokeToken, "revoke this token", s.apiRevokeToken)
	s.tokenRoute(http.MethodPost, "/api/v1/tokens/:id/rotate", auth.ScopeTokensWrite, auth.RotateToken, "rotate tokens", s.apiRotateToken)
	s.tokenRoute(http.MethodPost, "/api/v1/tokens/:id/disable", auth.ScopeTokensWrite, auth.DisableToken, "disable or enable tokens", s.apiSetDisabled(true))
	s.tokenRoute(http.MethodPost, "/api/v1/tokens/:id/enable", auth.ScopeTokensWrite, auth.DisableToken, "disable or enable tokens", s.apiSetDisabled(false))
	s.OrgAPIRoute(http.MethodDelete, "/api/v1/tokens/:id/access", auth.ScopeTokensWrite, s.apiRemoveTokenOrg)
	s.OrgAPIRoute(http.MethodGet, "/api/v1/services", auth.ScopeServicesRead, s.apiListServices)
	s.OrgAPIRoute(http.MethodPost, "/api/v1/services", auth.ScopeServicesWrite, s.apiCreateService)
	s.OrgAPIRoute(http.MethodDelete, "/api/v1/services/:id", auth.ScopeServicesWrite, s.apiDeleteService)
	s.OrgAPIRoute(http.MethodGet, "/api/v1/audit", auth.ScopeAuditRead, s.apiAudit)
	s.OrgAPIRoute(http.MethodGet, "/api/v1/members", auth.ScopeMembersRead, s.apiListMembers)
	s.OrgAPIRoute(http.MethodPost, "/api/v1/members", auth.ScopeMembersWrite, s.apiAddMember)
	s.OrgAPIRoute(http.MethodPatch, "/api/v1/members/:username", auth.ScopeMembersWrite, s.member("change roles", s.apiChangeRole))
	s.OrgAPIRoute(http.MethodDelete, "/api/v1/members/:username", auth.ScopeMembersWrite, s.member("remove members", s.apiRemoveMember))
	s.OrgAPIRoute(http.MethodGet, "/api/v1/invitations", auth.ScopeMembersRead, s.apiListInvitations)
	s.OrgAPIRoute(http.MethodPost, "/api/v1/invitations", auth.ScopeMembersWrite, s.apiInvite)
	s.OrgAPIRoute(http.MethodDelete, "/api/v1/invitations/:id", auth.ScopeMembersWrite, s.apiRevokeInvitation)
	s.Route(http.MethodGet, "/api/v1/openapi.json", plumbing.Public, s.openAPI)
}

// tokenHandler serves an API route about one token, which its guard loaded
// and authorized.
type tokenHandler func(c echo.Context, t store.Token) error

// tokenRoute registers an API route about the token in its path. Its guard
// checks the scope, loads the token if the calling token may see it (404
// otherwise), asks auth.Authorize about the action (403 naming verb
// otherwise), then hands the handler the token.
func (s *Server) tokenRoute(method, path string, scope auth.Scope, a auth.Action, verb string, h tokenHandler) {
	s.OrgAPIRoute(method, path, scope, func(c echo.Context) error {
		t, err := s.apiTokenFor(c, a, verb)
		if err != nil {
			return err
		}
		return h(c, t)
	})
}
