package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"tokenward/store"
)

// twoProcesses opens the same database file twice, as two server
// processes would, over one clock the test moves.
func twoProcesses(t *testing.T) (a, b *store.DB, clock *store.ManualClock) {
	t.Helper()
	clock = &store.ManualClock{}
	clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	path := testLocation(t)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(context.Background(), path, store.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1], clock
}

func claim(t *testing.T, db *store.DB, job, holder string, d time.Duration) bool {
	t.Helper()
	ok, err := db.ClaimJob(context.Background(), job, holder, d)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// Two processes on one file: the first to claim a job runs it, the other
// does not until the claim runs out, and the holder may run it again.
func TestClaimJobOneHolderUntilItRunsOut(t *testing.T) {
	t.Parallel()
	a, b, clock := twoProcesses(t)
	if !claim(t, a, "expiry", "A", time.Minute) {
		t.Fatal("A could not claim a free job")
	}
	if claim(t, b, "expiry", "B", time.Minute) {
		t.Fatal("B claimed the job A holds")
	}
	if !claim(t, b, "mail", "B", time.Minute) {
		t.Fatal("B could not claim another job")
	}
	clock.Add(30 * time.Second)
	if !claim(t, a, "expiry", "A", time.Minute) {
		t.Fatal("A could not claim again the job it holds")
	}
	clock.Add(59 * time.Second) // A's renewed claim runs to 12:01:30
	if claim(t, b, "expiry", "B", time.Minute) {
		t.Fatal("B claimed the job before A's renewed claim ran out")
	}
	clock.Add(time.Second)
	if !claim(t, b, "expiry", "B", time.Minute) {
		t.Fatal("B could not claim the job once A's claim ran out")
	}
	if claim(t, a, "expiry", "A", time.Minute) {
		t.Fatal("A claimed the job B now holds")
	}
}

// Processes asking at once: exactly one gets the job.
func TestClaimJobAtOnceOneWins(t *testing.T) {
	t.Parallel()
	a, b, _ := twoProcesses(t)
	var mu sync.Mutex
	var wg sync.WaitGroup
	won := 0
	release := make(chan struct{})
	for i := range 8 {
		db := []*store.DB{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			ok, err := db.ClaimJob(context.Background(), "expiry", string(rune('A'+i)), time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	close(release)
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d of 8 processes claimed the job at once, want 1", won)
	}
}

func TestClaimJobRefusesNonsense(t *testing.T) {
	t.Parallel()
	db := MustOpen(t)
	for _, c := range []struct {
		job, holder string
		d           time.Duration
	}{{"", "A", time.Minute}, {"expiry", "", time.Minute}, {"expiry", "A", 0}} {
		if ok, err := db.ClaimJob(context.Background(), c.job, c.holder, c.d); err == nil || ok {
			t.Errorf("ClaimJob(%q, %q, %v) = %v, %v; want an error", c.job, c.holder, c.d, ok, err)
		}
	}
}
