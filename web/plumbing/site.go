// Package plumbing is what every HTTP surface shares: the route guards,
// request state, sessions and CSRF, rendering, input checks, the CSV export
// and the one place errors become statuses, pages and problem documents.
package plumbing

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/engine"
)

// Site is the server's shared parts, which each surface embeds.
type Site struct {
	DB      *store.DB
	Log     *slog.Logger
	Echo    *echo.Echo
	Cookies *sessions.CookieStore
	Sealer  *auth.Sealer
	Check   *engine.TokenChecker
	Core    *core.Core
	Usage   *engine.UsageRecorder
	Fails   *engine.IPLimiter // failed bearer authentications per IP
	Metrics *Metrics
	Proxies []netip.Prefix
	Public  string
	Now     func() time.Time
}
