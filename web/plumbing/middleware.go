package plumbing

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows only our own scripts and styles: no inline
// code, no eval, no framing. htmx is configured to match (see the layout).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// maxBody is the largest request body accepted anywhere.
const maxBody = "1M"

func (s *Site) NewEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = s.clientIP
	e.Use(
		s.requestID,
		s.logRequests,
		middleware.Recover(),
		s.securityHeaders,
		middleware.BodyLimit(maxBody),
		s.loadSession,
		refuseControls,
	)
	return e
}

// requestID gives every request a fresh id (never one the client sent, so
// logs cannot be forged), returned in X-Request-Id and shown on error pages:
// a random prefix per process and a counter, unique and cheap.
func (s *Site) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	prefix := strings.ToLower(RandomString(5)) + "-"
	var n atomic.Uint64
	return func(c echo.Context) error {
		id := prefix + strconv.FormatUint(n.Add(1), 36)
		c.Request().Header[echo.HeaderXRequestID] = []string{id}
		c.Response().Header()[echo.HeaderXRequestID] = []string{id}
		return next(c)
	}
}

// logRequests writes one structured line per request: method, path (never
// the query, which may carry a one-time code), status, duration, request id
// and client IP. Errors are handled first, so the line has the status sent.
func (s *Site) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		req := c.Request()
		s.Log.LogAttrs(req.Context(), level, "request",
			slog.String("method", req.Method), slog.String("path", loggedPath(c)), slog.Int("status", status),
			slog.Duration("duration", time.Since(start)), slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("ip", c.RealIP()))
		return nil
	}
}

// loggedPath is the path a request line shows: an invitation link's path
// holds its code, so its route pattern (/invite/:code) is logged instead.
func loggedPath(c echo.Context) string {
	if p := c.Request().URL.Path; !strings.HasPrefix(p, "/invite/") {
		return p
	}
	return c.Path()
}

// securityHeaderValues are set on every response; the keys are already in
// canonical form and the values shared, so setting them allocates nothing.
var securityHeaderValues = map[string][]string{
	"Content-Security-Policy":    {contentSecurityPolicy},
	"X-Content-Type-Options":     {"nosniff"},
	"Referrer-Policy":            {"no-referrer"},
	"X-Frame-Options":            {"DENY"},
	"Cross-Origin-Opener-Policy": {"same-origin"},
	"Permissions-Policy":         {"camera=(), microphone=(), geolocation=()"},
}

var (
	noStore = []string{"no-store"}
	nosniff = []string{"nosniff"}
	// hsts tells a browser that reached us over TLS to use nothing else for
	// a year. Subdomains are left alone: they may be other people's servers.
	hsts = []string{"max-age=31536000"}
)

// securityHeaders sets the headers every answer carries, and
// Strict-Transport-Security when the browser came over TLS (directly or
// through a trusted proxy that says so), never over plain HTTP, where it
// would mean nothing and could lock out a deployment that has no TLS.
func (s *Site) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.secureRequest(c.Request()) {
			h["Strict-Transport-Security"] = hsts
		}
		if path := c.Request().URL.Path; strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/oauth/") {
			// JSON for programs: the page policies (CSP, framing) mean nothing
			// there and would only add bytes to every answer.
			h["X-Content-Type-Options"], h["Cache-Control"] = nosniff, noStore
			return next(c)
		}
		for k, v := range securityHeaderValues {
			h[k] = v
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			// Pages show who has which token: keep them out of shared caches.
			h["Cache-Control"] = noStore
		}
		return next(c)
	}
}

// clientIP is the request's client address: the connection's peer, or the
// nearest untrusted address in X-Forwarded-For when the peer is a trusted
// proxy.
func (s *Site) clientIP(r *http.Request) string {
	if len(s.Proxies) == 0 {
		return echo.ExtractIPDirect()(r)
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range s.Proxies {
		opts = append(opts, echo.TrustIPRange(prefixNet(p)))
	}
	return echo.ExtractIPFromXFFHeader(opts...)(r)
}

// fromTrustedProxy reports whether the connection's peer is a trusted proxy.
func (s *Site) fromTrustedProxy(r *http.Request) bool {
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.Proxies {
		if p.Contains(addr.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// secureRequest reports whether the browser reached us over TLS, directly or
// through a trusted proxy that says so.
func (s *Site) secureRequest(r *http.Request) bool {
	return r.TLS != nil || (strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") && s.fromTrustedProxy(r))
}
