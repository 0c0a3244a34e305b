package engine

import (
	"context"
	"time"

	"tokenward/store"
)

// DBThrottleCounts keeps the buckets in the database, so that processes
// sharing it (replicas on PostgreSQL) share them: an attacker spreading
// guesses over replicas gets no more than from one. Each call is one write
// transaction, atomic over its buckets as ThrottleCounts requires. The
// arithmetic is the same bucket's as in memory.
type DBThrottleCounts struct {
	db *store.DB
}

// NewDBThrottleCounts is the throttle counts in db's throttle_buckets table.
func NewDBThrottleCounts(db *store.DB) *DBThrottleCounts { return &DBThrottleCounts{db: db} }

var _ ThrottleCounts = (*DBThrottleCounts)(nil)

func keysOf(buckets []Bucket) []store.ThrottleKey {
	keys := make([]store.ThrottleKey, len(buckets))
	for i, b := range buckets {
		keys[i] = store.ThrottleKey{Name: b.Limit.Name, Key: b.Key}
	}
	return keys
}

// Take implements ThrottleCounts.
func (d *DBThrottleCounts) Take(ctx context.Context, now time.Time, buckets ...Bucket) (time.Duration, error) {
	var wait time.Duration
	err := d.db.UpdateThrottles(ctx, now, keysOf(buckets), func(states []store.ThrottleState) bool {
		for i, b := range buckets {
			wait = max(wait, (&bucket{used: states[i].Used, last: states[i].Last}).wait(b.Limit, now))
		}
		if wait > 0 {
			return false
		}
		addAll(buckets, states, now, 1)
		return true
	})
	return wait, err
}

// GiveBack implements ThrottleCounts.
func (d *DBThrottleCounts) GiveBack(ctx context.Context, now time.Time, buckets ...Bucket) error {
	return d.db.UpdateThrottles(ctx, now, keysOf(buckets), func(states []store.ThrottleState) bool {
		addAll(buckets, states, now, -1)
		return true
	})
}

// Forget implements ThrottleCounts.
func (d *DBThrottleCounts) Forget(ctx context.Context, buckets ...Bucket) error {
	return d.db.ForgetThrottles(ctx, keysOf(buckets))
}

// addAll adds n to each bucket's state at now.
func addAll(buckets []Bucket, states []store.ThrottleState, now time.Time, n float64) {
	for i, b := range buckets {
		e := &bucket{used: states[i].Used, last: states[i].Last}
		e.add(b.Limit, now, n)
		states[i].Used, states[i].Last = e.used, e.last
	}
}
