package web

import (
	"net/http"
	"tokenward/auth"
)

// oauthRoutes registers the OAuth endpoints: metadata, introspection, revocation and the device flow.
func (s *Server) oauthRoutes() {
	s.route(http.MethodGet, "/.well-known/oauth-authorization-server", public, s.metadata)
	s.route(http.MethodPost, "/oauth/introspect", withScope(auth.ScopeIntrospect), s.introspect)
	s.route(http.MethodPost, "/oauth/revoke", public, s.revoke)
	s.route(http.MethodPost, "/oauth/device_authorization", public, s.deviceAuthorization)
	s.route(http.MethodPost, "/oauth/token", public, s.token)
}
