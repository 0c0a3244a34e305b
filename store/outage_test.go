package store_test

import (
	"context"
	"testing"
	"time"

	"tokenward/store"
	"tokenward/store/pgtest"
)

// TestPostgresOutage: while the PostgreSQL server is down every call fails
// with an error store.IsUnavailable recognises (the server answers 503,
// not 500), nothing is half-written, and once the server is back the same
// store works again without being reopened, its change feed listening
// again by itself.
func TestPostgresOutage(t *testing.T) {
	if pg == nil || !pg.Owned() {
		t.Skip("needs a PostgreSQL cluster of the test's own")
	}
	ctx := context.Background()
	c, err := pgtest.Start() // its own cluster: stopping the shared one would fail the other tests
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	loc, err := c.NewDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	root, _ := setup(t, db)
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: root.ID, Label: "root"}
	_, err = db.CreateOrg(ctx, store.NewOrg{Slug: "during", Name: "During"}, root.ID, actor)
	if err == nil || !store.IsUnavailable(err) {
		t.Fatalf("a write while the database is down: %v, want an unavailable error", err)
	}
	if err := db.Ping(ctx); err == nil || !store.IsUnavailable(err) {
		t.Fatalf("ping while down: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for db.FeedListening() {
		if time.Now().After(deadline) {
			t.Fatal("the change feed still claims to listen with the server down")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Up(); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for db.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the store did not reconnect by itself")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := db.CreateOrg(ctx, store.NewOrg{Slug: "after", Name: "After"}, root.ID, actor); err != nil {
		t.Fatalf("a write once the database is back: %v", err)
	}
	if _, err := db.OrgBySlug(ctx, "during"); !store.IsNotFound(err) {
		t.Errorf("the write refused during the outage: %v, want not found", err)
	}
	for !db.FeedListening() {
		if time.Now().After(deadline) {
			t.Fatal("the change feed did not listen again by itself")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
