package engine

import (
	"math"
	"sync"
	"time"
)

// Failure throttling: each attempt spends a token from a bucket kept per
// account and per client IP before it is checked, and a good one gives it
// back; an empty bucket refuses further attempts until it refills.
//
// Sign-in: a username allows 5 failures and then one a minute; an IP,
// shared by many people behind one NAT, allows 20 and then one every 10
// seconds.
var (
	UserFailures = limitSpec{burst: 5, every: time.Minute}
	IPFailures   = limitSpec{burst: 20, every: 10 * time.Second}
)

// Device codes typed on /device: a user allows 10 wrong codes and then one
// every 30 seconds; an IP 20 and then one every 10 seconds. A code has
// 19^8 values and lives ten minutes, so guessing one is hopeless.
var (
	DeviceUserFailures = limitSpec{burst: 10, every: 30 * time.Second}
	DeviceIPFailures   = limitSpec{burst: 20, every: 10 * time.Second}
)

type limitSpec struct {
	burst int
	every time.Duration
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
func (b *bucket) missing(spec limitSpec, now time.Time) float64 {
	if b == nil {
		return 0
	}
	return max(0, b.used-float64(now.Sub(b.last))/float64(spec.every))
}

// wait is how long until the bucket holds a token again (0: it does).
func (b *bucket) wait(spec limitSpec, now time.Time) time.Duration {
	short := b.missing(spec, now) + 1 - float64(spec.burst)
	if short <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(short * float64(spec.every)))
}

func (b *bucket) add(spec limitSpec, now time.Time, n float64) {
	b.used, b.last = min(float64(spec.burst), max(0, b.missing(spec, now)+n)), now
}

// FailThrottle limits attempts per account and per client IP.
type FailThrottle struct {
	mu       sync.Mutex
	users    map[string]*bucket
	ips      map[string]*bucket
	userSpec limitSpec
	ipSpec   limitSpec
	now      func() time.Time
	swept    time.Time
}

func NewFailThrottle(now func() time.Time, user, ip limitSpec) *FailThrottle {
	return &FailThrottle{users: map[string]*bucket{}, ips: map[string]*bucket{}, userSpec: user, ipSpec: ip, now: now}
}

// Take spends one attempt of the username's and of the IP's allowance
// before the attempt is checked, and returns 0; when either is spent it
// takes nothing and returns how long to wait. A failed attempt keeps what
// it took; a good one is settled with succeed, one that was no guess with
// refund.
func (t *FailThrottle) Take(username, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	if wait := max(t.users[username].wait(t.userSpec, now), t.ips[ip].wait(t.ipSpec, now)); wait > 0 {
		return wait
	}
	entry(t.users, username).add(t.userSpec, now, 1)
	entry(t.ips, ip).add(t.ipSpec, now, 1)
	return 0
}

// Succeed settles a take whose attempt was good: the username's failures
// are forgotten and the IP gets back this attempt, though not its earlier
// failures, so one good account cannot reset guessing at others.
func (t *FailThrottle) Succeed(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, username)
	t.giveBack(t.ips, ip, t.ipSpec)
}

// Refund settles a take whose attempt was not a guess after all (a right
// password for a disabled account, an error on our side): both get it back.
func (t *FailThrottle) Refund(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.giveBack(t.users, username, t.userSpec)
	t.giveBack(t.ips, ip, t.ipSpec)
}

func (t *FailThrottle) giveBack(m map[string]*bucket, key string, spec limitSpec) {
	if b := m[key]; b != nil {
		b.add(spec, t.now(), -1)
	}
}

func entry(m map[string]*bucket, key string) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{}
		m[key] = b
	}
	return b
}

// sweep drops buckets that have refilled, at most once a minute, so memory
// stays bounded by recent failures.
func (t *FailThrottle) sweep(now time.Time) {
	if now.Sub(t.swept) < time.Minute {
		return
	}
	t.swept = now
	sweepFull(t.users, t.userSpec, now)
	sweepFull(t.ips, t.ipSpec, now)
}

func sweepFull(m map[string]*bucket, spec limitSpec, now time.Time) {
	for k, b := range m {
		if b.missing(spec, now) == 0 {
			delete(m, k)
		}
	}
}
