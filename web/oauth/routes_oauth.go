package oauth

import (
	"net/http"
	"tokenward/auth"
	"tokenward/web/plumbing"
)

// Routes registers the OAuth endpoints: metadata, introspection, revocation and the device flow.
func (s *Server) Routes() {
	s.Route(http.MethodGet, "/.well-known/oauth-authorization-server", plumbing.Public, s.metadata)
	s.Route(http.MethodPost, "/oauth/introspect", plumbing.InOrgWithScope(auth.ScopeIntrospect), s.introspect)
	s.Route(http.MethodPost, "/oauth/revoke", plumbing.Public, s.revoke)
	s.Route(http.MethodPost, "/oauth/device_authorization", plumbing.Public, s.deviceAuthorization)
	s.Route(http.MethodPost, "/oauth/token", plumbing.Public, s.token)
}
