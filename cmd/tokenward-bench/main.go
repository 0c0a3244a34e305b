// Command tokenward-bench measures Tokenward under load on this machine.
//
// It builds the real server and a bare Echo "hello" server, starts each as
// its own process on 127.0.0.1 (Tokenward over a data directory it fills
// with -tokens tokens), drives them with one Go HTTP client at a fixed
// concurrency for a fixed time per scenario, and prints requests/s, p50,
// p99, max and errors per scenario, with the ratio to the hello server's
// requests/s measured in the same run and issue 4's targets.
//
//	go run ./cmd/tokenward-bench -duration 5s -tokens 20000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tokenward-bench:", err)
		}
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	tokens            int
	duration          time.Duration
	warmup            time.Duration
	concurrency       int
	searchConcurrency int
	jsonPath          string
	keep              bool
	scenarios         string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("tokenward-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.tokens, "tokens", 100_000, "tokens to fill the data directory with")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "unmeasured load before each scenario's measured time")
	fs.IntVar(&cfg.concurrency, "concurrency", 32, "requests in flight at once (one worker each)")
	fs.IntVar(&cfg.searchConcurrency, "search-concurrency", runtime.NumCPU(), "requests in flight for api-list and dashboard-search")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the figures as JSON to this file")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (data, binaries, server logs)")
	fs.StringVar(&cfg.scenarios, "scenarios", "", "comma-separated scenarios to run (default all: "+scenarioNames()+")")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	switch {
	case fs.NArg() > 0:
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.tokens < 1000:
		return config{}, errors.New("-tokens must be at least 1000")
	case cfg.duration <= 0, cfg.warmup < 0:
		return config{}, errors.New("-duration must be positive and -warmup not negative")
	case cfg.concurrency < 1 || cfg.searchConcurrency < 1:
		return config{}, errors.New("-concurrency and -search-concurrency must be at least 1")
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	picked, err := pickScenarios(cfg.scenarios)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }

	tmp, err := os.MkdirTemp("", "tokenward-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			logf("kept %s (data/ holds the database; sign in as %s / %s or %s / %s)",
				tmp, adminUser, adminPassword, memberUser, memberPassword)
		} else {
			os.RemoveAll(tmp)
		}
	}()

	env, err := setUp(ctx, cfg, picked, tmp, logf)
	if env != nil {
		defer func() { err = errors.Join(err, env.stop()) }()
	}
	if err != nil {
		return err
	}

	rep := env.measure(ctx, cfg, picked, logf)
	fmt.Fprintf(stdout, "\n%d tokens, %s per scenario after %s warm-up, concurrency %d (searches %d), %d CPUs, %s\n\n",
		cfg.tokens, cfg.duration, cfg.warmup, cfg.concurrency, cfg.searchConcurrency, rep.CPUs, rep.GoVersion)
	if err := writeTable(stdout, rep.Results); err != nil {
		return err
	}
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, rep); err != nil {
			return err
		}
		logf("wrote %s", cfg.jsonPath)
	}
	if rep.Interrupted {
		return errors.New("interrupted")
	}
	return nil
}

// measure runs each picked scenario and judges it against limit's req/s
// measured in the same run.
func (env *environment) measure(ctx context.Context, cfg config, picked []scenario, logf func(string, ...any)) Report {
	rep := Report{Started: time.Now().UTC(), Tokens: cfg.tokens, Duration: cfg.duration.String(), Warmup: cfg.warmup.String(),
		Concurrency: cfg.concurrency, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	for _, sc := range picked {
		if ctx.Err() != nil {
			break
		}
		r := env.runScenario(ctx, sc, cfg)
		if ctx.Err() != nil {
			rep.Interrupted = true
		}
		logf("%-18s %9d requests %9.0f req/s  p99 %s  %d errors%s", r.Scenario, r.Requests, r.RPS, fmtMS(r.P99ms), r.Errors, failedNote(r))
		rep.Results = append(rep.Results, r)
	}
	for _, r := range rep.Results {
		if r.Scenario == "limit" && r.Failed == "" {
			rep.LimitRPS = r.RPS
		}
	}
	for i := range rep.Results {
		judge(&rep.Results[i], rep.LimitRPS)
	}
	return rep
}

func failedNote(r Result) string {
	if r.Failed != "" {
		return " (did not run: " + r.Failed + ")"
	}
	return ""
}
