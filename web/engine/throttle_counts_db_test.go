package engine

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tokenward/store"
	"tokenward/store/pgtest"
)

// TestDBThrottleCountsSharedAcrossProcesses: two processes over one
// database (two stores, as two replicas) share sign-in buckets. Guesses
// fired at both at once get through no more often than the limit allows
// one process, an attempt given back on one can be used on the other, and
// forgetting on one fills the bucket for both.
func TestDBThrottleCountsSharedAcrossProcesses(t *testing.T) {
	t.Parallel()
	for _, engineName := range []string{"sqlite", "postgres"} {
		t.Run(engineName, func(t *testing.T) {
			ctx := context.Background()
			loc := filepath.Join(t.TempDir(), "tokenward.db")
			if engineName == "postgres" {
				u, err := pgtest.Shared(t).NewDatabase(ctx, "")
				if err != nil {
					t.Fatal(err)
				}
				loc = u
			}
			var counts [2]ThrottleCounts
			for i := range counts {
				db, err := store.Open(ctx, loc)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				counts[i] = NewDBThrottleCounts(db)
			}
			now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
			ada := Bucket{Limit: UserFailures, Key: "ada"}
			var passed atomic.Int64
			var wg sync.WaitGroup
			for i := range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					wait, err := counts[i%2].Take(ctx, now, ada)
					if err != nil {
						t.Error(err)
						return
					}
					if wait == 0 {
						passed.Add(1)
					} else if wait > UserFailures.Every {
						t.Errorf("told to wait %v, want at most %v", wait, UserFailures.Every)
					}
				}()
			}
			wg.Wait()
			if n := passed.Load(); n != int64(UserFailures.Burst) {
				t.Fatalf("%d of 30 guesses across two processes got through, want %d", n, UserFailures.Burst)
			}
			if err := counts[0].GiveBack(ctx, now, ada); err != nil {
				t.Fatal(err)
			}
			if wait, err := counts[1].Take(ctx, now, ada); err != nil || wait != 0 {
				t.Fatalf("after a give-back on the other process: wait %v, %v", wait, err)
			}
			if wait, _ := counts[1].Take(ctx, now, ada); wait == 0 {
				t.Fatal("a sixth attempt got through")
			}
			if wait, _ := counts[0].Take(ctx, now.Add(UserFailures.Every), ada); wait != 0 {
				t.Fatal("a minute later the bucket had not refilled by one")
			}
			if err := counts[0].Forget(ctx, ada); err != nil {
				t.Fatal(err)
			}
			for i := range UserFailures.Burst {
				if wait, _ := counts[1].Take(ctx, now, ada); wait != 0 {
					t.Fatalf("after forgetting, attempt %d was refused", i+1)
				}
			}
		})
	}
}

// TestThrottleRefusesWithTheCountsError: when the counts cannot be read (on
// PostgreSQL, while the database is away), Take takes nothing and returns
// the error, so the handler answers with it (503, "Database unavailable")
// rather than a 429 for failed attempts nobody made.
func TestThrottleRefusesWithTheCountsError(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "tokenward.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	counts := NewDBThrottleCounts(db)
	signIn := NewFailThrottle(counts, time.Now, UserFailures, IPFailures)
	if wait, err := signIn.Take("ada", "192.0.2.1"); err == nil || wait != 0 {
		t.Errorf("sign-in throttle over unreadable counts: wait %v, error %v; want no wait and the error", wait, err)
	}
	revokes := NewIPLimiter(counts, time.Now, RevokeRequests)
	if wait, err := revokes.Take("192.0.2.1"); err == nil || wait != 0 {
		t.Errorf("revoke limiter over unreadable counts: wait %v, error %v; want no wait and the error", wait, err)
	}
}
