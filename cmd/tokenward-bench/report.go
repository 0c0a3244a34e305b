package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// Result is one scenario's figures, as printed and as written to -json.
type Result struct {
	Scenario string `json:"scenario"`
	// Engine is the database the server ran on: sqlite or postgres ("" for
	// the hello server).
	Engine   string  `json:"engine,omitempty"`
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"req_per_s"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`
	Errors   int     `json:"errors"`
	// ServerCPUus is the CPU the server processes used per request, in
	// microseconds (0 when /proc cannot tell): steadier than req/s on a
	// busy machine.
	ServerCPUus float64        `json:"server_cpu_us_per_req,omitempty"`
	Kinds       map[string]int `json:"error_kinds,omitempty"`
	Statuses    map[int]int    `json:"statuses,omitempty"`
	Counters    map[string]int `json:"counters,omitempty"`
	// Ratio is RPS over the limit scenario's RPS in the same run; 0 when the
	// limit was not run.
	Ratio  float64  `json:"ratio,omitempty"`
	Target string   `json:"target,omitempty"`
	Met    string   `json:"target_met,omitempty"` // yes, no, or unknown (no limit to compare with)
	Misses []string `json:"misses,omitempty"`
	// Failed says why the scenario could not run at all (its setup failed).
	Failed string `json:"failed,omitempty"`
	// Propagation is the replicas scenario's revocation timing.
	Propagation *Propagation `json:"propagation,omitempty"`
}

// Propagation is how long after replica A acknowledged a revoke replica B
// refused the token, over Revocations revocations made one at a time.
type Propagation struct {
	Revocations int     `json:"revocations"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	// Missed are revocations B still accepted after propagationGiveUp.
	Missed int `json:"missed"`
	// Failures are rounds that failed before the timing (a create or
	// revoke refused, a transport error), with the first one's reason.
	Failures     int    `json:"failures,omitempty"`
	FirstFailure string `json:"first_failure,omitempty"`
}

// EngineInfo names an engine of the run and where its database was.
type EngineInfo struct {
	Name  string `json:"name"`
	Where string `json:"where"`
}

// Report is the whole run, as written to -json.
type Report struct {
	Started     time.Time    `json:"started"`
	Tokens      int          `json:"tokens"`
	Duration    string       `json:"duration"`
	Warmup      string       `json:"warmup"`
	Concurrency int          `json:"concurrency"`
	Rounds      int          `json:"rounds,omitempty"`
	CPUs        int          `json:"cpus"`
	GoVersion   string       `json:"go_version"`
	LimitRPS    float64      `json:"limit_req_per_s,omitempty"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Engines     []EngineInfo `json:"engines,omitempty"`
	Results     []Result     `json:"scenarios"`
	// Comparison is each scenario run on both engines, PostgreSQL's req/s
	// over SQLite's.
	Comparison []Comparison `json:"comparison,omitempty"`
}

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted latencies by
// the nearest-rank method: the smallest value with at least p % of the
// values at or below it. It returns 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = max(1, min(n, rank))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// summarize turns a scenario's measurement into its Result (without the
// ratio and target, which need the whole run).
func summarize(name string, m measurement) Result {
	r := Result{Scenario: name, Requests: len(m.latencies), Seconds: m.window.Seconds(),
		Statuses: m.statuses, Kinds: m.errors, Counters: m.counters}
	if m.window > 0 {
		r.RPS = float64(r.Requests) / m.window.Seconds()
	}
	if m.serverCPU > 0 && r.Requests > 0 {
		r.ServerCPUus = float64(m.serverCPU.Microseconds()) / float64(r.Requests)
	}
	if n := len(m.latencies); n > 0 {
		r.P50ms, r.P99ms, r.Maxms = ms(percentile(m.latencies, 50)), ms(percentile(m.latencies, 99)), ms(m.latencies[n-1])
	}
	for _, v := range m.errors {
		r.Errors += v
	}
	return r
}

// target is one of the targets for a scenario.
type target struct {
	text     string
	minRatio float64
	maxP99   time.Duration
}

// targets are issue 4's (and the replicas scenario's, issue 11's), measured
// on a 2-core machine that also runs the client.
var targets = map[string]target{
	"token-valid":        {"≥0.70×limit, p99<5ms", 0.70, 5 * time.Millisecond},
	"token-bad-checksum": {"≥0.80×limit", 0.80, 0},
	"token-unknown":      {"≥0.80×limit", 0.80, 0},
	"introspect":         {"≥0.60×limit", 0.60, 0},
	"api-list":           {"p99<50ms", 0, 50 * time.Millisecond},
	"dashboard-search":   {"p99<50ms", 0, 50 * time.Millisecond},
	"mixed":              {"0 unexpected, 0 revoked-but-accepted", 0, 0},
	"replicas":           {"propagation p99≤100ms, 0 missed", 0, 0},
}

// Issue 11's targets: the revocation propagation's p99 across replicas,
// and PostgreSQL's valid-token check against SQLite's in the same run.
const (
	maxPropagationP99 = 100 * time.Millisecond
	minEngineRatio    = 0.90
)

// judge sets r's ratio against limitRPS (0: not measured) and checks its
// target. Errors miss every target: a fast run of refusals proves nothing.
func judge(r *Result, limitRPS float64) {
	if limitRPS > 0 {
		r.Ratio = r.RPS / limitRPS
	}
	tg, ok := targets[r.Scenario]
	if !ok {
		return
	}
	r.Target, r.Misses = tg.text, nil
	unknown := false
	switch {
	case r.Failed != "":
		r.Misses = append(r.Misses, "did not run")
	case r.Requests == 0:
		r.Misses = append(r.Misses, "no requests")
	}
	if r.Errors > 0 {
		r.Misses = append(r.Misses, fmt.Sprintf("%d unexpected answers", r.Errors))
	}
	if n := r.Counters[counterRevokedAccepted]; n > 0 {
		r.Misses = append(r.Misses, fmt.Sprintf("%d revoked tokens accepted", n))
	}
	if r.Scenario == "replicas" && r.Failed == "" {
		r.Misses = append(r.Misses, propagationMisses(r.Propagation)...)
	}
	if tg.minRatio > 0 {
		switch {
		case limitRPS == 0:
			unknown = true
		case r.Ratio < tg.minRatio:
			r.Misses = append(r.Misses, fmt.Sprintf("ratio %.2f < %.2f (%.0f%% short)", r.Ratio, tg.minRatio, 100*(1-r.Ratio/tg.minRatio)))
		}
	}
	if tg.maxP99 > 0 && r.Requests > 0 && r.P99ms >= ms(tg.maxP99) {
		r.Misses = append(r.Misses, fmt.Sprintf("p99 %.1fms ≥ %.0fms (%.1f×)", r.P99ms, ms(tg.maxP99), r.P99ms/ms(tg.maxP99)))
	}
	switch {
	case len(r.Misses) > 0:
		r.Met = "no"
	case unknown:
		r.Met = "unknown"
	default:
		r.Met = "yes"
	}
}

func mark(met string) string {
	switch met {
	case "yes":
		return "✓"
	case "no":
		return "✗"
	case "unknown":
		return "? (no limit run)"
	}
	return ""
}

// writeTable prints the results as an aligned table, then notes on what the
// table cannot show: answers by status where they vary, errors by kind,
// counters and missed targets.
func writeTable(w io.Writer, results []Result) error {
	label := labeller(results)
	// Numbers align right; names are padded here so they stay on the left.
	width := len("scenario")
	for _, r := range results {
		width = max(width, utf8.RuneCountInString(label(r)))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\trequests\treq/s\tp50\tp99\tmax\terrors\tratio\tcpu/req\t\n", width, "scenario")
	for _, r := range results {
		name := fmt.Sprintf("%-*s", width, label(r))
		if r.Failed != "" {
			fmt.Fprintf(tw, "%s\t–\t–\t–\t–\t–\t–\t–\t–\t\n", name)
			continue
		}
		cpu := "–"
		if r.ServerCPUus > 0 {
			cpu = fmt.Sprintf("%.0fµs", r.ServerCPUus)
		}
		ratio := "–"
		switch {
		case r.Ratio >= 0.1:
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		case r.Ratio > 0:
			ratio = fmt.Sprintf("%.3f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t\n", name, r.Requests, r.RPS,
			fmtMS(r.P50ms), fmtMS(r.P99ms), fmtMS(r.Maxms), r.Errors, ratio, cpu)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ntargets (issues 4 and 11):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range results {
		if r.Target != "" {
			line := fmt.Sprintf("  %s\t%s\t%s", label(r), r.Target, mark(r.Met))
			if len(r.Misses) > 0 {
				line += "  " + strings.Join(r.Misses, "; ")
			}
			fmt.Fprintln(tw, line)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var notes []string
	for _, r := range results {
		notes = append(notes, resultNotes(r, label(r))...)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
	return nil
}

// fmtMS prints a latency in milliseconds with precision that suits its size.
func fmtMS(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

func resultNotes(r Result, name string) []string {
	var out []string
	if r.Failed != "" {
		out = append(out, fmt.Sprintf("%s: did not run: %s", name, r.Failed))
	}
	if len(r.Statuses) > 1 {
		out = append(out, fmt.Sprintf("%s: statuses %s", name, joinCounts(r.Statuses)))
	}
	if len(r.Kinds) > 0 {
		out = append(out, fmt.Sprintf("%s: errors %s", name, joinCounts(r.Kinds)))
	}
	if len(r.Counters) > 0 {
		out = append(out, fmt.Sprintf("%s: %s", name, joinCounts(r.Counters)))
	}
	if p := r.Propagation; p != nil && p.Failures > 0 {
		out = append(out, fmt.Sprintf("%s: %d propagation rounds failed, the first: %s", name, p.Failures, p.FirstFailure))
	}
	return out
}

// joinCounts prints a count map in key order as "k×n, k×n".
func joinCounts[K int | string](m map[K]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%v×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// writeJSON writes the report to path, indented.
func writeJSON(path string, rep Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
