package api

import (
	"net/http"
	"tokenward/auth"
	"tokenward/web/plumbing"
)

// Routes registers the token API: a bearer token with the scope named.
func (s *Server) Routes() {
	s.Route(http.MethodGet, "/api/v1/token", plumbing.WithScope(""), s.apiSelf)
	s.Route(http.MethodDelete, "/api/v1/token", plumbing.WithScope(""), s.apiRevokeSelf)
	s.Route(http.MethodGet, "/api/v1/quota", plumbing.WithScope(""), s.apiQuota)
	s.Route(http.MethodGet, "/api/v1/tokens", plumbing.WithScope(auth.ScopeTokensRead), s.apiListTokens)
	s.Route(http.MethodPost, "/api/v1/tokens", plumbing.WithScope(auth.ScopeTokensWrite), s.apiCreateToken)
	s.Route(http.MethodGet, "/api/v1/tokens/:id", plumbing.WithScope(auth.ScopeTokensRead), s.apiGetToken)
	s.Route(http.MethodPatch, "/api/v1/tokens/:id", plumbing.WithScope(auth.ScopeTokensWrite), s.apiPatchToken)
	s.Route(http.MethodDelete, "/api/v1/tokens/:id", plumbing.WithScope(auth.ScopeTokensWrite), s.apiRevokeToken)
	s.Route(http.MethodPost, "/api/v1/tokens/:id/rotate", plumbing.WithScope(auth.ScopeTokensWrite), s.apiRotateToken)
	s.Route(http.MethodPost, "/api/v1/tokens/:id/disable", plumbing.WithScope(auth.ScopeTokensWrite), s.apiSetDisabled(true))
	s.Route(http.MethodPost, "/api/v1/tokens/:id/enable", plumbing.WithScope(auth.ScopeTokensWrite), s.apiSetDisabled(false))
	s.Route(http.MethodGet, "/api/v1/services", plumbing.WithScope(auth.ScopeServicesRead), s.apiListServices)
	s.Route(http.MethodPost, "/api/v1/services", plumbing.WithScope(auth.ScopeServicesWrite), s.apiCreateService)
	s.Route(http.MethodDelete, "/api/v1/services/:id", plumbing.WithScope(auth.ScopeServicesWrite), s.apiDeleteService)
	s.Route(http.MethodGet, "/api/v1/audit", plumbing.WithScope(auth.ScopeAuditRead), s.apiAudit)
	s.Route(http.MethodGet, "/api/v1/openapi.json", plumbing.Public, s.openAPI)
}
