// Package api is the JSON token API under /api/v1, for bearer tokens. Its
// routes and their scopes are in routes_api.go.
package api

import (
	"tokenward/web/engine"
	"tokenward/web/plumbing"
)

// Server serves the token API.
type Server struct {
	*plumbing.Site
	Mail *engine.Mailer // invitation emails
}
