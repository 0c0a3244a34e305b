package engine

import (
	"context"
	"time"
)

// Failure throttling: each attempt spends a token from a bucket kept per
// account and per client IP before it is checked, and a good one gives it
// back; an empty bucket refuses further attempts until it refills. The
// buckets live in ThrottleCounts, so processes sharing them share the
// allowance.
//
// Sign-in: a username allows 5 failures and then one a minute; an IP,
// shared by many people behind one NAT, allows 20 and then one every 10
// seconds.
var (
	UserFailures = Limit{Name: "sign-in user", Burst: 5, Every: time.Minute}
	IPFailures   = Limit{Name: "sign-in ip", Burst: 20, Every: 10 * time.Second}
)

// Device codes typed on /device: a user allows 10 wrong codes and then one
// every 30 seconds; an IP 20 and then one every 10 seconds. A code has
// 19^8 values and lives ten minutes, so guessing one is hopeless.
var (
	DeviceUserFailures = Limit{Name: "device user", Burst: 10, Every: 30 * time.Second}
	DeviceIPFailures   = Limit{Name: "device ip", Burst: 20, Every: 10 * time.Second}
)

// Failed authentications allowed per client IP (bad bearer tokens, unknown
// device codes): 50 at once, then 10 a second. Leak reports to
// /oauth/revoke: 20 at once, then one every 3 s.
var (
	BearerFailures = Limit{Name: "bearer ip", Burst: 50, Every: time.Second / 10}
	RevokeRequests = Limit{Name: "revoke ip", Burst: 20, Every: 3 * time.Second}
)

// FailThrottle limits attempts per account and per client IP.
type FailThrottle struct {
	counts ThrottleCounts
	user   Limit
	ip     Limit
	now    func() time.Time
}

// NewFailThrottle counts attempts in counts, per username under user and
// per IP under ip, by the clock now.
func NewFailThrottle(counts ThrottleCounts, now func() time.Time, user, ip Limit) *FailThrottle {
	return &FailThrottle{counts: counts, user: user, ip: ip, now: now}
}

// Take spends one attempt of the username's and of the IP's allowance
// before the attempt is checked, and returns 0; when either is spent it
// takes nothing and returns how long to wait. A failed attempt keeps what
// it took; a good one is settled with succeed, one that was no guess with
// refund. When the counts cannot be read (the database they live in is
// away) it returns the error, and the caller refuses the attempt with it:
// a 503 that says so, not a 429 blaming the person for attempts they
// never made.
func (t *FailThrottle) Take(username, ip string) (time.Duration, error) {
	return t.counts.Take(context.Background(), t.now(), Bucket{t.user, username}, Bucket{t.ip, ip})
}

// Succeed settles a take whose attempt was good: the username's failures
// are forgotten and the IP gets back this attempt, though not its earlier
// failures, so one good account cannot reset guessing at others. (Counts
// that cannot be written refill by themselves.)
func (t *FailThrottle) Succeed(username, ip string) {
	ctx := context.Background()
	_ = t.counts.Forget(ctx, Bucket{t.user, username})
	_ = t.counts.GiveBack(ctx, t.now(), Bucket{t.ip, ip})
}

// Refund settles a take whose attempt was not a guess after all (a right
// password for a disabled account, an error on our side): both get it back.
func (t *FailThrottle) Refund(username, ip string) {
	_ = t.counts.GiveBack(context.Background(), t.now(), Bucket{t.user, username}, Bucket{t.ip, ip})
}

// IPLimiter is a token bucket per client IP: for failed authentications,
// where an IP that has spent its allowance gets 429 instead of 401
// (requests with good tokens are never slowed), and for the revocation
// endpoint.
type IPLimiter struct {
	counts ThrottleCounts
	limit  Limit
	now    func() time.Time
}

// NewIPLimiter counts requests per IP in counts under limit, by the clock
// now.
func NewIPLimiter(counts ThrottleCounts, now func() time.Time, limit Limit) *IPLimiter {
	return &IPLimiter{counts: counts, limit: limit, now: now}
}

// Take spends one from ip's bucket and returns how long ip must wait until
// it may again (0: this one was within the allowance), or the error that
// kept it from reading the bucket, which refuses the request as
// FailThrottle.Take's does.
func (f *IPLimiter) Take(ip string) (time.Duration, error) {
	return f.counts.Take(context.Background(), f.now(), Bucket{f.limit, ip})
}
