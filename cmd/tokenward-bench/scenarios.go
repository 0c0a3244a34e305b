package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
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
	client      *http.Client
	hello       string
	tokenward   string
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
	// workers prepares the scenario (signing in, say) and returns one
	// function per worker.
	workers func(b *bench, ctx context.Context) ([]workerFunc, error)
	// always are counters reported even when zero.
	always []string
}

// scenarios are every scenario, in the order they run.
var scenarios = []scenario{
	{name: "limit", workers: (*bench).limit},
	{name: "token-valid", onTokenward: true, workers: (*bench).tokenValid},
	{name: "token-bad-checksum", onTokenward: true, workers: func(b *bench, _ context.Context) ([]workerFunc, error) {
		return b.refused(b.badChecksum), nil
	}},
	{name: "token-unknown", onTokenward: true, workers: func(b *bench, _ context.Context) ([]workerFunc, error) {
		return b.refused(b.unknown), nil
	}},
	{name: "introspect", onTokenward: true, workers: (*bench).introspect},
	{name: "api-list", onTokenward: true, workers: (*bench).apiList},
	{name: "dashboard-search", onTokenward: true, workers: (*bench).dashboardSearch},
	{name: "mixed", onTokenward: true, workers: (*bench).mixed,
		always: []string{counterRevokedAccepted, counterBusyBody, counterBusyLog}},
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
// run order; "" or "all" is every scenario.
func pickScenarios(list string) ([]scenario, error) {
	if strings.TrimSpace(list) == "" || list == "all" {
		return scenarios, nil
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
			out = append(out, s)
			delete(want, s.name)
		}
	}
	for name := range want {
		return nil, fmt.Errorf("unknown scenario %q; the scenarios are %s", name, scenarioNames())
	}
	return out, nil
}
