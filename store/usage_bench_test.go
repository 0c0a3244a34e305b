package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"tokenward/store"
)

// BenchmarkRecordUses4096 is one usage flush of a busy server: 4,096 tokens
// used since the last flush, each from one IP it already has, on each
// engine (the PostgreSQL round reports its own figure). The flush holds
// the write lock, which on PostgreSQL every replica's writes wait on.
//
//	go test -run '^$' -bench RecordUses4096 ./store/
func BenchmarkRecordUses4096(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	u, o, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "a@example.com", PasswordHash: "x"}, store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		b.Fatal(err)
	}
	now := db.Now()
	const n = 4096
	batch := make([]store.ImportedToken, n)
	for i := range batch {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		batch[i] = store.ImportedToken{NewToken: store.NewToken{ID: fmt.Sprintf("id-%06d", i), Kind: "api", Name: fmt.Sprintf("deploy-%06d", i),
			CreatorID: u.ID, OwnerUserID: u.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: h[:],
			Hint: "twa_0000…abcd", ExpiresAt: now.AddDate(0, 1, 0)}}
	}
	if err := db.ImportTokens(ctx, o.ID, batch, store.Actor{}); err != nil {
		b.Fatal(err)
	}
	uses := func(at time.Time) []store.Use {
		out := make([]store.Use, n)
		for i := range out {
			out[i] = store.Use{TokenID: fmt.Sprintf("id-%06d", i), At: at, IP: "127.0.0.1", UserAgent: "Go-http-client/1.1",
				What: "GET /api/v1/token", Count: 7}
		}
		return out
	}
	if err := db.RecordUses(ctx, uses(now)); err != nil { // each token's IP row exists from now on
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if err := db.RecordUses(ctx, uses(now.Add(time.Duration(i)*time.Millisecond))); err != nil {
			b.Fatal(err)
		}
	}
}
