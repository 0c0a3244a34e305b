package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

// CheckedToken is a token that passed the check, with its org (for policy
// and names) and whether its previous secret, inside a rotation grace, was
// the one presented.
type CheckedToken struct {
	Token store.Token
	Org   store.Org
	Prev  bool
	// Retired, when set, is when a rotation replaced the secret presented:
	// it names the token but no longer works.
	Retired time.Time
	// Self is the token's JSON less its last use and quota, made once per
	// cache entry for GET /api/v1/token (shared by the entry's copies);
	// active is its RFC 7662 answer, which nothing but a change to the token
	// or its org's policy (a new entry) alters.
	Self   *onceJSON
	Active *onceJSON
	// Grants are a personal token's standing org grants, by org slug: the
	// orgs it may reach and its owner's role in each (nil for other kinds).
	Grants []OrgGrant
}

// OrgGrant is one org a personal token reaches, with its owner's current
// role there.
type OrgGrant struct {
	Org       store.Org
	OwnerRole string
}

// Personal reports whether the token is a personal token, which reaches
// the orgs of its grants rather than one org of its own.
func (ct CheckedToken) Personal() bool { return ct.Token.Kind == string(auth.KindPersonal) }

// ForOrg is a personal token as a request for one of its orgs sees it:
// that org (its policy bounds the token there) and the owner's role in it.
// ok is false when no grant of the token stands for the org. Other tokens
// are returned as they are when the org is their own.
func (ct CheckedToken) ForOrg(slug string) (CheckedToken, bool) {
	if !ct.Personal() {
		return ct, ct.Org.Slug == slug
	}
	for _, g := range ct.Grants {
		if g.Org.Slug == slug {
			ct.Org = g.Org
			ct.Token.OrgID, ct.Token.OwnerRole = g.Org.ID, g.OwnerRole
			return ct, true
		}
	}
	return ct, false
}

// GrantSlugs lists the slugs of the orgs a personal token reaches.
func (ct CheckedToken) GrantSlugs() []string {
	out := make([]string, len(ct.Grants))
	for i, g := range ct.Grants {
		out[i] = g.Org.Slug
	}
	return out
}

// onceJSON is bytes computed at most once.
type onceJSON struct {
	once sync.Once
	b    []byte
}

func (o *onceJSON) Get(make func() []byte) []byte {
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
	ct  CheckedToken
}

// maxCached bounds the cache; when full it starts again empty.
const maxCached = 200_000

func (c *tokenCache) get(h [32]byte, gen uint64) (CheckedToken, bool) {
	c.mu.RLock()
	e, ok := c.m[h]
	c.mu.RUnlock()
	if !ok || e.gen != gen {
		return CheckedToken{}, false
	}
	return e.ct, true
}

func (c *tokenCache) put(h [32]byte, gen uint64, ct CheckedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[[32]byte]cacheEntry, 1024)
	}
	c.m[h] = cacheEntry{gen: gen, ct: ct}
}

// LookupToken finds the token a secret belongs to: checksum first, so
// garbage never reaches the database, then the cache or one indexed read.
func (s *TokenChecker) LookupToken(ctx context.Context, secret string) (CheckedToken, *fault.Error, error) {
	if _, err := auth.ParseToken(secret); err != nil {
		return CheckedToken{}, &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_token", Title: "Malformed token", Reason: "malformed",
			Message: "The token is malformed (" + err.Error() + "). Copy the whole token, which starts with twa_, twc_, tws_ or twp_."}, nil
	}
	h := auth.HashToken(secret)
	// Read the counters before the store, so a change during the read makes
	// what is cached stale rather than wrong.
	gen, creations, now := s.feed.TokenGeneration(), s.feed.TokenCreations(), s.DB.Now()
	if ct, ok := s.cache.get(h, gen); ok {
		return ct, nil, nil
	}
	unknown := &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_token", Title: "Unknown token", Reason: "unknown",
		Message: "This token is not known to Tokenward. Check that it was copied whole, or create a new one."}
	if s.cache.isUnknown(h, creations, now) {
		return CheckedToken{}, unknown, nil
	}
	t, prev, err := s.DB.TokenBySecretHash(ctx, h[:])
	var retired time.Time
	if store.IsNotFound(err) {
		t, retired, err = s.DB.RetiredSecret(ctx, h[:])
	}
	if store.IsNotFound(err) {
		s.cache.putUnknown(h, creations, now)
		return CheckedToken{}, unknown, nil
	}
	if err != nil {
		return CheckedToken{}, nil, err
	}
	org, err := s.DB.OrgByID(ctx, t.OrgID)
	if err != nil {
		return CheckedToken{}, nil, err
	}
	ct := CheckedToken{Token: t, Org: org, Prev: prev, Retired: retired, Self: &onceJSON{}, Active: &onceJSON{}}
	if ct.Personal() {
		if ct.Grants, err = s.grants(ctx, t.ID); err != nil {
			return CheckedToken{}, nil, err
		}
	}
	s.cache.put(h, gen, ct)
	return ct, nil, nil
}

// grants reads a personal token's standing grants and their orgs.
func (s *TokenChecker) grants(ctx context.Context, id string) ([]OrgGrant, error) {
	all, err := s.DB.TokenGrants(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []OrgGrant
	for _, g := range all {
		if !g.Live() {
			continue
		}
		org, err := s.DB.OrgByID(ctx, g.OrgID)
		if err != nil {
			return nil, err
		}
		out = append(out, OrgGrant{Org: org, OwnerRole: g.OwnerRole})
	}
	return out, nil
}

// Validate refuses a revoked, disabled or expired token (policy maximum
// included), the previous secret once its grace has passed, and a token
// that auth.TokenPrincipal says cannot act (a disabled user's CLI token).
func Validate(ct CheckedToken, now time.Time) *fault.Error {
	t := ct.Token
	refuse := func(title, outcome, msg string) *fault.Error {
		return &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_token", Title: title, Reason: outcome, Message: msg}
	}
	switch store.TokenStatus(t, now, ct.Org.Policy.MaxDays) {
	case store.StatusRevoked:
		return refuse("Token revoked", "revoked", fmt.Sprintf("This token was revoked on %s. Create a new one.", t.RevokedAt.Format(time.RFC3339)))
	case store.StatusDisabled:
		if ct.Personal() {
			return refuse("Token disabled", "disabled", "This personal token is disabled. Its owner can enable it again at /me/tokens.")
		}
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
	if _, ok := auth.TokenPrincipal(core.TokenBearer(t)); !ok {
		return refuse("Owner disabled", "owner_disabled", "This token is refused: "+auth.OwnerDisabledMessage+
			". It works again if a site admin enables the account.")
	}
	return nil
}

// TokenChecker finds the token a presented secret belongs to, through its
// cache, which the change feed tells when to forget.
type TokenChecker struct {
	DB    *store.DB
	feed  ChangeFeed
	cache tokenCache
}

// NewTokenChecker checks tokens in db, trusting its cache as feed says.
func NewTokenChecker(db *store.DB, feed ChangeFeed) *TokenChecker {
	return &TokenChecker{DB: db, feed: feed}
}
