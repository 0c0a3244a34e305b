package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/store"
)

// days prints day counts as "2026-11-21:2 2026-11-22:0".
func days(counts []store.DayCount) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%s:%d", c.Day.Format("2006-01-02"), c.Requests)
	}
	return strings.Join(parts, " ")
}

func TestUsageByDay(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // the clock reads 2026-11-22 12:00 UTC
	tok, _ := w.mint(store.NewToken{Name: "ci"})
	other, _ := w.mint(store.NewToken{Name: "other"})
	midnight := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	byDay := func(id string, from, to time.Time) string {
		t.Helper()
		got, err := w.db.UsageByDay(w.ctx, id, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return days(got)
	}

	t.Run("a batch spanning midnight counts each use on its own day", func(t *testing.T) {
		err := w.db.RecordUses(w.ctx, []store.Use{
			{TokenID: tok.ID, At: midnight.Add(-time.Second), IP: "10.0.0.1"},
			{TokenID: tok.ID, At: midnight.Add(-time.Minute), IP: "10.0.0.2", Count: 4},
			{TokenID: tok.ID, At: midnight.Add(time.Second), IP: "10.0.0.1"},
			{TokenID: other.ID, At: midnight.Add(time.Hour), IP: "10.0.0.3", Count: 2},
			{TokenID: uuid.NewString(), At: midnight, IP: "10.0.0.4"}, // unknown: ignored, not an error
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := byDay(tok.ID, midnight.AddDate(0, 0, -1), midnight), "2026-11-21:5 2026-11-22:1"; got != want {
			t.Errorf("ci = %s, want %s", got, want)
		}
		if got, want := byDay(other.ID, midnight, midnight.Add(23*time.Hour)), "2026-11-22:2"; got != want {
			t.Errorf("other = %s, want %s", got, want)
		}
		if got := get(t, w, tok).QuotaUsed; got != 6 {
			t.Errorf("quota used = %d, want the month's 6", got)
		}
	})
	t.Run("a later batch adds to the day", func(t *testing.T) {
		if err := w.db.RecordUses(w.ctx, []store.Use{{TokenID: tok.ID, At: midnight.Add(time.Hour), IP: "10.0.0.1", Count: 3}}); err != nil {
			t.Fatal(err)
		}
		if got, want := byDay(tok.ID, midnight, midnight), "2026-11-22:4"; got != want {
			t.Errorf("ci = %s, want %s", got, want)
		}
	})
	t.Run("every day of the range, zeros filled", func(t *testing.T) {
		got := byDay(tok.ID, midnight.AddDate(0, 0, -3).Add(15*time.Hour), midnight.AddDate(0, 0, 1).Add(time.Minute))
		if want := "2026-11-19:0 2026-11-20:0 2026-11-21:5 2026-11-22:4 2026-11-23:0"; got != want {
			t.Errorf("range = %s, want %s", got, want)
		}
		if got, want := byDay(uuid.NewString(), midnight, midnight.AddDate(0, 0, 1)), "2026-11-22:0 2026-11-23:0"; got != want {
			t.Errorf("unknown token = %s, want %s", got, want)
		}
	})
	t.Run("a backwards or huge range is invalid", func(t *testing.T) {
		for _, r := range [][2]time.Time{{midnight, midnight.AddDate(0, 0, -1)}, {midnight.AddDate(-20, 0, 0), midnight}} {
			if _, err := w.db.UsageByDay(w.ctx, tok.ID, r[0], r[1]); store.ErrorCode(err) != store.EInvalid {
				t.Errorf("%v: err = %v, want invalid", r, err)
			}
		}
	})
}

func get(t *testing.T, w *world, tok store.Token) store.Token {
	t.Helper()
	got, err := w.db.TokenByID(w.ctx, w.org.ID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestUsageSparklines(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // today is 2026-11-22 (UTC)
	today := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	const n = 300
	var imported []store.ImportedToken
	for i := range n {
		nt := store.NewToken{Name: fmt.Sprintf("t%03d", i)}
		w.prepare(&nt)
		imported = append(imported, store.ImportedToken{NewToken: nt})
	}
	if err := w.db.ImportTokens(w.ctx, w.org.ID, imported, w.actor); err != nil {
		t.Fatal(err)
	}
	// Token i was used i%7 times 0..6 days ago, once 40 days ago (outside
	// the window), and every third token never.
	var uses []store.Use
	ids := make([]string, 0, n+1)
	for i, it := range imported {
		ids = append(ids, it.ID)
		if i%3 == 0 {
			continue
		}
		uses = append(uses, store.Use{TokenID: it.ID, At: today.AddDate(0, 0, -40), IP: "10.0.0.1"})
		uses = append(uses, store.Use{TokenID: it.ID, At: today.AddDate(0, 0, -(i % 7)), IP: "10.0.0.2", Count: int64(i%7 + 1)})
	}
	if err := w.db.RecordUses(w.ctx, uses); err != nil {
		t.Fatal(err)
	}
	unknown := uuid.NewString()
	ids = append(ids, unknown)

	got, err := w.db.UsageSparklines(w.ctx, ids, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 {
		t.Fatalf("%d sparklines, want %d", len(got), n+1)
	}
	for i, it := range imported {
		want := make([]int64, 30)
		if i%3 != 0 {
			want[29-i%7] = int64(i%7 + 1)
		}
		if fmt.Sprint(got[it.ID]) != fmt.Sprint(want) {
			t.Errorf("token %d = %v, want %v", i, got[it.ID], want)
		}
	}
	if fmt.Sprint(got[unknown]) != fmt.Sprint(make([]int64, 30)) {
		t.Errorf("unknown token = %v, want 30 zeros", got[unknown])
	}
	t.Run("no tokens, no query", func(t *testing.T) {
		if got, err := w.db.UsageSparklines(w.ctx, nil, 30); err != nil || len(got) != 0 {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("days out of range", func(t *testing.T) {
		if _, err := w.db.UsageSparklines(w.ctx, ids, 0); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("err = %v, want invalid", err)
		}
	})
}
