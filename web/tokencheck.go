package web

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tokenward/auth"
	"tokenward/store"
)

// checkedToken is a token that passed the check, with its org (for policy
// and names) and whether its previous secret, inside a rotation grace, was
// the one presented.
type checkedToken struct {
	Token store.Token
	Org   store.Org
	Prev  bool
	// Retired, when set, is when a rotation replaced the secret presented:
	// it names the token but no longer works.
	Retired time.Time
	// self is the token's JSON less its last use and quota, made once per
	// cache entry for GET /api/v1/token (shared by the entry's copies);
	// active is its RFC 7662 answer, which nothing but a change to the token
	// or its org's policy (a new entry) alters.
	self   *onceJSON
	active *onceJSON
}

// onceJSON is bytes computed at most once.
type onceJSON struct {
	once sync.Once
	b    []byte
}

func (o *onceJSON) get(make func() []byte) []byte {
	o.once.Do(func() { o.b = make() })
	return o.b
}

// tokenCache remembers recent check look-ups by secret hash. Every entry is
// tagged with the store's token generation when it was read, and is used
// only while that generation is current, so a revoke, disable, rotation,
// edit or policy change is seen by the very next request.
//
// It also remembers hashes that matched no token: such an answer holds only
// while no token was created or changed in this process since, and for at
// most unknownTTL. (Another process, the admin command line, can only add
// tokens with fresh random secrets, which nobody can have presented before.)
type tokenCache struct {
	mu      sync.RWMutex
	m       map[[32]byte]cacheEntry
	unknown map[[32]byte]unknownEntry
}

type unknownEntry struct {
	creations uint64
	at        time.Time
}

// unknownTTL is the longest a "no such token" answer is reused.
const unknownTTL = time.Minute

func (c *tokenCache) isUnknown(h [32]byte, creations uint64, now time.Time) bool {
	c.mu.RLock()
	e, ok := c.unknown[h]
	c.mu.RUnlock()
	return ok && e.creations == creations && now.Sub(e.at) < unknownTTL
}

func (c *tokenCache) putUnknown(h [32]byte, creations uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unknown == nil || len(c.unknown) >= maxCached {
		c.unknown = make(map[[32]byte]unknownEntry, 1024)
	}
	c.unknown[h] = unknownEntry{creations: creations, at: now}
}

type cacheEntry struct {
	gen uint64
	ct  checkedToken
}

// maxCached bounds the cache; when full it starts again empty.
const maxCached = 200_000

func (c *tokenCache) get(h [32]byte, gen uint64) (checkedToken, bool) {
	c.mu.RLock()
	e, ok := c.m[h]
	c.mu.RUnlock()
	if !ok || e.gen != gen {
		return checkedToken{}, false
	}
	return e.ct, true
}

func (c *tokenCache) put(h [32]byte, gen uint64, ct checkedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[[32]byte]cacheEntry, 1024)
	}
	c.m[h] = cacheEntry{gen: gen, ct: ct}
}

// checkError is why a token was refused: the status, an OAuth error code
// and a message for the caller, who holds the token and may know.
type checkError struct {
	status  int
	code    string // invalid_token, insufficient_scope
	title   string
	message string
	outcome string // for metrics: malformed, unknown, revoked, ...
}

func (e *checkError) Error() string { return e.message }

// lookupToken finds the token a secret belongs to: checksum first, so
// garbage never reaches the database, then the cache or one indexed read.
func (s *tokenChecker) lookupToken(ctx context.Context, secret string) (checkedToken, *checkError, error) {
	if _, err := auth.ParseToken(secret); err != nil {
		return checkedToken{}, &checkError{status: http.StatusUnauthorized, code: "invalid_token", title: "Malformed token", outcome: "malformed",
			message: "The token is malformed (" + err.Error() + "). Copy the whole token, which starts with twa_, twc_ or tws_."}, nil
	}
	h := auth.HashToken(secret)
	// Read the counters before the store, so a change during the read makes
	// what is cached stale rather than wrong.
	gen, creations, now := s.db.TokenGeneration(), s.db.TokenCreations(), s.db.Now()
	if ct, ok := s.cache.get(h, gen); ok {
		return ct, nil, nil
	}
	unknown := &checkError{status: http.StatusUnauthorized, code: "invalid_token", title: "Unknown token", outcome: "unknown",
		message: "This token is not known to Tokenward. Check that it was copied whole, or create a new one."}
	if s.cache.isUnknown(h, creations, now) {
		return checkedToken{}, unknown, nil
	}
	t, prev, err := s.db.TokenBySecretHash(ctx, h[:])
	var retired time.Time
	if store.IsNotFound(err) {
		t, retired, err = s.db.RetiredSecret(ctx, h[:])
	}
	if store.IsNotFound(err) {
		s.cache.putUnknown(h, creations, now)
		return checkedToken{}, unknown, nil
	}
	if err != nil {
		return checkedToken{}, nil, err
	}
	org, err := s.db.OrgByID(ctx, t.OrgID)
	if err != nil {
		return checkedToken{}, nil, err
	}
	ct := checkedToken{Token: t, Org: org, Prev: prev, Retired: retired, self: &onceJSON{}, active: &onceJSON{}}
	s.cache.put(h, gen, ct)
	return ct, nil, nil
}

// validate refuses a revoked, disabled or expired token (policy maximum
// included), the previous secret once its grace has passed, and a token
// that auth.TokenPrincipal says cannot act (a disabled user's CLI token).
func validate(ct checkedToken, now time.Time) *checkError {
	t := ct.Token
	refuse := func(title, outcome, msg string) *checkError {
		return &checkError{status: http.StatusUnauthorized, code: "invalid_token", title: title, outcome: outcome, message: msg}
	}
	switch store.TokenStatus(t, now, ct.Org.Policy.MaxDays) {
	case store.StatusRevoked:
		return refuse("Token revoked", "revoked", fmt.Sprintf("This token was revoked on %s. Create a new one.", t.RevokedAt.Format(time.RFC3339)))
	case store.StatusDisabled:
		return refuse("Token disabled", "disabled", "This token is disabled. An admin of "+ct.Org.Name+" can enable it again.")
	case store.StatusExpired:
		exp := store.EffectiveExpiry(t, ct.Org.Policy.MaxDays)
		return refuse("Token expired", "expired", fmt.Sprintf("This token expired on %s. Create a new one.", exp.Format(time.RFC3339)))
	}
	if !ct.Retired.IsZero() {
		return refuse("Token rotated", "rotated", fmt.Sprintf("This token was rotated on %s: this secret was replaced by a new one "+
			"and no longer works. Use the new secret.", ct.Retired.Format(time.RFC3339)))
	}
	if ct.Prev && !now.Before(t.PrevValidUntil) {
		return refuse("Token rotated", "rotated", "This token was rotated and its old secret no longer works. Use the new one.")
	}
	if _, ok := auth.TokenPrincipal(tokenBearer(t)); !ok {
		return refuse("Owner disabled", "owner_disabled", "This token is refused: "+auth.OwnerDisabledMessage+
			". It works again if a site admin enables the account.")
	}
	return nil
}

// ipLimiter is a token bucket per client IP (golang.org/x/time/rate): for
// failed authentications, where an IP that has spent its allowance gets
// 429 instead of 401 (requests with good tokens are never slowed), and for
// the revocation endpoint.
type ipLimiter struct {
	mu    sync.Mutex
	ips   map[string]*rate.Limiter
	now   func() time.Time
	rate  rate.Limit
	burst int
}

// Failed authentications allowed per client IP: 50 at once, then 10 a
// second. Leak reports to /oauth/revoke: 20 at once, then one every 3 s.
const (
	failBurst   = 50
	failRate    = 10
	revokeBurst = 20
	revokeRate  = 1.0 / 3
)

func newIPLimiter(now func() time.Time, r rate.Limit, burst int) *ipLimiter {
	return &ipLimiter{ips: map[string]*rate.Limiter{}, now: now, rate: r, burst: burst}
}

// take spends one from ip's bucket and returns how long ip must wait until
// it may again (0: this one was within the allowance).
func (f *ipLimiter) take(ip string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	l := f.ips[ip]
	if l == nil {
		if len(f.ips) > 100_000 {
			f.sweep(now)
		}
		l = rate.NewLimiter(f.rate, f.burst)
		f.ips[ip] = l
	}
	if l.AllowN(now, 1) {
		return 0
	}
	return time.Duration((1 - l.TokensAt(now)) / float64(f.rate) * float64(time.Second))
}

// sweep forgets IPs whose allowance has refilled (lock held).
func (f *ipLimiter) sweep(now time.Time) {
	for ip, l := range f.ips {
		if l.TokensAt(now) >= float64(f.burst) {
			delete(f.ips, ip)
		}
	}
}

// tokenChecker finds the token a presented secret belongs to, through its
// cache.
type tokenChecker struct {
	db    *store.DB
	cache tokenCache
}
