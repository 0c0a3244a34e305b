package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// recordUsesEach is RecordUses for an engine in this process (SQLite): a
// statement is a function call there, not a round trip, and prepared
// statements run token by token cost less than building and parsing the
// batch's JSON.
func recordUsesEach(ctx context.Context, tx *Tx, order []string, by map[string]*tokenUses) error {
	st, err := prepareUses(ctx, tx)
	defer st.close()
	if err != nil {
		return err
	}
	for _, id := range order {
		g := by[id]
		res, err := st.last.ExecContext(ctx, named("id", id), named("at", formatTime(g.latest.At)), named("ip", g.latest.IP),
			named("ua", g.latest.UserAgent), named("what", g.latest.What), named("month", g.month), named("n", g.count))
		if err != nil {
			return fmt.Errorf("record use of %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			continue // an unknown token has nothing to record
		}
		for _, d := range slices.Sorted(maps.Keys(g.days)) {
			if _, err := st.daily.ExecContext(ctx, id, d, g.days[d]); err != nil {
				return fmt.Errorf("record daily use of %s: %w", id, err)
			}
		}
		added, err := recordIPsEach(ctx, st, id, g.ips)
		if err != nil {
			return err
		}
		if !added {
			continue
		}
		if _, err := st.prune.ExecContext(ctx, id, keptIPs); err != nil {
			return fmt.Errorf("prune ips of %s: %w", id, err)
		}
	}
	return nil
}

// useStmts are the statements recordUsesEach runs, prepared once per batch.
type useStmts struct {
	last, seen, ip, prune, daily *Stmt
}

func prepareUses(ctx context.Context, tx *Tx) (useStmts, error) {
	var st useStmts
	var err error
	// Every SET reads the row as it was, so the CASEs all compare the old
	// last use.
	st.last, err = tx.PrepareContext(ctx, `UPDATE tokens SET
		last_used_ip   = CASE WHEN last_used_at IS NULL OR last_used_at <= :at THEN :ip ELSE last_used_ip END,
		last_used_ua   = CASE WHEN last_used_at IS NULL OR last_used_at <= :at THEN :ua ELSE last_used_ua END,
		last_used_what = CASE WHEN last_used_at IS NULL OR last_used_at <= :at THEN :what ELSE last_used_what END,
		last_used_at   = CASE WHEN last_used_at IS NULL OR last_used_at <= :at THEN :at ELSE last_used_at END,
		quota_used     = CASE WHEN quota_month = :month THEN quota_used + :n WHEN quota_month < :month THEN :n ELSE quota_used END,
		quota_month    = MAX(quota_month, :month)
		WHERE id = :id`)
	if err != nil {
		return st, err
	}
	st.seen, err = tx.PrepareContext(ctx, `UPDATE token_ips SET
		user_agent = CASE WHEN ?3 >= last_seen_ns THEN ?4 ELSE user_agent END,
		last_seen_at = CASE WHEN ?3 >= last_seen_ns THEN ?5 ELSE last_seen_at END,
		last_seen_ns = MAX(last_seen_ns, ?3) WHERE token_id = ?1 AND ip = ?2`)
	if err != nil {
		return st, err
	}
	st.ip, err = tx.PrepareContext(ctx, `INSERT INTO token_ips (token_id, ip, user_agent, last_seen_at, last_seen_ns) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return st, err
	}
	st.prune, err = tx.PrepareContext(ctx, `DELETE FROM token_ips WHERE token_id = ?1 AND ip NOT IN
		(SELECT ip FROM token_ips WHERE token_id = ?1 ORDER BY last_seen_ns DESC, ip LIMIT ?2)`)
	if err != nil {
		return st, err
	}
	st.daily, err = tx.PrepareContext(ctx, `INSERT INTO token_usage_daily (token_id, day, requests) VALUES (?, ?, ?)
		ON CONFLICT (token_id, day) DO UPDATE SET requests = token_usage_daily.requests + excluded.requests`)
	return st, err
}

func (st useStmts) close() {
	for _, s := range []*Stmt{st.last, st.seen, st.ip, st.prune, st.daily} {
		if s != nil {
			s.Close()
		}
	}
}

// recordIPsEach notes each IP's latest use by the token: in place for an IP
// it has, as a new row for one it has not (added says so, and then the list
// must be pruned).
func recordIPsEach(ctx context.Context, st useStmts, id string, ips map[string]Use) (bool, error) {
	added := false
	for _, addr := range slices.Sorted(maps.Keys(ips)) {
		u := ips[addr]
		res, err := st.seen.ExecContext(ctx, id, addr, u.At.UnixNano(), u.UserAgent, formatTime(u.At))
		if err != nil {
			return false, fmt.Errorf("record ip of %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, err
		} else if n > 0 {
			continue
		}
		if _, err := st.ip.ExecContext(ctx, id, addr, u.UserAgent, formatTime(u.At), u.At.UnixNano()); err != nil {
			return false, fmt.Errorf("record ip of %s: %w", id, err)
		}
		added = true
	}
	return added, nil
}
