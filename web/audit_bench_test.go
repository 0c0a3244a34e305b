package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// auditBench is acme with 100,000 API tokens (fillTokens), recent IPs on
// 10,000 of them, and 1,000,000 audit events over the last year from 20
// people and 60 tokens.
type auditBench struct {
	*app
	secret  string // a whole token of the org, for the token filter
	tokenID string // a token with events about it and done with it
}

var benchActions = []string{"token.created", "token.edited", "token.rotated", "token.disabled", "token.enabled", "token.revoked",
	"token.revealed", "service.added", "member.added", "user.signed_in"}

func newAuditBench(b *testing.B) *auditBench {
	b.Helper()
	ctx := context.Background()
	a := seededApp(b)
	fillTokens(b, a, 100_000)
	ab := &auditBench{app: a}
	ada := a.user(b, "ada")
	is := a.issue(b, core.TokenRequest{Kind: auth.KindAPI, Name: "bench-known", Scopes: []string{"api"}, Expiry: "30", CreatorID: ada.ID, OwnerUserID: ada.ID})
	ab.secret, ab.tokenID = is.Secret, is.Token.ID

	var ids []string
	stop := errors.New("enough")
	err := a.db.EachAuditToken(ctx, store.AuditTokenQuery{OrgID: a.org.ID}, func(t store.AuditToken) error {
		if ids = append(ids, t.ID); len(ids) == 10_000 {
			return stop
		}
		return nil
	})
	if err != nil && !errors.Is(err, stop) {
		b.Fatal(err)
	}
	now := a.db.Now()
	uses := []store.Use{{TokenID: ab.tokenID, At: now, IP: "203.0.113.7"}}
	for i, id := range ids {
		uses = append(uses, store.Use{TokenID: id, At: now.Add(-time.Duration(i) * time.Minute), IP: fmt.Sprintf("10.%d.%d.%d", i%7, i/256%256, i%256)})
		if i%2000 == 0 {
			uses = append(uses, store.Use{TokenID: id, At: now, IP: "203.0.113.7"})
		}
	}
	if err := a.db.RecordUses(ctx, uses); err != nil {
		b.Fatal(err)
	}

	const events = 1_000_000
	start := now.AddDate(-1, 0, 0)
	step := now.Sub(start) / events
	batch := make([]store.Event, 0, 50_000)
	for i := range events {
		e := store.Event{At: start.Add(time.Duration(i) * step), OrgID: a.org.ID, ActorLabel: fmt.Sprintf("user%02d", i%20),
			Action: benchActions[(i*7)%len(benchActions)], TargetType: "token", TargetID: ids[(i*31)%len(ids)], TargetLabel: "deploy", IP: "10.0.0.1",
			Details: map[string]string{"kind": "api"}}
		if i%5 == 0 {
			e.ActorToken = ids[i%60]
			e.ActorLabel = fmt.Sprintf("token deploy-%02d (created by user%02d)", i%60, i%20)
		}
		if i%100_000 == 7 {
			e.ActorToken, e.ActorLabel = ab.tokenID, "token bench-known (created by ada)"
		}
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			if err := a.db.ImportEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return ab
}

// percentiles reports the p50 and p99 of durations.
func percentiles(b *testing.B, durations []time.Duration) {
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkAuditPage100k renders the audit page's two tabs through real
// HTTP with each filter, and all together, at 100,000 tokens and 1,000,000
// events, and reports p50 and p99:
//
//	CI=true GOTOOLCHAIN=local go test -run '^$' -bench AuditPage100k -benchtime 200x -timeout 30m ./web/
func BenchmarkAuditPage100k(b *testing.B) {
	ab := newAuditBench(b)
	c := ab.signIn("audra")
	tokens := "/orgs/acme/settings/audit?"
	events := "/orgs/acme/settings/audit/events?"
	week := "from=" + ab.db.Now().AddDate(0, -6, 0).Format(time.DateOnly) + "&to=" + ab.db.Now().AddDate(0, -6, 7).Format(time.DateOnly)
	for _, sc := range []struct{ name, path string }{
		{"tokens/default", tokens},
		{"tokens/user", tokens + "user=max"},
		{"tokens/user-prefix", tokens + "user=ma"},
		{"tokens/token-value", tokens + "token=" + url.QueryEscape(ab.secret)},
		{"tokens/token-id", tokens + "token=" + ab.tokenID},
		{"tokens/scope", tokens + "scope=report:read"},
		{"tokens/ip", tokens + "ip=203.0.113.7"},
		{"tokens/admin", tokens + "admin=1"},
		{"tokens/never-used", tokens + "view=never-used"},
		{"tokens/idle-90", tokens + "view=idle-90"},
		{"tokens/expiring-30", tokens + "view=expiring-30"},
		{"tokens/no-expiry", tokens + "view=no-expiry"},
		{"tokens/last-used-sort", tokens + "sort=last_used"},
		{"tokens/page-2000", tokens + "page=2000"},
		{"tokens/all-filters", tokens + "user=ada&scope=tokens:read&admin=1&view=expiring-30&kind=api&status=active&sort=last_used"},
		{"tokens/all-filters+ip", tokens + "user=ada&scope=tokens:read&ip=203.0.113.7&admin=1&view=expiring-30&kind=api&status=active"},
		{"events/default", events},
		{"events/actor-user", events + "actor=user07"},
		{"events/actor-part", events + "actor=deploy-1"},
		{"events/actor-rare", events + "actor=bench-known"},
		{"events/action", events + "action=token.revealed"},
		{"events/token", events + "token=" + ab.tokenID},
		{"events/dates", events + week},
		{"events/older-page", events + "before=500000"},
		{"events/all-filters", events + "actor=user03&action=token.rotated&" + week},
		{"events/all-filters+token", events + "actor=bench&action=token.revoked&token=" + ab.tokenID + "&from=2000-01-01&to=2100-01-01"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				r := c.get(sc.path)
				durations = append(durations, time.Since(start))
				if r.status != http.StatusOK {
					b.Fatalf("status %d\n%.500s", r.status, r.body)
				}
			}
			percentiles(b, durations)
		})
	}
}

// BenchmarkAuditCSV100k exports 100,000 tokens, and the event log's last
// 100,000 events, as CSV through real HTTP, reading the download as a
// client does. Each export runs twice: as is, for its time and
// allocations, and with GOGC=10, so that the heap's peak (sampled every
// 2 ms) is close to what is live and shows that memory stays flat:
//
//	CI=true GOTOOLCHAIN=local go test -run '^$' -bench AuditCSV100k -benchtime 3x -timeout 30m ./web/
func BenchmarkAuditCSV100k(b *testing.B) {
	ab := newAuditBench(b)
	c := ab.signIn("audra")
	from := ab.db.Now().AddDate(0, 0, -36).Format(time.DateOnly)
	for _, sc := range []struct{ name, path string }{
		{"tokens", "/orgs/acme/settings/audit/tokens.csv?status=active&status=expired&status=disabled&status=revoked"},
		{"events", "/orgs/acme/settings/audit/events.csv?from=" + from},
	} {
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			var rows int64
			for b.Loop() {
				rows = download(b, c, sc.path)
			}
			b.ReportMetric(float64(rows), "rows")
		})
		b.Run(sc.name+"-heap", func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(10))
			var rows int64
			var before, peak uint64
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				before = ms.HeapInuse
				var top atomic.Uint64
				done := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					var ms runtime.MemStats
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > top.Load() {
							top.Store(ms.HeapInuse)
						}
						select {
						case <-done:
							return
						case <-time.After(2 * time.Millisecond):
						}
					}
				})
				rows = download(b, c, sc.path)
				close(done)
				wg.Wait()
				peak = top.Load()
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(before)/(1<<20), "heap-before-MB")
			b.ReportMetric(float64(peak)/(1<<20), "heap-peak-MB")
		})
	}
}

// download streams a CSV through the client's cookies without keeping it,
// and counts its data rows.
func download(b *testing.B, c *client, path string) int64 {
	b.Helper()
	res, err := c.http.Do(c.request(http.MethodGet, path, nil, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		b.Fatalf("status %d, %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var lines lineCounter
	if _, err := io.Copy(&lines, res.Body); err != nil {
		b.Fatal(err)
	}
	return lines.n - 1 // less the header; no field holds a newline here
}

type lineCounter struct{ n int64 }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
