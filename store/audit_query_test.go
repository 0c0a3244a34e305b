package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tokenward/store"
)

// auditWrites matches SQL that changes or removes audit events: UPDATE,
// DELETE, REPLACE (which deletes the row it replaces) and an upsert's
// DO UPDATE on the table.
var auditWrites = []*regexp.Regexp{
	regexp.MustCompile("(?is)\\bUPDATE\\s+(OR\\s+\\w+\\s+)?[\"`\\[]?audit_events\\b"),
	regexp.MustCompile("(?is)\\bDELETE\\s+FROM\\s+[\"`\\[]?audit_events\\b"),
	regexp.MustCompile("(?is)\\bREPLACE\\s+INTO\\s+[\"`\\[]?audit_events\\b"),
	regexp.MustCompile("(?is)\\bINSERT\\s+OR\\s+REPLACE\\s+INTO\\s+[\"`\\[]?audit_events\\b"),
	regexp.MustCompile("(?is)\\bINTO\\s+[\"`\\[]?audit_events\\b[^;]*\\bON\\s+CONFLICT\\b[^;]*\\bDO\\s+UPDATE\\b"),
	regexp.MustCompile("(?is)\\b(DROP|ALTER)\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?[\"`\\[]?audit_events\\b"),
	regexp.MustCompile("(?is)\\bDROP\\s+TRIGGER\\s+(IF\\s+EXISTS\\s+)?[\"`\\[]?audit_events_no_"),
}

// TestAuditAppendOnlyInCode proves the audit trail is append-only in the
// code, not only in the schema: no non-test Go file of the store and no
// migration holds a statement that updates, deletes or replaces an audit
// event (or drops the table or its guarding triggers).
func TestAuditAppendOnlyInCode(t *testing.T) {
	t.Parallel()
	t.Run("the patterns catch what they must", func(t *testing.T) {
		for _, bad := range []string{"UPDATE audit_events SET action = 'x'", "update\n\taudit_events set ip = ''",
			"DELETE FROM audit_events WHERE id = 1", "delete from `audit_events`", "REPLACE INTO audit_events (id) VALUES (1)",
			"INSERT OR REPLACE INTO audit_events (id) VALUES (1)", "UPDATE OR IGNORE audit_events SET at = ''",
			"INSERT INTO audit_events (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET action = 'x'",
			"DROP TABLE audit_events", "DROP TRIGGER audit_events_no_update", "ALTER TABLE audit_events RENAME TO old"} {
			if !matchesAny(bad) {
				t.Errorf("no pattern matches %q", bad)
			}
		}
		for _, fine := range []string{"INSERT INTO audit_events (at) VALUES (?)", "BEFORE UPDATE ON audit_events",
			"BEFORE DELETE ON audit_events", "SELECT id FROM audit_events", "CREATE INDEX audit_events_org ON audit_events (org_id, id)"} {
			if matchesAny(fine) {
				t.Errorf("a pattern matches %q, which changes nothing", fine)
			}
		}
	})

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	migrations, err := filepath.Glob("migrations/*/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(migrations) == 0 {
		t.Fatal("no migrations found: run the test from the store folder")
	}
	checked := 0
	for _, f := range append(files, migrations...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Go source splits SQL over string concatenations and lines: read
		// it with the quotes and pluses taken out, so a split statement
		// still reads as one.
		text := string(b)
		if strings.HasSuffix(f, ".go") {
			text = strings.NewReplacer("`", " ", `"`, " ", "+", " ").Replace(text)
		}
		for _, re := range auditWrites {
			for _, loc := range re.FindAllStringIndex(text, -1) {
				line := strings.Count(text[:loc[0]], "\n") + 1
				t.Errorf("%s:%d changes the append-only audit trail: %q", f, line, text[loc[0]:loc[1]])
			}
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("checked only %d files", checked)
	}
}

func matchesAny(s string) bool {
	return slices.ContainsFunc(auditWrites, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// TestAuditAppendOnlyInSchema: whatever code might try, the database
// refuses to change or remove an event, including through REPLACE.
func TestAuditAppendOnlyInSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	setup(t, db)
	events, err := db.Events(ctx, store.EventQuery{OrgID: 1, Limit: 10})
	if err != nil || len(events.Events) == 0 {
		t.Fatalf("events %v, %v", events, err)
	}
	id := events.Events[0].ID
	stmts := []string{
		"UPDATE audit_events SET action = 'x'",
		"DELETE FROM audit_events",
		fmt.Sprintf("INSERT INTO audit_events (id, at, action) VALUES (%d, '2026-01-01T00:00:00Z', 'x') ON CONFLICT (id) DO UPDATE SET action = 'x'", id),
	}
	if pg == nil {
		stmts = append(stmts, fmt.Sprintf("REPLACE INTO audit_events (id, at, action) VALUES (%d, '2026-01-01T00:00:00Z', 'x')", id))
	} else {
		stmts = append(stmts, "TRUNCATE audit_events", "TRUNCATE audit_events CASCADE")
	}
	for _, stmt := range stmts {
		// Refused by the schema's triggers, not merely failing.
		if err := db.ExecForTest(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", stmt, err)
		}
	}
	after, err := db.Events(ctx, store.EventQuery{OrgID: 1, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Events) != len(events.Events) || after.Events[0].Action != events.Events[0].Action {
		t.Errorf("the log changed: %v, was %v", after.Events, events.Events)
	}
}

// TestEventsQuery checks each filter of the event log, keyset pages, and
// that an actor read label by label finds what a scan finds.
func TestEventsQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	_, org := setup(t, db)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []store.Event
	for i := range 200 {
		e := store.Event{At: base.Add(time.Duration(i) * time.Hour), OrgID: org.ID, ActorLabel: fmt.Sprintf("user%d", i%4),
			Action: []string{"token.created", "token.revoked"}[i%2], TargetType: "token", TargetID: fmt.Sprintf("t%d", i%10), TargetLabel: "x"}
		if i%5 == 0 {
			e.ActorToken, e.ActorLabel = "tok-a", "token deploy (created by user1)"
		}
		evs = append(evs, e)
	}
	// Many distinct labels that all match "bot", more than are read one by one.
	for i := range 40 {
		evs = append(evs, store.Event{At: base.Add(time.Duration(300+i) * time.Hour), OrgID: org.ID, ActorLabel: fmt.Sprintf("Bot-%02d", i), Action: "token.edited"})
	}
	if err := db.ImportEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	all := func(q store.EventQuery) []store.LogEvent {
		t.Helper()
		var out []store.LogEvent
		q.Limit = 7
		for {
			p, err := db.Events(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p.Events...)
			if !p.More {
				return out
			}
			q.Before = p.Events[len(p.Events)-1].ID
		}
	}
	exported := func(q store.EventQuery) []store.LogEvent {
		t.Helper()
		var out []store.LogEvent
		if err := db.EachEvent(ctx, q, func(e store.LogEvent) error { out = append(out, e); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.EventQuery
		keep func(store.LogEvent) bool
	}{
		{"all", store.EventQuery{}, func(e store.LogEvent) bool { return true }},
		{"actor, few labels", store.EventQuery{Actor: "USER1"}, func(e store.LogEvent) bool { return strings.Contains(e.ActorLabel, "user1") }},
		{"actor, many labels", store.EventQuery{Actor: "bot"}, func(e store.LogEvent) bool { return strings.HasPrefix(e.ActorLabel, "Bot-") }},
		{"action", store.EventQuery{Action: "token.revoked"}, func(e store.LogEvent) bool { return e.Action == "token.revoked" }},
		{"token", store.EventQuery{TokenID: "tok-a"}, func(e store.LogEvent) bool { return e.ActorToken == "tok-a" }},
		{"token as target", store.EventQuery{TokenID: "t3"}, func(e store.LogEvent) bool { return e.TargetType == "token" && e.TargetID == "t3" }},
		{"dates", store.EventQuery{From: base.Add(24 * time.Hour), To: base.Add(48 * time.Hour)},
			func(e store.LogEvent) bool {
				return !e.At.Before(base.Add(24*time.Hour)) && e.At.Before(base.Add(48*time.Hour))
			}},
		{"together", store.EventQuery{Actor: "user", Action: "token.created", From: base.Add(10 * time.Hour)},
			func(e store.LogEvent) bool {
				return strings.Contains(e.ActorLabel, "user") && e.Action == "token.created" && !e.At.Before(base.Add(10*time.Hour))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.OrgID = org.ID
			everything := exported(store.EventQuery{OrgID: org.ID})
			var want []int64
			for _, e := range everything {
				if tc.keep(e) {
					want = append(want, e.ID)
				}
			}
			if len(want) == 0 {
				t.Fatal("the case selects nothing")
			}
			got := ids(all(tc.q))
			if !slices.Equal(got, want) {
				t.Errorf("paged: got %d events %v…, want %d %v…", len(got), head(got), len(want), head(want))
			}
			if got := ids(exported(tc.q)); !slices.Equal(got, want) {
				t.Errorf("exported: got %d events, want %d", len(got), len(want))
			}
		})
	}
	t.Run("newest first", func(t *testing.T) {
		evs := exported(store.EventQuery{OrgID: org.ID})
		for i := 1; i < len(evs); i++ {
			if evs[i].At.After(evs[i-1].At) {
				t.Fatalf("event %d (%s) after %d (%s)", evs[i].ID, evs[i].At, evs[i-1].ID, evs[i-1].At)
			}
		}
	})
	t.Run("before from another org", func(t *testing.T) {
		_, err := db.Events(ctx, store.EventQuery{OrgID: org.ID + 1, Before: 1, Limit: 5})
		if store.ErrorCode(err) != store.EInvalid {
			t.Errorf("err = %v, want invalid", err)
		}
	})
	t.Run("actions", func(t *testing.T) {
		got, err := db.EventActions(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"org.created", "token.created", "token.edited", "token.revoked"} {
			if !slices.Contains(got, want) {
				t.Errorf("actions %v lack %s", got, want)
			}
		}
	})
}

func ids(evs []store.LogEvent) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func head(s []int64) []int64 { return s[:min(5, len(s))] }
