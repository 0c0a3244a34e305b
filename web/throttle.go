package web

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failure throttling: each failed attempt spends a token from a bucket kept
// per account and per client IP; an empty bucket refuses further attempts
// until it refills.
//
// Sign-in: a username allows 5 failures and then one a minute; an IP,
// shared by many people behind one NAT, allows 20 and then one every 10
// seconds.
var (
	userFailures = limitSpec{burst: 5, every: time.Minute}
	ipFailures   = limitSpec{burst: 20, every: 10 * time.Second}
)

// Device codes typed on /device: a user allows 10 wrong codes and then one
// every 30 seconds; an IP 20 and then one every 10 seconds. A code has
// 19^8 values and lives ten minutes, so guessing one is hopeless.
var (
	deviceUserFailures = limitSpec{burst: 10, every: 30 * time.Second}
	deviceIPFailures   = limitSpec{burst: 20, every: 10 * time.Second}
)

type limitSpec struct {
	burst int
	every time.Duration
}

// failThrottle counts failed attempts with golang.org/x/time/rate buckets.
type failThrottle struct {
	mu       sync.Mutex
	users    map[string]*rate.Limiter
	ips      map[string]*rate.Limiter
	userSpec limitSpec
	ipSpec   limitSpec
	now      func() time.Time
	swept    time.Time
}

func newFailThrottle(now func() time.Time, user, ip limitSpec) *failThrottle {
	return &failThrottle{users: map[string]*rate.Limiter{}, ips: map[string]*rate.Limiter{}, userSpec: user, ipSpec: ip, now: now}
}

// wait returns how long the username or IP must wait before another
// attempt; zero when they may try now.
func (t *failThrottle) wait(username, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	return max(waitFor(t.users[username], t.userSpec, now), waitFor(t.ips[ip], t.ipSpec, now))
}

func waitFor(l *rate.Limiter, spec limitSpec, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) * float64(spec.every)))
}

// fail records a failed attempt for both the username and the IP.
func (t *failThrottle) fail(username, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	spend(t.users, username, t.userSpec, now)
	spend(t.ips, ip, t.ipSpec, now)
}

// succeed forgets a username's failures; the IP's stay, so one good account
// cannot be used to reset guessing at others.
func (t *failThrottle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, username)
}

func spend(m map[string]*rate.Limiter, key string, spec limitSpec, now time.Time) {
	l := m[key]
	if l == nil {
		l = rate.NewLimiter(rate.Every(spec.every), spec.burst)
		m[key] = l
	}
	l.AllowN(now, 1)
}

// sweep drops buckets that have refilled, at most once a minute, so memory
// stays bounded by recent failures.
func (t *failThrottle) sweep(now time.Time) {
	if now.Sub(t.swept) < time.Minute {
		return
	}
	t.swept = now
	for _, m := range []map[string]*rate.Limiter{t.users, t.ips} {
		for k, l := range m {
			if l.TokensAt(now) >= float64(l.Burst()) {
				delete(m, k)
			}
		}
	}
}
