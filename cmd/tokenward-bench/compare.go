package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Comparison is one scenario's figures on both engines in the same run.
type Comparison struct {
	Scenario    string  `json:"scenario"`
	SQLiteRPS   float64 `json:"sqlite_req_per_s"`
	PostgresRPS float64 `json:"postgres_req_per_s"`
	// Ratio is PostgresRPS over SQLiteRPS.
	Ratio  float64 `json:"ratio"`
	Target string  `json:"target,omitempty"`
	Met    string  `json:"target_met,omitempty"`
}

// compareEngines pairs each scenario that ran on both engines. The
// valid-token check carries issue 11's target: cache hits dominate it, so
// PostgreSQL should come within a tenth of SQLite.
func compareEngines(results []Result) []Comparison {
	byEngine := map[string]map[string]Result{}
	var order []string
	for _, r := range results {
		if r.Engine == "" || r.Failed != "" {
			continue
		}
		if byEngine[r.Scenario] == nil {
			byEngine[r.Scenario] = map[string]Result{}
			order = append(order, r.Scenario)
		}
		byEngine[r.Scenario][r.Engine] = r
	}
	var out []Comparison
	for _, name := range order {
		lite, ok1 := byEngine[name][engineSQLite]
		pg, ok2 := byEngine[name][enginePostgres]
		if !ok1 || !ok2 || lite.RPS == 0 {
			continue
		}
		c := Comparison{Scenario: name, SQLiteRPS: lite.RPS, PostgresRPS: pg.RPS, Ratio: pg.RPS / lite.RPS}
		if name == "token-valid" {
			c.Target = fmt.Sprintf("≥%.2f×sqlite", minEngineRatio)
			c.Met = "yes"
			if c.Ratio < minEngineRatio || lite.Errors > 0 || pg.Errors > 0 {
				c.Met = "no"
			}
		}
		out = append(out, c)
	}
	return out
}

// propagationMisses are the replicas scenario's missed targets.
func propagationMisses(p *Propagation) []string {
	switch {
	case p == nil:
		return []string{"no propagation measured"}
	case p.Revocations == 0:
		return []string{"no revocation timed"}
	}
	var out []string
	if p.Missed > 0 {
		out = append(out, fmt.Sprintf("%d of %d revoked tokens still accepted by B after %s", p.Missed, p.Revocations, propagationGiveUp))
	}
	if p.P99ms > ms(maxPropagationP99) {
		out = append(out, fmt.Sprintf("propagation p99 %s > %s", fmtMS(p.P99ms), fmtMS(ms(maxPropagationP99))))
	}
	return out
}

// writeReport prints the results table, then the revocation propagation and
// the engines side by side when the run measured them.
func writeReport(w io.Writer, rep Report) error {
	if err := writeTable(w, rep.Results); err != nil {
		return err
	}
	for _, r := range rep.Results {
		if p := r.Propagation; p != nil {
			fmt.Fprintf(w, "\nrevocation propagation (%s): from replica A's acknowledgement to replica B's first refusal\n", r.Scenario)
			fmt.Fprintf(w, "  %d revocations  p50 %s  p99 %s  max %s  %d missed\n", p.Revocations,
				fmtMS(p.P50ms), fmtMS(p.P99ms), fmtMS(p.Maxms), p.Missed)
		}
	}
	if len(rep.Comparison) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nsqlite and postgres (same run):")
	width := len("scenario")
	for _, c := range rep.Comparison {
		width = max(width, len(c.Scenario))
	}
	// Names padded on the left as in the main table; numbers align right.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tsqlite req/s\tpostgres req/s\tpostgres/sqlite\t\n", width, "scenario")
	for _, c := range rep.Comparison {
		fmt.Fprintf(tw, "%-*s\t%.0f\t%.0f\t%.2f\t\n", width, c.Scenario, c.SQLiteRPS, c.PostgresRPS, c.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range rep.Comparison {
		if c.Target != "" {
			fmt.Fprintf(w, "  %s: postgres %s  %s\n", c.Scenario, c.Target, mark(c.Met))
		}
	}
	return nil
}

// labeller names results in the table: by scenario, with the engine added
// when the run has more than one.
func labeller(results []Result) func(Result) string {
	engines := map[string]bool{}
	for _, r := range results {
		if r.Engine != "" {
			engines[r.Engine] = true
		}
	}
	return func(r Result) string {
		if len(engines) > 1 && r.Engine != "" {
			return r.Scenario + " (" + r.Engine + ")"
		}
		return r.Scenario
	}
}
