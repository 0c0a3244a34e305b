package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// environment is the running servers and what the scenarios share.
type environment struct {
	bench
	tokenwardProc, helloProc *process
}

// setUp builds the servers the picked scenarios need, fills Tokenward's data
// directory, starts the servers and waits until they answer. It returns the
// environment even on error, so whatever started can be stopped.
func setUp(ctx context.Context, cfg config, picked []scenario, tmp string, logf func(string, ...any)) (*environment, error) {
	env := &environment{bench: bench{client: newClient(cfg.concurrency), concurrency: cfg.concurrency, searchConcurrency: cfg.searchConcurrency}}
	var needTokenward, needHello bool
	for _, sc := range picked {
		needTokenward = needTokenward || sc.onTokenward
		needHello = needHello || !sc.onTokenward
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return env, err
	}
	var pkgs []string
	if needTokenward {
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
	if needTokenward {
		if err := env.startTokenward(ctx, cfg, bins[0], tmp, logf); err != nil {
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
		env.hello = env.helloProc.base
		if err := env.helloProc.waitReady(ctx, env.client, "/", 30*time.Second); err != nil {
			return env, err
		}
	}
	return env, nil
}

func (env *environment) startTokenward(ctx context.Context, cfg config, bin, tmp string, logf func(string, ...any)) error {
	data := filepath.Join(tmp, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	logf("filling %s with %d tokens", data, cfg.tokens)
	start := time.Now()
	seed, err := seedData(ctx, data, cfg.tokens)
	if err != nil {
		return err
	}
	logf("filled in %s: by kind %s; by state %s; %d valid secrets kept",
		time.Since(start).Round(100*time.Millisecond), joinCounts(seed.byKind), joinCounts(seed.byState), len(seed.valid))
	env.seed = seed
	if env.badChecksum, err = badChecksumTokens(maxValid); err != nil {
		return err
	}
	if env.unknown, err = unknownTokens(maxValid); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env.tokenwardProc, err = startServer("tokenward", bin, addr, filepath.Join(tmp, "tokenward.log"),
		"serve", "--addr", addr, "--data", data)
	if err != nil {
		return err
	}
	env.tokenward = env.tokenwardProc.base
	return env.tokenwardProc.waitReady(ctx, env.client, "/readyz", 60*time.Second)
}

// runScenario prepares and drives one scenario and summarizes it, with the
// server's error lines and SQLite lock errors logged meanwhile (warm-up
// included). A scenario whose preparation fails is reported as not run.
func (env *environment) runScenario(ctx context.Context, sc scenario, cfg config) Result {
	var offset int64
	if sc.onTokenward {
		_, offset = env.tokenwardProc.logSince(0)
	}
	workers, err := sc.workers(&env.bench, ctx)
	if err != nil {
		return Result{Scenario: sc.name, Failed: err.Error()}
	}
	r := summarize(sc.name, drive(ctx, cfg.warmup, cfg.duration, workers))
	if sc.onTokenward {
		out, _ := env.tokenwardProc.logSince(offset)
		errorLines, busy := logComplaints(out)
		if errorLines > 0 {
			r.Counters[counterLogErrors] += errorLines
		}
		if busy > 0 {
			r.Counters[counterBusyLog] += busy
		}
	}
	for _, c := range sc.always {
		r.Counters[c] += 0
	}
	return r
}

// stop closes the client's idle connections and stops the servers with
// SIGTERM, giving Tokenward time to flush what it buffers.
func (env *environment) stop() error {
	env.client.CloseIdleConnections()
	var errs []error
	if env.tokenwardProc != nil {
		errs = append(errs, env.tokenwardProc.stop(20*time.Second))
	}
	if env.helloProc != nil {
		errs = append(errs, env.helloProc.stop(5*time.Second))
	}
	return errors.Join(errs...)
}
