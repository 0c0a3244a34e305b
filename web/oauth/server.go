// Package oauth is the OAuth endpoints: server metadata, token
// introspection (RFC 7662), revocation (RFC 7009) and the device flow
// (RFC 8628). Its routes are in routes_oauth.go.
package oauth

import (
	"tokenward/web/engine"
	"tokenward/web/plumbing"
)

// Server serves the OAuth endpoints.
type Server struct {
	*plumbing.Site
	Revokes *engine.IPLimiter // leak reports per IP
	Poll    int               // the device flow's first polling interval, in seconds
}
