package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"tokenward/store"
)

// Two server processes over one database file: only one runs a job's pass
// until its claim runs out, and the other takes over when it does.
func TestJobClaimHasOneHolderAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "tokenward.db")
	open := func() *store.DB {
		db, err := store.Open(ctx, path, store.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	one, two := open(), open()
	claim := func(db *store.DB, holder string, want bool) {
		t.Helper()
		got, err := db.ClaimJob(ctx, "expiry", holder, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s claims expiry at %s: %v, want %v", holder, clock.Now().Format(time.TimeOnly), got, want)
		}
	}
	claim(one, "one", true)
	claim(two, "two", false)
	clock.Add(30 * time.Second)
	claim(one, "one", true) // a renewal: until 09:01:30 now
	clock.Add(45 * time.Second)
	claim(two, "two", false)
	clock.Add(30 * time.Second) // one stopped renewing
	claim(two, "two", true)
	claim(one, "one", false)
	if ok, err := two.ClaimJob(ctx, "mail", "one", time.Minute); err != nil || !ok {
		t.Errorf("another job is claimed apart: %v, %v", ok, err)
	}
}
