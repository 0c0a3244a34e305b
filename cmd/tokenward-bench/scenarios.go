package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"tokenward/auth"
)

// Counters the scenarios report besides errors.
const (
	counterBusyBody        = "sqlite-busy-in-body"
	counterBusyLog         = "sqlite-busy-in-server-log"
	counterLogErrors       = "server-log-errors"
	counterRevokedAccepted = "revoked-but-accepted"
)

// bench is what the scenarios share: the one client, the servers' base URLs
// and what the seed made.
type bench struct {
	client    *http.Client
	hello     string
	tokenward string
	// replica is a second server over the same database, started for the
	// replicas scenario; "" otherwise.
	replica     string
	revocations int
	seed        *seeded
	concurrency int
	// searchConcurrency is the concurrency of the list and search
	// scenarios: what a few people searching at once do, not a flood.
	searchConcurrency int
	// badChecksum and unknown are malformed and unknown tokens.
	badChecksum, unknown []string
}

// scenario is one row of the table.
type scenario struct {
	name string
	// onTokenward is true for scenarios that need the real server (and the
	// seed); false for the hello server.
	onTokenward bool
	// postgresOnly scenarios need a database several servers share.
	postgresOnly bool
	// workers prepares the scenario (signing in, say) and returns one
	// function per worker.
	workers func(b *bench, ctx context.Context) ([]workerFunc, error)
	// always are counters reported even when zero.
	always []string
	// after, when set, runs once the load is over and adds its figures to
	// the result.
	after func(b *bench, ctx context.Context, r *Result)
	// warm, when set, names the servers whose token-check caches are
	// filled with every valid secret before the warm-up, so the scenario
	// measures cache hits from its first second, as a long-running server
	// serves them. (A miss costs a few database reads: little in-process
	// on SQLite, a few round trips on PostgreSQL.)
	warm func(b *bench) []string
}

// warmA and warmBoth are the servers a scenario's cache warming fills.
func warmA(b *bench) []string    { return []string{b.tokenward} }
func warmBoth(b *bench) []string { return []string{b.tokenward, b.replica} }

// scenarios are every scenario, in the order they run.
var scenarios = []scenario{
	{name: "limit", workers: (*bench).limit},
	{name: "token-valid", onTokenward: true, workers: (*bench).tokenValid, warm: warmA},
	{name: "token-bad-checksum", onTokenward: true, workers: func(b *bench, _ context.Context) ([]workerFunc, error) {
		return b.refused(b.badChecksum), nil
	}},
	{name: "token-unknown", onTokenward: true, workers: func(b *bench, _ context.Context) ([]workerFunc, error) {
		return b.refused(b.unknown), nil
	}},
	{name: "introspect", onTokenward: true, workers: (*bench).introspect, warm: warmA},
	{name: "api-list", onTokenward: true, workers: (*bench).apiList},
	{name: "dashboard-search", onTokenward: true, workers: (*bench).dashboardSearch},
	{name: "mixed", onTokenward: true, workers: (*bench).mixed,
		always: []string{counterRevokedAccepted, counterBusyBody, counterBusyLog}},
	{name: "replicas", onTokenward: true, postgresOnly: true, workers: (*bench).replicas, after: (*bench).propagation, warm: warmBoth},
}

// warmCaches checks every valid secret once on each server in bases, with
// the scenario's concurrency.
func (b *bench) warmCaches(ctx context.Context, bases []string) error {
	for _, base := range bases {
		if base == "" {
			continue
		}
		next := make(chan string)
		errs := make(chan error, b.concurrency)
		for range b.concurrency {
			go func() {
				var first error
				for secret := range next {
					if status, _, err := b.call(ctx, http.MethodGet, base+"/api/v1/token", secret, ""); err != nil {
						first = cmp.Or(first, err)
					} else if status != http.StatusOK && first == nil {
						first = fmt.Errorf("warming the cache of %s: a valid token got %d", base, status)
					}
				}
				errs <- first
			}()
		}
		for _, secret := range b.seed.valid {
			next <- secret
		}
		close(next)
		var all []error
		for range b.concurrency {
			all = append(all, <-errs)
		}
		if err := errors.Join(all...); err != nil {
			return err
		}
	}
	return nil
}

// each makes one worker per unit of concurrency from make.
func (b *bench) each(newWorker func(w int) workerFunc) []workerFunc {
	return b.eachOf(b.concurrency, newWorker)
}

// eachOf makes n workers.
func (b *bench) eachOf(n int, newWorker func(w int) workerFunc) []workerFunc {
	out := make([]workerFunc, n)
	for w := range out {
		out[w] = newWorker(w)
	}
	return out
}

// cycle returns the worker's next item of list: workers start at different
// places and step by the number of workers, so together they go through the
// whole list before any item repeats.
func cycle(list []string, w, concurrency int, n *int) string {
	s := list[(w+*n*concurrency)%len(list)]
	*n++
	return s
}

func get(ctx context.Context, url, bearer string) *http.Request {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		panic(err) // the URLs are built here; a bad one is a bug
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return req
}

func (b *bench) limit(context.Context) ([]workerFunc, error) {
	return b.each(func(int) workerFunc {
		return func(ctx context.Context, t *tally) {
			status, body := t.exchange(b.client, get(ctx, b.hello+"/", ""))
			expect(t, "", status, body, http.StatusOK)
		}
	}), nil
}

func (b *bench) tokenValid(context.Context) ([]workerFunc, error) {
	return b.each(func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			secret := cycle(b.seed.valid, w, b.concurrency, &n)
			status, body := t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/token", secret))
			expect(t, "", status, body, http.StatusOK)
		}
	}), nil
}

// refused sends tokens that must be refused: 401, or 429 once the server's
// failed-authentication throttle notices that all of them come from
// 127.0.0.1. The table's notes show how many of each.
func (b *bench) refused(tokens []string) []workerFunc {
	return b.each(func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			secret := cycle(tokens, w, b.concurrency, &n)
			status, body := t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/token", secret))
			expect(t, "", status, body, http.StatusUnauthorized, http.StatusTooManyRequests)
		}
	})
}

var activeMarks = [][]byte{[]byte(`"active":true`), []byte(`"active": true`)}

func (b *bench) introspect(context.Context) ([]workerFunc, error) {
	return b.each(func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			secret := cycle(b.seed.valid, w, b.concurrency, &n)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.tokenward+"/oauth/introspect",
				strings.NewReader(url.Values{"token": {secret}}.Encode()))
			if err != nil {
				panic(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+b.seed.introspector)
			status, body := t.exchange(b.client, req)
			if expect(t, "", status, body, http.StatusOK) &&
				!bytes.Contains(body, activeMarks[0]) && !bytes.Contains(body, activeMarks[1]) {
				t.fail(`200 without "active":true`)
			}
		}
	}), nil
}

func (b *bench) apiList(context.Context) ([]workerFunc, error) {
	return b.eachOf(b.searchConcurrency, func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			frag := cycle(b.seed.fragments, w, b.searchConcurrency, &n)
			secret := b.seed.valid[w%len(b.seed.valid)]
			status, body := t.exchange(b.client, get(ctx, b.tokenward+"/api/v1/tokens?q="+url.QueryEscape(frag), secret))
			expect(t, "", status, body, http.StatusOK)
		}
	}), nil
}

// dashboardSearch signs in as the org admin through the real form, then
// searches the API tab filtered to tokens made by admins.
func (b *bench) dashboardSearch(ctx context.Context) ([]workerFunc, error) {
	cookie, err := signIn(ctx, b.client, b.tokenward, adminUser, adminPassword)
	if err != nil {
		return nil, err
	}
	tab := b.tokenward + "/orgs/" + orgSlug + "/settings/tokens/api"
	return b.eachOf(b.searchConcurrency, func(w int) workerFunc {
		n := 0
		return func(ctx context.Context, t *tally) {
			frag := cycle(b.seed.fragments, w, b.searchConcurrency, &n)
			req := get(ctx, tab+"?q="+url.QueryEscape(frag)+"&role=admin", "")
			req.Header.Set("Cookie", cookie)
			status, body := t.exchange(b.client, req)
			expect(t, "", status, body, http.StatusOK)
		}
	}), nil
}

// badChecksumTokens makes n tokens whose last character is changed, so
// their checksum no longer matches.
func badChecksumTokens(n int) ([]string, error) {
	out := make([]string, 0, n)
	for range n {
		s, err := auth.NewToken(auth.KindAPI)
		if err != nil {
			return nil, err
		}
		last := s[len(s)-1]
		swap := byte('A')
		if last == 'A' {
			swap = 'B'
		}
		out = append(out, s[:len(s)-1]+string(swap))
	}
	return out, nil
}

// unknownTokens makes n well-formed tokens that no database holds.
func unknownTokens(n int) ([]string, error) {
	out := make([]string, 0, n)
	for range n {
		s, err := auth.NewToken(auth.KindAPI)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// scenarioNames lists every scenario's name, for flag help and errors.
func scenarioNames() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return strings.Join(names, ",")
}

// pickScenarios returns the scenarios named in list (comma-separated), in
// run order; "" or "all" is every scenario the engines can run. A
// scenario named that none of them can run is an error.
func pickScenarios(list string, engines []string) ([]scenario, error) {
	postgres := slices.Contains(engines, enginePostgres)
	if strings.TrimSpace(list) == "" || list == "all" {
		var out []scenario
		for _, s := range scenarios {
			if postgres || !s.postgresOnly {
				out = append(out, s)
			}
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			want[name] = true
		}
	}
	var out []scenario
	for _, s := range scenarios {
		if want[s.name] {
			if s.postgresOnly && !postgres {
				return nil, fmt.Errorf("the %s scenario needs PostgreSQL: add -database postgres://… or -compare-postgres", s.name)
			}
			out = append(out, s)
			delete(want, s.name)
		}
	}
	for name := range want {
		return nil, fmt.Errorf("unknown scenario %q; the scenarios are %s", name, scenarioNames())
	}
	return out, nil
}
