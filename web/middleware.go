package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows only our own scripts and styles: no inline
// code, no eval, no framing. htmx is configured to match (see the layout).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// maxBody is the largest request body accepted anywhere.
const maxBody = "1M"

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = s.clientIP
	e.Use(
		s.requestID,
		middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRemoteIP: true,
			LogRequestID: true, HandleError: true,
			LogValuesFunc: s.logRequest,
		}),
		middleware.Recover(),
		securityHeaders,
		middleware.BodyLimit(maxBody),
		s.loadSession,
	)
	return e
}

// requestID gives every request a fresh id (never one the client sent, so
// logs cannot be forged), returned in X-Request-Id and shown on error pages.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := strings.ToLower(randomString(10))
		c.Request().Header.Set(echo.HeaderXRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// logRequest writes one line per request. The path is logged without its
// query, which may carry a one-time code.
func (s *Server) logRequest(c echo.Context, v middleware.RequestLoggerValues) error {
	level := slog.LevelInfo
	if v.Status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
		slog.Duration("duration", v.Latency), slog.String("request_id", v.RequestID), slog.String("ip", v.RemoteIP),
	}
	if v.Error != nil && v.Status >= 500 {
		attrs = append(attrs, slog.String("error", v.Error.Error()))
	}
	s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
	return nil
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			// Pages show who has which token: keep them out of shared caches.
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// clientIP is the request's client address: the connection's peer, or the
// nearest untrusted address in X-Forwarded-For when the peer is a trusted
// proxy.
func (s *Server) clientIP(r *http.Request) string {
	if len(s.proxies) == 0 {
		return echo.ExtractIPDirect()(r)
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range s.proxies {
		opts = append(opts, echo.TrustIPRange(prefixNet(p)))
	}
	return echo.ExtractIPFromXFFHeader(opts...)(r)
}

// fromTrustedProxy reports whether the connection's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(addr.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// secureRequest reports whether the browser reached us over TLS, directly or
// through a trusted proxy that says so.
func (s *Server) secureRequest(r *http.Request) bool {
	return r.TLS != nil || (s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}
