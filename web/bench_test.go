package web_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// fillTokens imports n API tokens into acme, half made by ada (admin) and
// half by max (member), in every state, with names that searches can hit.
func fillTokens(tb testing.TB, a *app, n int) {
	tb.Helper()
	ctx := context.Background()
	ada, err := a.db.UserByUsername(ctx, "ada")
	if err != nil {
		tb.Fatal(err)
	}
	maxU, err := a.db.UserByUsername(ctx, "max")
	if err != nil {
		tb.Fatal(err)
	}
	now := a.db.Now()
	batch := make([]store.ImportedToken, 0, 5000)
	flush := func() {
		if err := a.db.ImportTokens(ctx, a.org.ID, batch, store.Actor{Label: "bench"}); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		secret, err := auth.NewToken(auth.KindAPI)
		if err != nil {
			tb.Fatal(err)
		}
		h := auth.HashToken(secret)
		creator := ada.ID
		if i%2 == 1 {
			creator = maxU.ID
		}
		t := store.ImportedToken{NewToken: store.NewToken{ID: uuid.NewString(), Kind: "api", Name: fmt.Sprintf("deploy-%06d", i),
			CreatorID: creator, OwnerUserID: creator, Scopes: []string{[]string{"api", "report:read", "repo:list"}[i%3]},
			Visibility: "admins", SecretHash: h[:], Hint: auth.TokenHint(secret), ExpiresAt: now.AddDate(0, 0, 30-i%60)},
			CreatedAt: now.Add(-time.Duration(i) * time.Minute)}
		switch i % 10 {
		case 7:
			t.DisabledAt = now
		case 9:
			t.RevokedAt = now
		}
		batch = append(batch, t)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

// BenchmarkAPITab100k renders the API tab of an org with 100,000 API tokens
// through real HTTP, with searches and filters, and reports p50 and p99.
// /healthz in the same run is the baseline for the ratio.
//
//	go test -run '^$' -bench APITab100k -benchtime 200x ./web/
func BenchmarkAPITab100k(b *testing.B) {
	a := seededApp(b)
	fillTokens(b, a, 100_000)
	c := a.signIn("ada")
	for _, sc := range []struct{ name, path string }{
		{"baseline-healthz", "/healthz"},
		{"default", "/orgs/acme/settings/tokens/api"},
		{"search", "/orgs/acme/settings/tokens/api?q=deploy-0421"},
		{"role-filter", "/orgs/acme/settings/tokens/api?role=member"},
		{"search+role+status", "/orgs/acme/settings/tokens/api?q=deploy-04&role=admin&status=active&sort=name&dir=asc"},
		{"page-200", "/orgs/acme/settings/tokens/api?page=200"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				r := c.get(sc.path)
				durations = append(durations, time.Since(start))
				if r.status != http.StatusOK {
					b.Fatalf("status %d", r.status)
				}
			}
			sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
			pct := func(p float64) float64 {
				return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}
