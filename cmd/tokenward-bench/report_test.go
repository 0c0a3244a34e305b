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

func TestJudgeReplicas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		p        *Propagation
		wantMet  string
		wantMiss string
	}{
		{"met", &Propagation{Revocations: 200, P50ms: 2, P99ms: 9, Maxms: 12}, "yes", ""},
		{"p99 too high", &Propagation{Revocations: 200, P50ms: 2, P99ms: 140, Maxms: 300}, "no", "propagation p99 140ms > 100ms"},
		{"a revoke never reached B", &Propagation{Revocations: 200, P99ms: 9, Missed: 1}, "no", "1 of 200 revoked tokens still accepted by B"},
		{"nothing timed", &Propagation{Failures: 200, FirstFailure: "create on A: status 403"}, "no", "no revocation timed"},
		{"not measured", nil, "no", "no propagation measured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Result{Scenario: "replicas", Engine: enginePostgres, Requests: 100, RPS: 900, Propagation: tc.p}
			judge(&r, 1000)
			if r.Met != tc.wantMet {
				t.Errorf("met = %q, want %q (misses %q)", r.Met, tc.wantMet, r.Misses)
			}
			if tc.wantMiss != "" && !strings.Contains(strings.Join(r.Misses, "; "), tc.wantMiss) {
				t.Errorf("misses = %q, want one containing %q", r.Misses, tc.wantMiss)
			}
		})
	}
}

func TestCompareEngines(t *testing.T) {
	t.Parallel()
	results := []Result{
		{Scenario: "limit", RPS: 50000},
		{Scenario: "token-valid", Engine: engineSQLite, RPS: 30000},
		{Scenario: "token-valid", Engine: enginePostgres, RPS: 28500},
		{Scenario: "introspect", Engine: engineSQLite, RPS: 20000},
		{Scenario: "introspect", Engine: enginePostgres, RPS: 10000},
		{Scenario: "mixed", Engine: engineSQLite, RPS: 9000},
		{Scenario: "mixed", Engine: enginePostgres, Failed: "sign-in failed"},
		{Scenario: "replicas", Engine: enginePostgres, RPS: 25000},
	}
	got := compareEngines(results)
	if len(got) != 2 || got[0].Scenario != "token-valid" || got[1].Scenario != "introspect" {
		t.Fatalf("compared %+v, want token-valid and introspect (the scenarios run on both)", got)
	}
	if got[0].Ratio != 0.95 || got[0].Met != "yes" || got[0].Target == "" {
		t.Errorf("token-valid: %+v, want ratio 0.95 meeting the target", got[0])
	}
	if got[1].Ratio != 0.5 || got[1].Target != "" {
		t.Errorf("introspect: %+v, want ratio 0.5 and no target", got[1])
	}
	slow := compareEngines([]Result{{Scenario: "token-valid", Engine: engineSQLite, RPS: 30000},
		{Scenario: "token-valid", Engine: enginePostgres, RPS: 26000}})
	if len(slow) != 1 || slow[0].Met != "no" {
		t.Errorf("postgres at 0.87×sqlite: %+v, want the target missed", slow)
	}
	errs := compareEngines([]Result{{Scenario: "token-valid", Engine: engineSQLite, RPS: 30000},
		{Scenario: "token-valid", Engine: enginePostgres, RPS: 30000, Errors: 5}})
	if len(errs) != 1 || errs[0].Met != "no" {
		t.Errorf("postgres fast but with errors: %+v, want the target missed", errs)
	}
}

func TestWriteReportBothEngines(t *testing.T) {
	t.Parallel()
	rep := Report{Results: []Result{
		{Scenario: "limit", Requests: 500000, RPS: 50000, P50ms: 0.5, P99ms: 2, Maxms: 9},
		{Scenario: "token-valid", Engine: engineSQLite, Requests: 300000, RPS: 30000, P50ms: 0.8, P99ms: 3, Maxms: 20},
		{Scenario: "token-valid", Engine: enginePostgres, Requests: 285000, RPS: 28500, P50ms: 0.9, P99ms: 3.5, Maxms: 25},
		{Scenario: "replicas", Engine: enginePostgres, Requests: 270000, RPS: 27000, P50ms: 0.9, P99ms: 4, Maxms: 30,
			Propagation: &Propagation{Revocations: 200, P50ms: 1.25, P99ms: 7.5, Maxms: 11}},
	}}
	for i := range rep.Results {
		judge(&rep.Results[i], 50000)
	}
	rep.Comparison = compareEngines(rep.Results)
	var buf bytes.Buffer
	if err := writeReport(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"  token-valid (sqlite)  ", "  token-valid (postgres)  ", "  replicas (postgres)  ",
		"\n  replicas (postgres)     propagation p99≤100ms, 0 missed  ✓\n",
		"revocation propagation (replicas): from replica A's acknowledgement to replica B's first refusal\n" +
			"  200 revocations  p50 1.25ms  p99 7.50ms  max 11.0ms  0 missed\n",
		"sqlite and postgres (same run):", "postgres/sqlite", "0.95",
		"  token-valid: postgres ≥0.90×sqlite  ✓\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "limit (") {
		t.Errorf("the hello server's row names an engine:\n%s", out)
	}
}

func TestWriteReportOneEngineNamesNone(t *testing.T) {
	t.Parallel()
	rep := Report{Results: []Result{{Scenario: "token-valid", Engine: enginePostgres, Requests: 10, RPS: 10}}}
	var buf bytes.Buffer
	if err := writeReport(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, "(postgres)") || strings.Contains(out, "same run") {
		t.Errorf("a one-engine report labels rows or compares:\n%s", out)
	}
}

func TestMergeMeasurementsOfRounds(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	first := measurement{window: time.Second, latencies: ms(1, 5), statuses: map[int]int{200: 2},
		errors: map[string]int{}, counters: map[string]int{"created": 1}}
	second := measurement{window: 3 * time.Second, latencies: ms(2, 9), statuses: map[int]int{200: 1, 500: 1},
		errors: map[string]int{"status 500": 1}, counters: map[string]int{"created": 2}}
	r := summarize("mixed", mergeMeasurements(mergeMeasurements(measurement{}, first), second))
	if r.Requests != 4 || r.RPS != 1 || r.Seconds != 4 {
		t.Errorf("requests %d, req/s %v over %vs; want 4, 1 over 4s", r.Requests, r.RPS, r.Seconds)
	}
	if r.P50ms != 2 || r.Maxms != 9 {
		t.Errorf("p50 %v, max %v; want 2 and 9 (the rounds' latencies sorted together)", r.P50ms, r.Maxms)
	}
	if r.Statuses[200] != 3 || r.Statuses[500] != 1 || r.Errors != 1 || r.Counters["created"] != 3 {
		t.Errorf("statuses %v, errors %d, counters %v", r.Statuses, r.Errors, r.Counters)
	}
}
