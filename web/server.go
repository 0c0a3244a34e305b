// Package web wires HTTP requests to the store, auth and views: routes,
// middleware, handlers, the error handler and the render helper.
package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base32"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
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

// SessionLimits are how long a browser session lasts: one hour without a
// request, twelve hours in all, after which the user signs in again.
var SessionLimits = store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}

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
	cache    tokenCache
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

// randomString returns n random bytes as unpadded base32, for codes and ids.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
