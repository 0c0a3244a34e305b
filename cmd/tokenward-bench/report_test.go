package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of odd count", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p1 of 1..100", hundred, 1, time.Millisecond},
		{"tiny p is the min", ms(5, 6), 0.0001, 5 * time.Millisecond},
		{"p99 of 10 values is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tc.sorted, tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	lat := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 40 * time.Millisecond}
	r := summarize("token-valid", measurement{window: 2 * time.Second, latencies: lat,
		statuses: map[int]int{200: 3, 404: 1}, errors: map[string]int{"status 404": 1, "transport: timeout": 2}})
	if got, want := r.Requests, 4; got != want {
		t.Errorf("requests = %d, want %d", got, want)
	}
	if got, want := r.RPS, 2.0; got != want {
		t.Errorf("req/s = %v, want %v", got, want)
	}
	if r.P50ms != 2 || r.P99ms != 40 || r.Maxms != 40 {
		t.Errorf("p50, p99, max = %v, %v, %v; want 2, 40, 40", r.P50ms, r.P99ms, r.Maxms)
	}
	if got, want := r.Errors, 3; got != want {
		t.Errorf("errors = %d, want %d", got, want)
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		r         Result
		limit     float64
		wantMet   string
		wantMiss  string
		wantRatio float64
	}{
		{"valid met", Result{Scenario: "token-valid", Requests: 100, RPS: 800, P99ms: 3}, 1000, "yes", "", 0.8},
		{"valid too slow", Result{Scenario: "token-valid", Requests: 100, RPS: 350, P99ms: 3}, 1000, "no", "ratio 0.35 < 0.70 (50% short)", 0.35},
		{"valid p99 too high", Result{Scenario: "token-valid", Requests: 100, RPS: 900, P99ms: 7.5}, 1000, "no", "p99 7.5ms ≥ 5ms (1.5×)", 0.9},
		{"errors miss a fast run", Result{Scenario: "token-unknown", Requests: 100, RPS: 900, Errors: 100}, 1000, "no", "100 unexpected answers", 0.9},
		{"no limit run", Result{Scenario: "introspect", Requests: 100, RPS: 900}, 0, "unknown", "", 0},
		{"p99-only target needs no limit", Result{Scenario: "api-list", Requests: 100, RPS: 900, P99ms: 12}, 0, "yes", "", 0},
		{"list too slow", Result{Scenario: "dashboard-search", Requests: 100, P99ms: 80}, 0, "no", "p99 80.0ms ≥ 50ms (1.6×)", 0},
		{"revoked accepted", Result{Scenario: "mixed", Requests: 100, Errors: 1, Counters: map[string]int{counterRevokedAccepted: 1}}, 0, "no", "1 revoked tokens accepted", 0},
		{"did not run", Result{Scenario: "dashboard-search", Failed: "sign-in failed"}, 0, "no", "did not run", 0},
		{"limit has no target", Result{Scenario: "limit", Requests: 100, RPS: 1000}, 1000, "", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			judge(&r, tc.limit)
			if r.Met != tc.wantMet {
				t.Errorf("met = %q, want %q (misses %q)", r.Met, tc.wantMet, r.Misses)
			}
			if tc.wantMiss != "" && !strings.Contains(strings.Join(r.Misses, "; "), tc.wantMiss) {
				t.Errorf("misses = %q, want one containing %q", r.Misses, tc.wantMiss)
			}
			if r.Ratio != tc.wantRatio {
				t.Errorf("ratio = %v, want %v", r.Ratio, tc.wantRatio)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	results := []Result{
		{Scenario: "limit", Requests: 500000, RPS: 50000, P50ms: 0.5, P99ms: 2.25, Maxms: 31, Statuses: map[int]int{200: 500000}},
		{Scenario: "token-unknown", Requests: 400000, RPS: 40000, P50ms: 0.6, P99ms: 3, Maxms: 120,
			Statuses: map[int]int{401: 10, 429: 399990}},
		{Scenario: "dashboard-search", Failed: "POST /login answered 401"},
	}
	for i := range results {
		judge(&results[i], 50000)
	}
	var buf bytes.Buffer
	if err := writeTable(&buf, results); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"scenario", "req/s", "p99", "ratio",
		"50000", "2.25ms", "31.0ms", "120ms", "0.80",
		"\n  token-unknown     ≥0.80×limit  ✓\n",
		"\n  dashboard-search  p99<50ms     ✗  did not run\n",
		"token-unknown: statuses 401×10, 429×399990",
		"dashboard-search: did not run: POST /login answered 401",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "  scenario ") || !strings.HasPrefix(lines[1], "  limit ") {
		t.Errorf("scenario names not left-aligned:\n%s", out)
	}
	if got, want := strings.Index(lines[0], "req/s")+len("req/s"), strings.Index(lines[1], " 50000 ")+len(" 50000"); got != want {
		t.Errorf("req/s column not right-aligned (header ends at %d, figure at %d):\n%s", got, want, out)
	}
	if strings.Contains(out, "limit: statuses") {
		t.Errorf("a single status should not be noted:\n%s", out)
	}
}
