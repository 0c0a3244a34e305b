package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/store"
)

func TestRecordUses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, _ := w.mint(store.NewToken{Name: "ci", Quota: 100})
	other, _ := w.mint(store.NewToken{Name: "other"})
	at := func(d time.Duration) time.Time { return w.start.Add(d) }
	get := func(tok store.Token) store.Token {
		got, err := w.db.TokenByID(w.ctx, w.org.ID, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("a batch sets the latest use and counts", func(t *testing.T) {
		err := w.db.RecordUses(w.ctx, []store.Use{
			{TokenID: tok.ID, At: at(2 * time.Second), IP: "10.0.0.2", UserAgent: "curl/8", What: "GET /api/v1/quota"},
			{TokenID: tok.ID, At: at(3 * time.Second), IP: "10.0.0.1", UserAgent: "curl/9", What: "GET /api/v1/token"},
			{TokenID: tok.ID, At: at(1 * time.Second), IP: "10.0.0.1", UserAgent: "curl/7", What: "GET /api/v1/tokens"},
			{TokenID: other.ID, At: at(time.Second), IP: "10.0.0.9", What: "introspected by acme/web"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := get(tok)
		if !got.LastUsedAt.Equal(at(3*time.Second)) || got.LastUsedIP != "10.0.0.1" || got.LastUsedUA != "curl/9" ||
			got.LastUsedWhat != "GET /api/v1/token" || got.QuotaUsed != 3 || got.QuotaMonth != "2026-11" {
			t.Errorf("after batch: %+v", got)
		}
		ips, err := w.db.TokenIPs(w.ctx, tok.ID)
		if err != nil || len(ips) != 2 || ips[0].IP != "10.0.0.1" || ips[0].UserAgent != "curl/9" || !ips[0].LastSeenAt.Equal(at(3*time.Second)) {
			t.Errorf("ips = %+v, %v", ips, err)
		}
		if o := get(other); o.QuotaUsed != 1 || o.LastUsedWhat != "introspected by acme/web" {
			t.Errorf("other token: %+v", o)
		}
	})
	t.Run("an older batch does not move last use back", func(t *testing.T) {
		if err := w.db.RecordUses(w.ctx, []store.Use{{TokenID: tok.ID, At: at(0), IP: "10.0.0.2", UserAgent: "old", What: "GET /old"}}); err != nil {
			t.Fatal(err)
		}
		got := get(tok)
		if !got.LastUsedAt.Equal(at(3*time.Second)) || got.LastUsedWhat != "GET /api/v1/token" || got.QuotaUsed != 4 {
			t.Errorf("after older batch: %+v", got)
		}
		ips, err := w.db.TokenIPs(w.ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ips[1].IP != "10.0.0.2" || ips[1].UserAgent != "curl/8" || !ips[1].LastSeenAt.Equal(at(2*time.Second)) {
			t.Errorf("an older use rewrote an IP: %+v", ips[1])
		}
	})
	t.Run("five distinct IPs are kept", func(t *testing.T) {
		var uses []store.Use
		for i := range 8 {
			uses = append(uses, store.Use{TokenID: tok.ID, At: at(time.Minute + time.Duration(i)*time.Second), IP: fmt.Sprintf("192.0.2.%d", i), UserAgent: "agent"})
		}
		if err := w.db.RecordUses(w.ctx, uses); err != nil {
			t.Fatal(err)
		}
		ips, err := w.db.TokenIPs(w.ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ip := range ips {
			got = append(got, ip.IP)
		}
		if want := "192.0.2.7 192.0.2.6 192.0.2.5 192.0.2.4 192.0.2.3"; strings.Join(got, " ") != want {
			t.Errorf("ips = %v, want %s", got, want)
		}
		if n := w.db.CountForTest(w.ctx, "token_ips", "token_id", tok.ID); n != 5 {
			t.Errorf("%d rows of token_ips, want 5", n)
		}
	})
	t.Run("a new month restarts the count", func(t *testing.T) {
		eom := time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
		err := w.db.RecordUses(w.ctx, []store.Use{
			{TokenID: tok.ID, At: eom, IP: "10.0.0.1"},
			{TokenID: tok.ID, At: eom.Add(time.Second), IP: "10.0.0.1"},
			{TokenID: tok.ID, At: eom.Add(2 * time.Second), IP: "10.0.0.1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := get(tok); got.QuotaMonth != "2026-12" || got.QuotaUsed != 2 {
			t.Errorf("after the month boundary: used %d in %s, want 2 in 2026-12", got.QuotaUsed, got.QuotaMonth)
		}
		// A late use from the old month does not touch the new count.
		if err := w.db.RecordUses(w.ctx, []store.Use{{TokenID: tok.ID, At: eom.Add(-time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if got := get(tok); got.QuotaMonth != "2026-12" || got.QuotaUsed != 2 {
			t.Errorf("after a late use: used %d in %s", got.QuotaUsed, got.QuotaMonth)
		}
	})
	t.Run("unknown tokens are ignored", func(t *testing.T) {
		ghost := uuid.NewString()
		err := w.db.RecordUses(w.ctx, []store.Use{{TokenID: ghost, At: at(0), IP: "10.0.0.1"}, {TokenID: other.ID, At: at(time.Hour), IP: "10.0.0.3"}})
		if err != nil {
			t.Fatal(err)
		}
		if n := w.db.CountForTest(w.ctx, "token_ips", "token_id", ghost); n != 0 {
			t.Errorf("%d IP rows for an unknown token", n)
		}
		if got := get(other); !got.LastUsedAt.Equal(at(time.Hour)) {
			t.Errorf("the known token of the batch was not written: %+v", got)
		}
	})
	t.Run("ten thousand uses in one call", func(t *testing.T) {
		var toks []store.Token
		for i := range 20 {
			tk, _ := w.mint(store.NewToken{Name: fmt.Sprintf("bulk %d", i)})
			toks = append(toks, tk)
		}
		uses := make([]store.Use, 10_000)
		for i := range uses {
			uses[i] = store.Use{TokenID: toks[i%len(toks)].ID, At: at(time.Duration(i) * time.Millisecond * 10),
				IP: fmt.Sprintf("198.51.100.%d", i%50), UserAgent: strings.Repeat("x", 2000), What: "GET /api/v1/token"}
		}
		start := time.Now()
		if err := w.db.RecordUses(w.ctx, uses); err != nil {
			t.Fatal(err)
		}
		t.Logf("10,000 uses over 20 tokens in %v", time.Since(start))
		for _, tk := range toks {
			got := get(tk)
			if got.QuotaUsed != 500 || len(got.LastUsedUA) > 512 {
				t.Errorf("%s: used %d, ua %d bytes", got.Name, got.QuotaUsed, len(got.LastUsedUA))
			}
			if ips, err := w.db.TokenIPs(w.ctx, tk.ID); err != nil {
				t.Fatal(err)
			} else if len(ips) != 5 {
				t.Errorf("%s: %d IPs", got.Name, len(ips))
			}
		}
	})
	t.Run("one batch over many tokens writes each, whatever it already had", func(t *testing.T) {
		// Written with a statement per kind of row for the whole batch:
		// tokens seen before and new, IPs known and new, unknown ids mixed in.
		var toks []store.Token
		for i := range 300 {
			tk, _ := w.mint(store.NewToken{Name: fmt.Sprintf("many %d", i)})
			toks = append(toks, tk)
		}
		first := at(2 * time.Hour)
		var uses []store.Use
		for i, tk := range toks {
			if i%2 == 0 { // half have been used before, from 203.0.113.1
				uses = append(uses, store.Use{TokenID: tk.ID, At: first, IP: "203.0.113.1", UserAgent: "old"})
			}
		}
		if err := w.db.RecordUses(w.ctx, uses); err != nil {
			t.Fatal(err)
		}
		later := first.Add(25 * time.Hour) // the next day
		uses = uses[:0]
		for i, tk := range toks {
			uses = append(uses, store.Use{TokenID: tk.ID, At: later, IP: "203.0.113.1", UserAgent: "new", What: "GET /api/v1/token"},
				store.Use{TokenID: tk.ID, At: later.Add(-time.Second), IP: fmt.Sprintf("198.18.%d.%d", i/200, i%200), UserAgent: "other", Count: 2},
				store.Use{TokenID: uuid.NewString(), At: later, IP: "203.0.113.1"})
		}
		if err := w.db.RecordUses(w.ctx, uses); err != nil {
			t.Fatal(err)
		}
		for i, tk := range toks {
			got := get(tk)
			wantUsed := int64(3)
			if i%2 == 0 {
				wantUsed = 4
			}
			if !got.LastUsedAt.Equal(later) || got.LastUsedUA != "new" || got.QuotaUsed != wantUsed {
				t.Fatalf("%s: last use %v by %q, used %d; want %v by new, %d", tk.Name, got.LastUsedAt, got.LastUsedUA, got.QuotaUsed, later, wantUsed)
			}
			ips, err := w.db.TokenIPs(w.ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ips) != 2 || ips[0].IP != "203.0.113.1" || ips[0].UserAgent != "new" || ips[1].UserAgent != "other" {
				t.Fatalf("%s: ips %+v", tk.Name, ips)
			}
			days, err := w.db.UsageByDay(w.ctx, tk.ID, first, later)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 2 || days[0].Requests != wantUsed-3 || days[1].Requests != 3 {
				t.Fatalf("%s: days %+v", tk.Name, days)
			}
		}
	})
	t.Run("an empty batch is fine", func(t *testing.T) {
		if err := w.db.RecordUses(w.ctx, nil); err != nil {
			t.Error(err)
		}
	})
}

func TestTokenEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, _ := w.mint(store.NewToken{Name: "ci"})
	w.mint(store.NewToken{Name: "noise"})
	if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor); err != nil {
		t.Fatal(err)
	}
	events, err := w.db.TokenEvents(w.ctx, w.org.ID, tok.ID, 10)
	if err != nil || len(events) != 2 || events[0].Action != "token.disabled" || events[1].Action != "token.created" ||
		events[0].TargetID != tok.ID || events[0].ActorLabel != "root" {
		t.Errorf("events = %+v, %v", events, err)
	}
	if events, err := w.db.TokenEvents(w.ctx, w.org.ID, tok.ID, 1); err != nil {
		t.Fatal(err)
	} else if len(events) != 1 {
		t.Errorf("limit 1: %d events", len(events))
	}
	if events, err := w.db.TokenEvents(w.ctx, w.other.ID, tok.ID, 10); err != nil {
		t.Fatal(err)
	} else if len(events) != 0 {
		t.Errorf("another org sees %d events", len(events))
	}
}

// TestNewestIPOfABurstIsKept: six uses from six addresses within one second
// keep the five most recent, whether they arrive in one batch or in
// several; the stored second alone cannot tell them apart.
func TestNewestIPOfABurstIsKept(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	second := w.start.Truncate(time.Second).Add(time.Hour)
	burst := func(tok store.Token, i int) store.Use {
		return store.Use{TokenID: tok.ID, At: second.Add(time.Duration(i) * 100 * time.Millisecond), IP: fmt.Sprintf("10.0.0.%d", i), UserAgent: "svc"}
	}
	want := "10.0.0.6 10.0.0.5 10.0.0.4 10.0.0.3 10.0.0.2"
	ips := func(tok store.Token) string {
		got, err := w.db.TokenIPs(w.ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, ip := range got {
			s = append(s, ip.IP)
		}
		return strings.Join(s, " ")
	}
	t.Run("one batch", func(t *testing.T) {
		tok, _ := w.mint(store.NewToken{Name: "burst one batch"})
		var uses []store.Use
		for i := 1; i <= 6; i++ {
			uses = append(uses, burst(tok, i))
		}
		if err := w.db.RecordUses(w.ctx, uses); err != nil {
			t.Fatal(err)
		}
		if got := ips(tok); got != want {
			t.Errorf("ips = %s, want %s", got, want)
		}
	})
	t.Run("one batch each", func(t *testing.T) {
		tok, _ := w.mint(store.NewToken{Name: "burst many batches"})
		for i := 1; i <= 6; i++ {
			if err := w.db.RecordUses(w.ctx, []store.Use{burst(tok, i)}); err != nil {
				t.Fatal(err)
			}
		}
		if got := ips(tok); got != want {
			t.Errorf("ips = %s, want %s", got, want)
		}
		// A seventh use from the oldest kept address makes it the newest.
		again := burst(tok, 2)
		again.At = second.Add(900 * time.Millisecond)
		if err := w.db.RecordUses(w.ctx, []store.Use{again, burst(tok, 7)}); err != nil {
			t.Fatal(err)
		}
		if got, want := ips(tok), "10.0.0.2 10.0.0.7 10.0.0.6 10.0.0.5 10.0.0.4"; got != want {
			t.Errorf("after .2 again at .9s and .7 at .7s: ips = %s, want %s", got, want)
		}
	})
}
