package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"tokenward/store"
)

// The engine room's seams: what a set of replicas over one database must
// share, each an interface with the single-node implementation beside it.

// ChangeFeed is how the token check learns that tokens changed. Its
// counters move on every committed change: TokenGeneration on any change to
// a token, its owner or its org's policy (the check's cache holds an entry
// only while the generation is the one it was read at), TokenCreations when
// a token is made (an "unknown token" answer holds only while it stands).
// *store.DB is the implementation for one process: its counters move as
// its own writes commit. An implementation for replicas must move them for
// a change committed by any process before this process checks its next
// token.
type ChangeFeed interface {
	TokenGeneration() uint64
	TokenCreations() uint64
}

// AttemptThrottle counts attempts per account and per client IP, taken
// before each attempt is checked: Take spends one and says how long to wait
// when none is left, Refund gives back one that could not be judged, and
// Succeed one that turned out good. FailThrottle keeps the counts in this
// process; replicas need one store of counts for all of them.
type AttemptThrottle interface {
	Take(account, ip string) time.Duration
	Refund(account, ip string)
	Succeed(account, ip string)
}

// IPThrottle limits requests per client IP: Take spends one and says how
// long to wait when none is left. IPLimiter keeps the counts in this
// process.
type IPThrottle interface {
	Take(ip string) time.Duration
}

// JobClaim makes a background pass run once across processes: a pass runs
// only when Claim gives this process the job for ttl (a renewal while it
// keeps running). StoreClaim is the implementation over the database.
type JobClaim interface {
	Claim(ctx context.Context, job string, ttl time.Duration) (bool, error)
}

// StoreClaim claims jobs in the database's job_claims table for Holder.
type StoreClaim struct {
	DB     *store.DB
	Holder string
}

// NewStoreClaim is a claim for this process, under a random holder id.
func NewStoreClaim(db *store.DB) *StoreClaim {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return &StoreClaim{DB: db, Holder: hex.EncodeToString(b)}
}

// Claim gives the job to this process for ttl, when nobody else holds it.
func (c *StoreClaim) Claim(ctx context.Context, job string, ttl time.Duration) (bool, error) {
	return c.DB.ClaimJob(ctx, job, c.Holder, ttl)
}

var (
	_ ChangeFeed      = (*store.DB)(nil)
	_ AttemptThrottle = (*FailThrottle)(nil)
	_ IPThrottle      = (*IPLimiter)(nil)
	_ JobClaim        = (*StoreClaim)(nil)
)
