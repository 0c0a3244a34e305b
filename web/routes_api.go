package web

import (
	"net/http"
	"tokenward/auth"
)

// apiRoutes registers the token API: a bearer token with the scope named.
func (s *Server) apiRoutes() {
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
}
