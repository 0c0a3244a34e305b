// Package web wires HTTP requests to the store, auth and views: routes,
// middleware, handlers, the error handler and the render helper.
package web

import (
	"cmp"
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/static"
	"tokenward/store"
)

// Config is what the server is built from.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// MasterKey is the deployment key; cookie keys are derived from it.
	MasterKey []byte
	// PublicURL is the address people reach the server at, without a
	// trailing slash: the setup link printed on the console, the OAuth
	// issuer and the device flow's verification_uri.
	PublicURL string
	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
	// DevicePollInterval is how often a CLI login may poll /oauth/token at
	// first (RFC 8628's interval), in whole seconds; 5 s when zero.
	DevicePollInterval time.Duration
	// FlushInterval is how often gathered token uses are written;
	// web.FlushInterval when zero.
	FlushInterval time.Duration
	// SMTPTLSConfig, when set, is the TLS configuration for connections to
	// the mail server (tests trust their own certificate with it); nil
	// uses the system's roots.
	SMTPTLSConfig *tls.Config
}

// Server is Tokenward's HTTP server.
type Server struct {
	db       *store.DB
	log      *slog.Logger
	echo     *echo.Echo
	cookies  *sessions.CookieStore
	throttle *failThrottle // sign-in
	devices  *failThrottle // wrong codes on /device
	setup    *setupGate
	sealer   *auth.Sealer
	check    *tokenChecker
	core     *Core
	usage    *usageRecorder
	mail     *mailer
	notices  *noticeJob
	fails    *ipLimiter
	revokes  *ipLimiter
	metrics  *metrics
	proxies  []netip.Prefix
	public   string
	now      func() time.Time
	poll     int  // the device flow's first polling interval, in seconds
	started  bool // Start ran and Close has not
}

// New builds the server. When no site admin exists yet it opens the
// first-run setup with a fresh one-time code (see SetupURL).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// One clock for the process: the store's, fixed when it was opened.
	now := cfg.DB.Now
	s := &Server{
		db:       cfg.DB,
		log:      cfg.Logger,
		proxies:  cfg.TrustedProxies,
		public:   cfg.PublicURL,
		now:      now,
		poll:     max(1, int(cmp.Or(cfg.DevicePollInterval, deviceInterval*time.Second)/time.Second)),
		throttle: newFailThrottle(now, userFailures, ipFailures),
		devices:  newFailThrottle(now, deviceUserFailures, deviceIPFailures),
		setup:    &setupGate{},
	}
	s.cookies = sessions.NewCookieStore(
		auth.DeriveKey(cfg.MasterKey, "session cookie signing", 64),
		auth.DeriveKey(cfg.MasterKey, "session cookie encryption", 32),
	)
	s.cookies.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(SessionLimits.Absolute / time.Second),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	sealer, err := auth.NewSealer(cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	s.sealer = sealer
	s.check = &tokenChecker{db: s.db}
	s.core = &Core{db: s.db, sealer: sealer}
	has, err := s.db.HasSiteAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !has {
		if err := s.setup.open(); err != nil {
			return nil, err
		}
	}
	s.metrics = newMetrics(s.db)
	s.usage = newUsageRecorder(s.db, s.log, cmp.Or(cfg.FlushInterval, FlushInterval))
	s.usage.onFlush = s.metrics.flushed
	s.fails = newIPLimiter(now, failRate, failBurst)
	s.revokes = newIPLimiter(now, revokeRate, revokeBurst)
	s.mail, err = newMailer(s.db, s.log, cfg.MasterKey, cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	s.mail.tlsConfig = cfg.SMTPTLSConfig
	s.notices = newNoticeJob(s.db, s.log, s.mail)
	s.echo = s.newEcho()
	s.routes()
	return s, nil
}

// Start starts the background work: the flush of gathered token uses about
// once a second, and the notification job (expiry warnings and email). New
// starts nothing, so everything the server reads is in place first.
func (s *Server) Start() {
	s.started = true
	go s.usage.run()
	go s.notices.run()
}

// Close stops the notification job, writes the token uses gathered since
// the last flush and stops the background flush. Call it after the HTTP
// server has drained and before the database closes.
func (s *Server) Close() {
	if s.started {
		s.notices.close()
		s.usage.close()
		s.started = false
		return
	}
	s.usage.flush(context.Background())
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// SetupURL is the first-run link with its one-time code, or "" once a site
// admin exists.
func (s *Server) SetupURL() string {
	code := s.setup.current()
	if code == "" {
		return ""
	}
	return s.public + "/setup?code=" + url.QueryEscape(code)
}

// RouteInfo is one registered route and the guard that protects it.
type RouteInfo struct {
	Method string
	Path   string
	Guard  string // "public", "signed-in", "org:<action>" or "site:<action>"
}

// Routes lists every registered route with its guard, for tests and docs.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.echo.Routes() {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Guard: r.Name})
	}
	return out
}

// routes registers every route with its guard: the probes, static files and
// metrics here, then each surface's own table.
func (s *Server) routes() {
	s.route(http.MethodGet, "/healthz", public, s.healthz)
	s.route(http.MethodGet, "/readyz", public, s.readyz)
	s.route(http.MethodGet, "/static/*", public, echo.WrapHandler(static.Handler()))
	s.route(http.MethodGet, "/metrics", public, s.metrics.handler())
	s.uiRoutes()
	s.apiRoutes()
	s.oauthRoutes()
}

// RunExpiryPass creates the expiry notifications due now (by the store's
// clock) and returns how many; the background job does the same every
// ExpiryInterval. Re-running it creates nothing twice.
func (s *Server) RunExpiryPass(ctx context.Context) (int, error) { return s.db.NotifyExpiries(ctx) }

// RunMailPass emails queued notifications when SMTP is set up and returns
// how many went out; the background job does it every MailInterval.
func (s *Server) RunMailPass(ctx context.Context) (int, error) { return s.mail.pass(ctx) }
