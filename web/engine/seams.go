package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"tokenward/store"
)

// ChangeFeed is how the token check learns that tokens changed, here or in
// another process sharing the database. The check cache tags what it holds
// with the counters it read before the look-up and uses an entry only while
// they stand still.
//
// TokenGeneration must move after every committed change that can refuse a
// token or change what it may do: revoke, disable, enable, rotate, edit,
// policy, role change, member removal, user disable. TokenCreations must
// move after every committed change that adds a token or a secret (and
// after every generation move), since "no such token" answers are cached
// against it.
//
// A replica's feed must guarantee that a change committed anywhere is seen
// (the counter has moved) before the next check here that could read it.
// A feed that cannot vouch for that (it lost its connection) must return a
// value it never returned before on every call until it has caught up, so
// the cache reads through. Today's feed is the store's in-process counters
// (*store.DB), exact for one process.
type ChangeFeed interface {
	// TokenGeneration moves when a token may be refused or act otherwise.
	TokenGeneration() uint64
	// TokenCreations moves when a token or secret is added.
	TokenCreations() uint64
}

var _ ChangeFeed = (*store.DB)(nil)

// JobClaim decides which process runs a background pass when several share
// the database: Claim reports whether this process holds job for the next
// d, taking it when it is free, run out or already its own. A pass runs
// only after a successful claim; d must exceed the longest pass, or a slow
// pass may overlap the next holder's.
type JobClaim interface {
	// Claim reports whether this process may run job's pass now, holding
	// it for d.
	Claim(ctx context.Context, job string, d time.Duration) (bool, error)
}

// storeClaim claims jobs in the database under this process's holder id.
type storeClaim struct {
	db     *store.DB
	holder string
}

// NewJobClaim is the job claim over the store's job_claims table, with a
// random holder id for this process.
func NewJobClaim(db *store.DB) (JobClaim, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &storeClaim{db: db, holder: hex.EncodeToString(b)}, nil
}

func (c *storeClaim) Claim(ctx context.Context, job string, d time.Duration) (bool, error) {
	return c.db.ClaimJob(ctx, job, c.holder, d)
}
