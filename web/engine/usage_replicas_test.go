package engine

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/store/pgtest"
)

// TestQuotaAcrossReplicas: two replicas' usage recorders over one
// PostgreSQL database. Before either flushes, each counts only its own
// requests, so together they may overshoot a quota by what the other
// admitted since its last flush (the bound README states); once each has
// flushed and read the other's counts, both refuse, and the stored count is
// the sum of both replicas' requests.
func TestQuotaAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc, err := pgtest.Shared(t).NewDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var dbs [2]*store.DB
	var rec [2]*UsageRecorder
	for i := range dbs {
		if dbs[i], err = store.Open(ctx, loc); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dbs[i].Close() })
		rec[i] = NewUsageRecorder(dbs[i], log, time.Hour) // flushed by hand below
	}
	admin, org, err := dbs[0].SetupFirstAdmin(ctx, store.NewUser{Username: "root", Email: "root@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := auth.NewToken(auth.KindAPI)
	h := auth.HashToken(secret)
	tok, err := dbs[0].CreateToken(ctx, store.NewToken{ID: uuid.NewString(), Kind: "api", Name: "metered", OrgID: org.ID,
		CreatorID: admin.ID, OwnerUserID: admin.ID, Scopes: []string{"report"}, Visibility: auth.VisibilityAdmins,
		SecretHash: h[:], Hint: auth.TokenHint(secret), Quota: 50}, store.Actor{UserID: admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	now := dbs[0].Now()
	admitted := [2]int{}
	request := func(i int) bool {
		ok, _ := rec[i].TakeQuota(tok, now)
		if ok {
			admitted[i]++
			rec[i].Record(store.Use{TokenID: tok.ID, At: now, IP: "192.0.2.1", What: "GET /api/v1/whoami"})
		}
		return ok
	}
	for range 30 {
		request(0)
		request(1)
	}
	total := admitted[0] + admitted[1]
	if total != 60 {
		t.Fatalf("before any flush the replicas admitted %d, want 30 each", total)
	}
	// The overshoot (10) is within the bound: what the other replica
	// admitted since its last flush (30).
	if over := total - 50; over > admitted[1] {
		t.Errorf("overshoot %d exceeds the other replica's unflushed requests %d", over, admitted[1])
	}
	rec[0].Flush(ctx)
	rec[1].Flush(ctx)
	rec[0].Flush(ctx) // reads replica 1's counts
	for i := range rec {
		if request(i) {
			t.Errorf("replica %d admitted a request after both flushed 60 of a 50 quota", i)
		}
	}
	got, err := dbs[1].TokenByID(ctx, org.ID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.QuotaUsed != 60 {
		t.Errorf("stored quota count %d, want 60 (the sum of both replicas' requests)", got.QuotaUsed)
	}
}
