package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimJob gives job to holder until ttl from now, when nobody holds it,
// its claim has run out, or holder has it already (a renewal). It reports
// whether holder has the job now: one write, so two processes asking at
// once cannot both win.
func (db *DB) ClaimJob(ctx context.Context, job, holder string, ttl time.Duration) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO job_claims (job, holder, until) VALUES (?1, ?2, ?3)
		ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE job_claims.holder = excluded.holder OR job_claims.until <= ?4`,
		job, holder, formatTime(tx.now.Add(ttl)), formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", job, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, tx.Commit()
}
