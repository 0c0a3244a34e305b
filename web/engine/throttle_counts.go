package engine

import (
	"context"
	"math"
	"sync"
	"time"
)

// Limit is one kind of throttled attempt: its name among the throttle
// counts, how many attempts a full bucket allows at once, and how often one
// comes back.
type Limit struct {
	Name  string
	Burst int
	Every time.Duration
}

// Bucket names one bucket of attempts: a limit and whose it is (a username,
// a client IP).
type Bucket struct {
	Limit Limit
	Key   string
}

// ThrottleCounts keeps the buckets the throttles count attempts in. A
// bucket nobody has taken from is full. Several processes may share one
// implementation (a table in a shared database), so each method must be
// atomic over all the buckets it is given: of attempts made together, no
// more may pass than the buckets hold. MemoryThrottleCounts is the one for
// a single process.
type ThrottleCounts interface {
	// Take takes one attempt from every bucket at now and returns 0 when
	// each holds one; otherwise it takes nothing and returns how long until
	// all of them will.
	Take(ctx context.Context, now time.Time, buckets ...Bucket) (time.Duration, error)
	// GiveBack returns one attempt to each bucket (never past full).
	GiveBack(ctx context.Context, now time.Time, buckets ...Bucket) error
	// Forget fills each bucket again.
	Forget(ctx context.Context, buckets ...Bucket) error
}

// MemoryThrottleCounts keeps the buckets in this process's memory. Memory
// stays bounded by recent attempts: full buckets are dropped at most once
// a minute.
type MemoryThrottleCounts struct {
	mu      sync.Mutex
	buckets map[Bucket]*bucket
	swept   time.Time
}

// NewMemoryThrottleCounts is an empty set of buckets, all full.
func NewMemoryThrottleCounts() *MemoryThrottleCounts {
	return &MemoryThrottleCounts{buckets: map[Bucket]*bucket{}}
}

// Take implements ThrottleCounts.
func (m *MemoryThrottleCounts) Take(_ context.Context, now time.Time, buckets ...Bucket) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	var wait time.Duration
	for _, b := range buckets {
		wait = max(wait, m.buckets[b].wait(b.Limit, now))
	}
	if wait > 0 {
		return wait, nil
	}
	for _, b := range buckets {
		m.entry(b).add(b.Limit, now, 1)
	}
	return 0, nil
}

// GiveBack implements ThrottleCounts.
func (m *MemoryThrottleCounts) GiveBack(_ context.Context, now time.Time, buckets ...Bucket) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range buckets {
		if e := m.buckets[b]; e != nil {
			e.add(b.Limit, now, -1)
		}
	}
	return nil
}

// Forget implements ThrottleCounts.
func (m *MemoryThrottleCounts) Forget(_ context.Context, buckets ...Bucket) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range buckets {
		delete(m.buckets, b)
	}
	return nil
}

func (m *MemoryThrottleCounts) entry(b Bucket) *bucket {
	e := m.buckets[b]
	if e == nil {
		e = &bucket{}
		m.buckets[b] = e
	}
	return e
}

// sweep drops buckets that have refilled, at most once a minute (lock
// held). A dropped bucket is full, as it was.
func (m *MemoryThrottleCounts) sweep(now time.Time) {
	if now.Sub(m.swept) < time.Minute {
		return
	}
	m.swept = now
	for b, e := range m.buckets {
		if e.missing(b.Limit, now) == 0 {
			delete(m.buckets, b)
		}
	}
}

// bucket is a token bucket that can also be given back to: a request takes
// one before its attempt is checked, so requests in flight together cannot
// all pass, and an attempt that turns out good returns it. The zero bucket
// (or none at all) is full.
type bucket struct {
	used float64 // tokens missing from a full bucket at last
	last time.Time
}

// missing is how many tokens the bucket lacks at now, after refilling.
func (b *bucket) missing(l Limit, now time.Time) float64 {
	if b == nil {
		return 0
	}
	return max(0, b.used-float64(now.Sub(b.last))/float64(l.Every))
}

// wait is how long until the bucket holds a token again (0: it does).
func (b *bucket) wait(l Limit, now time.Time) time.Duration {
	short := b.missing(l, now) + 1 - float64(l.Burst)
	if short <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(short * float64(l.Every)))
}

func (b *bucket) add(l Limit, now time.Time, n float64) {
	b.used, b.last = min(float64(l.Burst), max(0, b.missing(l, now)+n)), now
}
