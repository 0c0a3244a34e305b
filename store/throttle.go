package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ThrottleKey names one throttle bucket: its limit's name and whose it is.
type ThrottleKey struct {
	Name, Key string
}

// ThrottleState is a bucket as stored: how many attempts it lacked at Last.
// A bucket without a row has Used 0 (full).
type ThrottleState struct {
	ThrottleKey
	Used float64
	Last time.Time
}

// throttleKeep is how long a bucket row stays after its last attempt. Every
// limit refills far sooner, so a row this old is a full bucket.
const throttleKeep = 24 * time.Hour

// UpdateThrottles reads the buckets of keys (missing ones full), lets
// update change them and, when it returns true, writes them back: all in
// one write transaction, so of attempts made at once by any processes
// sharing the database each sees the others' takes. Rows a day older than
// now are pruned on the way.
func (db *DB) UpdateThrottles(ctx context.Context, now time.Time, keys []ThrottleKey, update func(states []ThrottleState) bool) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	states := make([]ThrottleState, len(keys))
	for i, k := range keys {
		states[i].ThrottleKey = k
		var ns int64
		err := tx.QueryRowContext(ctx, `SELECT used, last_ns FROM throttle_buckets WHERE name = ? AND key = ?`, k.Name, k.Key).Scan(&states[i].Used, &ns)
		if err == nil {
			states[i].Last = time.Unix(0, ns).UTC()
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read throttle %s: %w", k.Name, err)
		}
	}
	if !update(states) {
		return nil
	}
	for _, s := range states {
		if _, err := tx.ExecContext(ctx, `INSERT INTO throttle_buckets (name, key, used, last_ns) VALUES (?, ?, ?, ?)
			ON CONFLICT (name, key) DO UPDATE SET used = excluded.used, last_ns = excluded.last_ns`,
			s.Name, s.Key, s.Used, s.Last.UnixNano()); err != nil {
			return fmt.Errorf("write throttle %s: %w", s.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM throttle_buckets WHERE last_ns < ?`, now.Add(-throttleKeep).UnixNano()); err != nil {
		return fmt.Errorf("prune throttles: %w", err)
	}
	return tx.Commit()
}

// ForgetThrottles fills the buckets of keys again.
func (db *DB) ForgetThrottles(ctx context.Context, keys []ThrottleKey) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM throttle_buckets WHERE name = ? AND key = ?`, k.Name, k.Key); err != nil {
			return fmt.Errorf("forget throttle %s: %w", k.Name, err)
		}
	}
	return tx.Commit()
}
