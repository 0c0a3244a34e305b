package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"tokenward/store/pgtest"
)

// The engines Tokenward runs on.
const (
	engineSQLite   = "sqlite"
	enginePostgres = "postgres"
)

// deployment is Tokenward on one engine: a seeded database, the server over
// it and, for the replicas scenario, a second server over the same
// database and key.
type deployment struct {
	bench
	engine string
	// where is the data directory, or the database URL without its
	// password, for the report.
	where string
	procs []*process
}

// environment is the running servers and what the scenarios share.
type environment struct {
	client      *http.Client
	helloBench  bench // for the scenarios on the hello server
	helloProc   *process
	deployments []*deployment
	postgres    *pgtest.Cluster // started here when -compare-postgres has no -database
}

// setUp builds the servers the picked scenarios need, fills Tokenward's
// databases, starts the servers and waits until they answer. It returns the
// environment even on error, so whatever started can be stopped.
func setUp(ctx context.Context, cfg config, picked []scenario, tmp string, logf func(string, ...any)) (*environment, error) {
	env := &environment{client: newClient(cfg.concurrency)}
	env.helloBench = bench{client: env.client, concurrency: cfg.concurrency, searchConcurrency: cfg.searchConcurrency}
	engines, needHello, needReplicas := needs(picked, cfg.engines())
	root, err := moduleRoot(ctx)
	if err != nil {
		return env, err
	}
	var pkgs []string
	if len(engines) > 0 {
		pkgs = append(pkgs, "./cmd/tokenward")
	}
	if needHello {
		pkgs = append(pkgs, "./cmd/tokenward-bench/hello")
	}
	logf("building %v", pkgs)
	bins, err := buildAll(ctx, root, filepath.Join(tmp, "bin"), pkgs...)
	if err != nil {
		return env, err
	}
	for _, engine := range engines {
		d := &deployment{engine: engine, bench: bench{client: env.client, concurrency: cfg.concurrency,
			searchConcurrency: cfg.searchConcurrency, revocations: cfg.revocations}}
		env.deployments = append(env.deployments, d)
		replicas := needReplicas && engine == enginePostgres
		if err := env.deploy(ctx, cfg, d, bins[0], filepath.Join(tmp, engine), replicas, logf); err != nil {
			return env, err
		}
	}
	if needHello {
		addr, err := freeAddr()
		if err != nil {
			return env, err
		}
		env.helloProc, err = startServer("hello", bins[len(bins)-1], addr, filepath.Join(tmp, "hello.log"), "-addr", addr)
		if err != nil {
			return env, err
		}
		env.helloBench.hello = env.helloProc.base
		if err := env.helloProc.waitReady(ctx, env.client, "/", 30*time.Second); err != nil {
			return env, err
		}
	}
	return env, nil
}

// needs says which engines have a picked scenario to run, whether the
// hello server is needed and whether a second replica is.
func needs(picked []scenario, engines []string) (needed []string, hello, replicas bool) {
	for _, e := range engines {
		for _, sc := range picked {
			if sc.onTokenward && (e == enginePostgres || !sc.postgresOnly) {
				needed = append(needed, e)
				break
			}
		}
	}
	for _, sc := range picked {
		hello = hello || !sc.onTokenward
		replicas = replicas || sc.postgresOnly
	}
	return needed, hello, replicas
}

// deploy fills d's database in dir (SQLite) or on PostgreSQL, then starts
// the server over it, and a second one when replicas is set.
func (env *environment) deploy(ctx context.Context, cfg config, d *deployment, bin, dir string, replicas bool, logf func(string, ...any)) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	location, serveArgs, err := env.prepare(ctx, cfg, d, dir, logf)
	if err != nil {
		return err
	}
	logf("filling %s with %d tokens", d.where, cfg.tokens)
	start := time.Now()
	if d.seed, err = seedData(ctx, location, cfg.tokens); err != nil {
		return err
	}
	logf("filled in %s: by kind %s; by state %s; %d valid secrets kept",
		time.Since(start).Round(100*time.Millisecond), joinCounts(d.seed.byKind), joinCounts(d.seed.byState), len(d.seed.valid))
	if d.badChecksum, err = badChecksumTokens(maxValid); err != nil {
		return err
	}
	if d.unknown, err = unknownTokens(maxValid); err != nil {
		return err
	}
	names := []string{"tokenward"}
	if replicas {
		names = append(names, "tokenward-b")
	}
	// One after the other: the first migrates and records the key, the
	// second finds both done.
	for _, name := range names {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		p, err := startServer(name+" ("+d.engine+")", bin, addr, filepath.Join(dir, name+".log"),
			append([]string{"serve", "--addr", addr}, serveArgs...)...)
		if err != nil {
			return err
		}
		d.procs = append(d.procs, p)
		if err := p.waitReady(ctx, env.client, "/readyz", 60*time.Second); err != nil {
			return err
		}
	}
	d.tokenward = d.procs[0].base
	if len(d.procs) > 1 {
		d.replica = d.procs[1].base
	}
	return nil
}

// prepare makes d's database: the SQLite file's data directory, or a
// PostgreSQL database with a key file every replica is started with. It
// returns where the seed opens it and the serve flags that name it.
func (env *environment) prepare(ctx context.Context, cfg config, d *deployment, dir string, logf func(string, ...any)) (string, []string, error) {
	if d.engine == engineSQLite {
		data := filepath.Join(dir, "data")
		if err := os.MkdirAll(data, 0o700); err != nil {
			return "", nil, err
		}
		d.where = data
		return filepath.Join(data, "tokenward.db"), []string{"--data", data}, nil
	}
	url := cfg.database
	if url == "" {
		logf("starting a PostgreSQL cluster (store/pgtest)")
		var err error
		if env.postgres, err = pgtest.Start(); err != nil {
			return "", nil, err
		}
		if url, err = env.postgres.NewDatabase(ctx, ""); err != nil {
			return "", nil, err
		}
		d.where = redactURL(url) + " (the tool's own cluster, fsync off)"
	} else {
		d.where = redactURL(url)
	}
	keyFile := filepath.Join(dir, "tokenward.key")
	if err := makeKeyFile(keyFile); err != nil {
		return "", nil, err
	}
	return url, []string{"--database", url, "--key-file", keyFile}, nil
}

// targetsOf are the deployments sc runs on, in order; nil stands for the
// hello server.
func (env *environment) targetsOf(sc scenario) []*deployment {
	if !sc.onTokenward {
		return []*deployment{nil}
	}
	var out []*deployment
	for _, d := range env.deployments {
		if d.engine == enginePostgres || !sc.postgresOnly {
			out = append(out, d)
		}
	}
	return out
}

// scenarioRun is one scenario on one deployment (nil: the hello server), over the
// rounds it is driven in.
type scenarioRun struct {
	sc     scenario
	b      *bench
	procs  []*process
	engine string
	m      measurement
	failed string
	// errorLines and busy are the servers' error lines and SQLite lock
	// errors logged during the rounds (warm-ups included).
	errorLines, busy int
}

func (env *environment) newRun(sc scenario, d *deployment) *scenarioRun {
	r := &scenarioRun{sc: sc, b: &env.helloBench}
	if env.helloProc != nil {
		r.procs = []*process{env.helloProc}
	}
	if d != nil {
		r.b, r.procs, r.engine = &d.bench, d.procs, d.engine
	}
	return r
}

// round prepares and drives the scenario once, for duration after warmup,
// and adds what it saw to the run. A round whose preparation fails marks
// the run as not run.
func (r *scenarioRun) round(ctx context.Context, warmup, duration time.Duration) {
	if r.failed != "" {
		return
	}
	offsets := make([]int64, len(r.procs))
	for i, p := range r.procs {
		_, offsets[i] = p.logSince(0)
	}
	defer func() {
		for i, p := range r.procs {
			out, _ := p.logSince(offsets[i])
			errorLines, busy := logComplaints(out)
			r.errorLines += errorLines
			r.busy += busy
		}
	}()
	if r.sc.warm != nil {
		if err := r.b.warmCaches(ctx, r.sc.warm(r.b)); err != nil {
			r.failed = err.Error()
			return
		}
	}
	workers, err := r.sc.workers(r.b, ctx)
	if err != nil {
		r.failed = err.Error()
		return
	}
	r.m = mergeMeasurements(r.m, drive(ctx, warmup, duration, workers, func() (time.Duration, bool) { return serversCPU(r.procs) }))
}

// result summarizes the run's rounds, after running the scenario's after
// step, if any.
func (r *scenarioRun) result(ctx context.Context) Result {
	if r.failed == "" && r.m.statuses == nil {
		r.failed = "interrupted before it ran"
	}
	if r.failed != "" {
		return Result{Scenario: r.sc.name, Engine: r.engine, Failed: r.failed}
	}
	res := summarize(r.sc.name, r.m)
	res.Engine = r.engine
	if r.sc.after != nil && ctx.Err() == nil {
		r.sc.after(r.b, ctx, &res)
	}
	if r.errorLines > 0 {
		res.Counters[counterLogErrors] += r.errorLines
	}
	if r.busy > 0 {
		res.Counters[counterBusyLog] += r.busy
	}
	for _, c := range r.sc.always {
		res.Counters[c] += 0
	}
	return res
}

// stop closes the client's idle connections and stops the servers with
// SIGTERM, giving Tokenward time to flush what it buffers, then the
// PostgreSQL cluster the tool started.
func (env *environment) stop() error {
	env.client.CloseIdleConnections()
	var errs []error
	for _, d := range env.deployments {
		for _, p := range slices.Backward(d.procs) {
			errs = append(errs, p.stop(20*time.Second))
		}
	}
	if env.helloProc != nil {
		errs = append(errs, env.helloProc.stop(5*time.Second))
	}
	if env.postgres != nil {
		env.postgres.Stop()
	}
	return errors.Join(errs...)
}
