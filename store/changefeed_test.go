package store_test

import (
	"context"
	"testing"
	"time"

	"tokenward/store"
)

// TestChangeFeedAcrossProcesses: two stores over one PostgreSQL database
// stand for two replicas. A revoke committed through one moves the other's
// token generation within a second (a cache keyed on it reads again), and a
// replica whose listening connection is cut stops vouching for its cache
// (its counters move on every read) until it listens again by itself.
func TestChangeFeedAcrossProcesses(t *testing.T) {
	if pg == nil {
		t.Skip("PostgreSQL only: one SQLite file serves one process")
	}
	t.Parallel()
	ctx := context.Background()
	loc := testLocation(t)
	a, err := store.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.FeedListening() {
		t.Fatal("a freshly opened replica is not listening for changes")
	}
	root, org := setup(t, a)
	actor := store.Actor{UserID: root.ID, Label: "root"}
	tok, err := a.CreateToken(ctx, store.NewToken{ID: "feed-1", OrgID: org.ID, Kind: "api", Name: "feed", CreatorID: root.ID,
		OwnerUserID: root.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: []byte("feed-h1"), Hint: "x"}, actor)
	if err != nil {
		t.Fatal(err)
	}
	waitMoved := func(what string, read func() uint64, before uint64) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for read() == before {
			if time.Now().After(deadline) {
				t.Fatalf("%s on the other replica did not move within 1 s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	c0 := b.TokenCreations()
	if _, err := a.CreateToken(ctx, store.NewToken{ID: "feed-2", OrgID: org.ID, Kind: "api", Name: "feed2", CreatorID: root.ID,
		OwnerUserID: root.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: []byte("feed-h2"), Hint: "x"}, actor); err != nil {
		t.Fatal(err)
	}
	waitMoved("creations after a create", b.TokenCreations, c0)

	g0 := b.TokenGeneration()
	if _, err := a.RevokeToken(ctx, org.ID, tok.ID, "", actor); err != nil {
		t.Fatal(err)
	}
	waitMoved("the generation after a revoke", b.TokenGeneration, g0)

	t.Run("a lost feed reads through until it is back", func(t *testing.T) {
		_, w := a.Pools()
		var n int
		if err := w.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 1 {
			t.Fatalf("terminated %d listening connections", n)
		}
		deadline := time.Now().Add(5 * time.Second)
		for b.FeedListening() && b.FeedOutages() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the replica did not notice its listener was cut")
			}
			time.Sleep(5 * time.Millisecond)
		}
		deadline = time.Now().Add(10 * time.Second)
		for !b.FeedListening() {
			if g := b.TokenGeneration(); g == b.TokenGeneration() {
				t.Fatal("while its feed is down the replica returned the same generation twice")
			}
			if time.Now().After(deadline) {
				t.Fatal("the replica did not listen again by itself")
			}
			time.Sleep(5 * time.Millisecond)
		}
		g := b.TokenGeneration()
		if b.TokenGeneration() != g {
			t.Error("listening again, the generation still moves on every read")
		}
		g1 := b.TokenGeneration()
		if _, err := a.SetTokenDisabled(ctx, org.ID, "feed-2", true, actor); err != nil {
			t.Fatal(err)
		}
		waitMoved("the generation after a disable, once listening again", b.TokenGeneration, g1)
	})
}
