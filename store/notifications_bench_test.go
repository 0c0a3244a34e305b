package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"tokenward/store"
)

// BenchmarkNotifyExpiries100k is the expiry job's pass over an org with
// 100,000 live tokens whose expiries spread over a year, under a 300-day
// maximum lifetime: the first pass creates the due warnings, the steady
// state (every minute) finds nothing new.
//
//	go test -run '^$' -bench NotifyExpiries100k ./store/
func BenchmarkNotifyExpiries100k(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	u, o, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "a@example.com", PasswordHash: "x"}, store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		b.Fatal(err)
	}
	pol := o.Policy
	pol.MaxDays = 300
	if _, err := db.SetPolicy(ctx, o.ID, pol, store.Actor{UserID: u.ID}); err != nil {
		b.Fatal(err)
	}
	now := db.Now()
	var batch []store.ImportedToken
	for i := range 100_000 {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		batch = append(batch, store.ImportedToken{NewToken: store.NewToken{ID: fmt.Sprintf("id-%06d", i), Kind: []string{"api", "cli", "service"}[i%3],
			Name: fmt.Sprintf("deploy-%06d", i), CreatorID: u.ID, OwnerUserID: u.ID, Scopes: []string{"api"}, Visibility: "admins",
			SecretHash: h[:], Hint: "twa_…", ExpiresAt: now.Add(time.Duration(i%365) * 24 * time.Hour).Add(time.Hour)},
			CreatedAt: now.Add(-time.Duration(i%400) * 24 * time.Hour)})
	}
	if err := db.ImportTokens(ctx, o.ID, batch, store.Actor{}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := db.NotifyExpiries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first pass: %d notices in %v", n, time.Since(start))
	b.ResetTimer()
	for b.Loop() {
		if n, err := db.NotifyExpiries(ctx); err != nil || n != 0 {
			b.Fatal(n, err)
		}
	}
}
