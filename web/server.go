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

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/static"
	"tokenward/store"
	"tokenward/web/api"
	"tokenward/web/core"
	"tokenward/web/engine"
	"tokenward/web/oauth"
	"tokenward/web/plumbing"
	"tokenward/web/ui"
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
	// ProviderTimeout bounds each step of talking to an identity provider;
	// 10 s when zero. Tests shorten it.
	ProviderTimeout time.Duration

	// The seams that processes sharing one database share; nil gives the
	// one that suits the database (see fillSeams).
	Changes        engine.ChangeFeed
	ThrottleCounts engine.ThrottleCounts
	JobClaim       engine.JobClaim
}

// fillSeams fills the seams left nil: the store's change counters (which on
// PostgreSQL also hear the other replicas), throttle counts in memory for
// one process or in the database when replicas share it, and job claims in
// the database under a random holder id for this process.
func (cfg *Config) fillSeams() error {
	if cfg.Changes == nil {
		cfg.Changes = cfg.DB
	}
	if cfg.ThrottleCounts == nil && cfg.DB.Shared() {
		cfg.ThrottleCounts = engine.NewDBThrottleCounts(cfg.DB)
	}
	if cfg.ThrottleCounts == nil {
		cfg.ThrottleCounts = engine.NewMemoryThrottleCounts()
	}
	if cfg.JobClaim == nil {
		claim, err := engine.NewJobClaim(cfg.DB)
		if err != nil {
			return err
		}
		cfg.JobClaim = claim
	}
	return nil
}

// Server is Tokenward's HTTP server: the shared parts and the three
// surfaces (the dashboard, the JSON API, the OAuth endpoints) on one router.
type Server struct {
	*plumbing.Site
	ui      *ui.Server
	api     *api.Server
	oauth   *oauth.Server
	mail    *engine.Mailer
	notices *engine.NoticeJob
	started bool // Start ran and Close has not
}

// New builds the server. When no site admin exists yet it opens the
// first-run setup with a fresh one-time code (see SetupURL). It starts
// nothing: background work starts in Start.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	sealer, err := auth.NewSealer(cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	// One clock for the process: the store's, fixed when it was opened.
	now := cfg.DB.Now
	if err := cfg.fillSeams(); err != nil {
		return nil, err
	}
	counts := cfg.ThrottleCounts
	site := &plumbing.Site{
		DB:      cfg.DB,
		Log:     cfg.Logger,
		Cookies: plumbing.NewCookieStore(cfg.MasterKey),
		Sealer:  sealer,
		Check:   engine.NewTokenChecker(cfg.DB, cfg.Changes),
		Core:    &core.Core{DB: cfg.DB, Sealer: sealer},
		Metrics: plumbing.NewMetrics(cfg.DB),
		// Failed bearer tokens are counted per process even when replicas
		// share the other throttles: the count sits on the path of every
		// bad request, and each replica still caps what reaches it.
		Fails:   engine.NewIPLimiter(engine.NewMemoryThrottleCounts(), now, engine.BearerFailures),
		Proxies: cfg.TrustedProxies,
		Public:  cfg.PublicURL,
		Now:     now,
	}
	site.Usage = engine.NewUsageRecorder(cfg.DB, cfg.Logger, cmp.Or(cfg.FlushInterval, engine.FlushInterval))
	site.Usage.OnFlush = site.Metrics.Flushed
	mail, err := engine.NewMailer(cfg.DB, cfg.Logger, cfg.MasterKey, cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	mail.TLSConfig = cfg.SMTPTLSConfig
	s := &Server{Site: site, mail: mail, notices: engine.NewNoticeJob(cfg.DB, cfg.Logger, mail, cfg.JobClaim)}
	s.ui = &ui.Server{Site: site, Mail: mail, Setup: &ui.SetupGate{}, ProviderTimeout: cfg.ProviderTimeout,
		Throttle: engine.NewFailThrottle(counts, now, engine.UserFailures, engine.IPFailures),
		Devices:  engine.NewFailThrottle(counts, now, engine.DeviceUserFailures, engine.DeviceIPFailures)}
	s.api = &api.Server{Site: site, Mail: mail}
	s.oauth = &oauth.Server{Site: site, Revokes: engine.NewIPLimiter(counts, now, engine.RevokeRequests),
		Poll: max(1, int(cmp.Or(cfg.DevicePollInterval, oauth.DeviceInterval*time.Second)/time.Second))}
	has, err := cfg.DB.HasSiteAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !has {
		if err := s.ui.Setup.Open(); err != nil {
			return nil, err
		}
	}
	site.Echo = site.NewEcho()
	s.routes()
	return s, nil
}

// Start starts the background work: the flush of gathered token uses about
// once a second, and the notification job (expiry warnings and email). New
// starts nothing, so everything the server reads is in place first.
func (s *Server) Start() {
	s.started = true
	go s.Usage.Run()
	go s.notices.Run()
}

// Close stops the notification job, writes the token uses gathered since
// the last flush and stops the background flush. Call it after the HTTP
// server has drained and before the database closes.
func (s *Server) Close() {
	if s.started {
		s.notices.Close()
		s.Usage.Close()
		s.started = false
		return
	}
	s.Usage.Flush(context.Background())
}

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.Echo }

// SetupURL is the first-run link with its one-time code, or "" once a site
// admin exists.
func (s *Server) SetupURL() string {
	code := s.ui.Setup.Current()
	if code == "" {
		return ""
	}
	return s.Public + "/setup?code=" + url.QueryEscape(code)
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
	for _, r := range s.Echo.Routes() {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Guard: r.Name})
	}
	return out
}

// routes registers every route with its guard: the probes, static files and
// metrics here, then each surface's own table.
func (s *Server) routes() {
	s.Route(http.MethodGet, "/healthz", plumbing.Public, s.healthz)
	s.Route(http.MethodGet, "/readyz", plumbing.Public, s.readyz)
	s.Route(http.MethodGet, "/static/*", plumbing.Public, echo.WrapHandler(static.Handler()))
	s.Route(http.MethodGet, "/favicon.ico", plumbing.Public, echo.WrapHandler(static.Favicon()))
	s.Route(http.MethodGet, "/metrics", plumbing.Public, s.Metrics.Handler())
	s.ui.Routes()
	s.api.Routes()
	s.oauth.Routes()
}

// RunExpiryPass creates the expiry notifications due now (by the store's
// clock) and returns how many; the background job does the same every
// ExpiryInterval. Re-running it creates nothing twice.
func (s *Server) RunExpiryPass(ctx context.Context) (int, error) { return s.DB.NotifyExpiries(ctx) }

// RunMailPass emails queued notifications when SMTP is set up and returns
// how many went out; the background job does it every MailInterval.
func (s *Server) RunMailPass(ctx context.Context) (int, error) { return s.mail.Pass(ctx) }
