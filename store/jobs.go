package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimJob takes the claim on job for holder until d from now, by the
// store's clock, and reports whether holder has it: it is taken when no one
// holds it, when the last claim has run out, or when holder holds it
// already (which extends it). One write transaction, so of several
// processes asking at once exactly one gets a free claim.
func (db *DB) ClaimJob(ctx context.Context, job, holder string, d time.Duration) (bool, error) {
	if job == "" || holder == "" || d <= 0 {
		return false, fmt.Errorf("claim job %q: needs a job, a holder and a duration", job)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO job_claims (job, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE job_claims.until <= ? OR job_claims.holder = excluded.holder`,
		job, holder, formatTime(tx.now.Add(d)), formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("claim job %q: %w", job, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim job %q: %w", job, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("claim job %q: %w", job, err)
	}
	return n == 1, nil
}
