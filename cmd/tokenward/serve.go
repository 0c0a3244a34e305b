package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"tokenward/store"
	"tokenward/web"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT or
// SIGTERM before the server closes their connections.
const shutdownGrace = 15 * time.Second

type serveConfig struct {
	db                       dbFlags
	addr, publicURL, proxies string
	demo                     bool
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	proxies, err := parsePrefixes(cfg.proxies)
	if err != nil {
		return err
	}
	tuneGC()
	logOut := newBufferedLog(stderr)
	defer logOut.Close()
	logger := slog.New(slog.NewTextHandler(logOut, nil))

	// The process's one clock: it follows the real time, except while the
	// demo backdates what it makes, before the server starts.
	clock := &store.ManualClock{}
	db, key, err := cfg.db.open(ctx, store.WithClock(clock.Now))
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.demo {
		if err := seedDemo(ctx, db, key, clock, stdout); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (pick another with --addr)", cfg.addr, err)
	}
	if cfg.publicURL == "" {
		cfg.publicURL = "http://" + ln.Addr().String()
	}
	srv, err := web.New(ctx, web.Config{DB: db, Logger: logger, MasterKey: key,
		PublicURL: strings.TrimRight(cfg.publicURL, "/"), TrustedProxies: proxies})
	if err != nil {
		ln.Close()
		return err
	}
	srv.Start()
	httpSrv := newHTTPServer(srv.Handler(), logger)
	logger.Info("tokenward listening", "addr", ln.Addr().String(), "database", db.Path(), "url", cfg.publicURL)
	if u := srv.SetupURL(); u != "" {
		fmt.Fprintf(stdout, "\nNo site admin yet. Open this link to set up Tokenward (the code works once):\n\n    %s\n\n", u)
	}

	if err := runUntilDone(ctx, httpSrv, ln, srv, logger); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// tuneGC sets the collector's pace when GOGC does not: the live heap is
// small (tens of MB even at 100,000 tokens), and at tens of thousands of
// token checks a second the default pace costs a tenth of the CPU, so a
// little memory is traded for it.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// newHTTPServer is the HTTP server with the timeouts a public listener
// needs.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// parseServeFlags reads serve's flags, with their environment defaults.
func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.addr, "addr", env("TOKENWARD_ADDR", "127.0.0.1:8080"), "address to listen on")
	cfg.db.register(fs)
	fs.StringVar(&cfg.publicURL, "public-url", env("TOKENWARD_PUBLIC_URL", ""), "URL people reach the server at (default http://ADDR)")
	fs.StringVar(&cfg.proxies, "trusted-proxies", env("TOKENWARD_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-* headers are trusted")
	fs.BoolVar(&cfg.demo, "demo", false, "fill an empty deployment with a demo organization")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

// runUntilDone serves ln until ctx ends, then lets in-flight requests
// finish (up to shutdownGrace) and stops the server's background work.
func runUntilDone(ctx context.Context, httpSrv *http.Server, ln net.Listener, srv *web.Server, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown did not finish cleanly", "error", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	srv.Close() // writes the token uses gathered since the last flush
	return nil
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if a, err := netip.ParseAddr(part); err == nil {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: give an address or a CIDR such as 10.0.0.0/8", part)
		}
		out = append(out, p)
	}
	return out, nil
}
