// Command tokenward-bench measures Tokenward under load on this machine.
//
// It builds the real server and a bare Echo "hello" server, starts each as
// its own process on 127.0.0.1 (Tokenward over a data directory it fills
// with -tokens tokens), drives them with one Go HTTP client at a fixed
// concurrency for a fixed time per scenario, and prints requests/s, p50,
// p99, max and errors per scenario, with the ratio to the hello server's
// requests/s measured in the same run and issue 4's targets.
//
// With -database the server runs on that PostgreSQL database instead;
// with -compare-postgres every Tokenward scenario runs on SQLite and on
// PostgreSQL (its own throwaway cluster when -database is not given) in
// the same run, side by side. The replicas scenario runs two servers over
// one PostgreSQL database and measures how soon a revoke made through one
// is refused by the other.
//
//	go run ./cmd/tokenward-bench -duration 5s -tokens 20000
//	go run ./cmd/tokenward-bench -compare-postgres -scenarios limit,token-valid,replicas
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

	"tokenward/store"
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
	// database is a PostgreSQL URL the servers run on (empty: SQLite, or
	// with comparePostgres a cluster of the tool's own).
	database        string
	comparePostgres bool
	revocations     int
	rounds          int
}

// engines are the engines the run's Tokenward scenarios run on, in order.
func (cfg config) engines() []string {
	switch {
	case cfg.comparePostgres:
		return []string{engineSQLite, enginePostgres}
	case cfg.database != "":
		return []string{enginePostgres}
	}
	return []string{engineSQLite}
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
	fs.StringVar(&cfg.scenarios, "scenarios", "", "comma-separated scenarios to run (default all: "+scenarioNames()+"; replicas needs PostgreSQL)")
	fs.StringVar(&cfg.database, "database", "", "run the servers on this empty PostgreSQL database (postgres://…), which the tool fills")
	fs.BoolVar(&cfg.comparePostgres, "compare-postgres", false, "run each scenario on SQLite and on PostgreSQL (-database, or a throwaway cluster) and compare")
	fs.IntVar(&cfg.revocations, "revocations", 200, "revocations the replicas scenario times from one replica to the other")
	fs.IntVar(&cfg.rounds, "rounds", 1, "split each scenario's -duration into this many rounds, alternating between the engines (each after its own -warmup)")
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
	case cfg.database != "" && !store.IsPostgresURL(cfg.database):
		return config{}, fmt.Errorf("-database %q: give a postgres:// URL (SQLite is the default)", cfg.database)
	case cfg.revocations < 1:
		return config{}, errors.New("-revocations must be at least 1")
	case cfg.rounds < 1 || cfg.duration/time.Duration(cfg.rounds) < 100*time.Millisecond:
		return config{}, errors.New("-rounds must be at least 1, and each round at least 100ms of -duration")
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	picked, err := pickScenarios(cfg.scenarios, cfg.engines())
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
			logf("kept %s (sqlite/data holds the SQLite database, each engine's directory its server logs; sign in as %s / %s or %s / %s)",
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
	fmt.Fprintf(stdout, "\n%d tokens, %s per scenario%s after %s warm-up, concurrency %d (searches %d), %d CPUs, %s\n",
		cfg.tokens, cfg.duration, roundsNote(cfg.rounds), cfg.warmup, cfg.concurrency, cfg.searchConcurrency, rep.CPUs, rep.GoVersion)
	for _, e := range rep.Engines {
		fmt.Fprintf(stdout, "%s: %s\n", e.Name, e.Where)
	}
	fmt.Fprintln(stdout)
	if err := writeReport(stdout, rep); err != nil {
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
		Concurrency: cfg.concurrency, Rounds: cfg.rounds, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	for _, d := range env.deployments {
		rep.Engines = append(rep.Engines, EngineInfo{Name: d.engine, Where: d.where})
	}
	// Each scenario runs on every engine back to back, in -rounds rounds
	// that alternate between the engines, so a change in the machine's
	// other load touches both figures alike.
	for _, sc := range picked {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		var runs []*scenarioRun
		for _, d := range env.targetsOf(sc) {
			runs = append(runs, env.newRun(sc, d))
		}
		for range cfg.rounds {
			for _, r := range runs {
				if ctx.Err() == nil {
					r.round(ctx, cfg.warmup, cfg.duration/time.Duration(cfg.rounds))
				}
			}
		}
		for _, run := range runs {
			r := run.result(ctx)
			if ctx.Err() != nil {
				rep.Interrupted = true
			}
			logf("%-18s %-8s %9d requests %9.0f req/s  p99 %s  %d errors%s%s", r.Scenario, r.Engine, r.Requests, r.RPS,
				fmtMS(r.P99ms), r.Errors, propagationNote(r), failedNote(r))
			rep.Results = append(rep.Results, r)
		}
	}
	for _, r := range rep.Results {
		if r.Scenario == "limit" && r.Failed == "" {
			rep.LimitRPS = r.RPS
		}
	}
	for i := range rep.Results {
		judge(&rep.Results[i], rep.LimitRPS)
	}
	rep.Comparison = compareEngines(rep.Results)
	return rep
}

func roundsNote(rounds int) string {
	if rounds > 1 {
		return fmt.Sprintf(" in %d rounds, each", rounds)
	}
	return ""
}

func failedNote(r Result) string {
	if r.Failed != "" {
		return " (did not run: " + r.Failed + ")"
	}
	return ""
}
