// Package ui is the dashboard: the pages people open in a browser, their
// forms and dialogs. Its routes and their guards are in routes_ui.go.
package ui

import (
	"time"

	"tokenward/web/engine"
	"tokenward/web/plumbing"
)

// Server serves the dashboard pages.
type Server struct {
	*plumbing.Site
	Throttle *engine.FailThrottle // sign-in
	Devices  *engine.FailThrottle // wrong codes on /device
	Setup    *SetupGate
	Mail     *engine.Mailer
	// ProviderTimeout bounds each step of talking to an identity provider;
	// identity.Timeout (10 s) when zero.
	ProviderTimeout time.Duration
}
