package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Use is one accepted request made with a token (or one introspection of
// it), gathered in memory and written in batches by RecordUses.
type Use struct {
	TokenID   string
	At        time.Time
	IP        string
	UserAgent string
	What      string // "GET /api/v1/token", or which service introspected it
	// Count is how many uses this entry stands for, when a recorder has
	// folded several from one IP into it; 0 means 1.
	Count int64
}

// TokenIP is one of a token's most recent distinct client IPs.
type TokenIP struct {
	IP         string
	UserAgent  string
	LastSeenAt time.Time
}

// keptIPs is how many distinct client IPs a token remembers.
const keptIPs = 5

// maxUseText bounds the user agent and "what" kept from a request, so a
// client cannot grow the database with a huge header.
const maxUseText = 512

// tokenUses is one token's share of a batch.
type tokenUses struct {
	latest Use
	month  string           // the latest use's month, "2006-01" UTC
	count  int64            // uses in that month
	ips    map[string]Use   // the latest use from each IP
	days   map[string]int64 // requests per UTC day, "2006-01-02"
}

// groupUses folds a batch per token, keeping the order tokens first appear
// in so writes are deterministic.
func groupUses(uses []Use) ([]string, map[string]*tokenUses) {
	var order []string
	by := map[string]*tokenUses{}
	for _, u := range uses {
		// Compare at full precision: two uses in one second still have an
		// order. What is stored has second precision (formatTime).
		u.At = u.At.UTC()
		u.UserAgent, u.What = clip(u.UserAgent), clip(u.What)
		g := by[u.TokenID]
		if g == nil {
			g = &tokenUses{latest: u, ips: map[string]Use{}}
			by[u.TokenID] = g
			order = append(order, u.TokenID)
		} else if !u.At.Before(g.latest.At) {
			g.latest = u
		}
		if u.IP != "" {
			if prev, ok := g.ips[u.IP]; !ok || !u.At.Before(prev.At) {
				g.ips[u.IP] = u
			}
		}
	}
	// Quota counts only the latest month's uses: a batch that spans a month
	// boundary starts the new month's count.
	for _, g := range by {
		g.month = g.latest.At.Format("2006-01")
	}
	for _, u := range uses {
		g := by[u.TokenID]
		if u.At.UTC().Format("2006-01") == g.month {
			g.count += max(1, u.Count)
		}
		g.addDay(u) // every use counts on its own day, however old
	}
	return order, by
}

// clip cuts s to maxUseText bytes without splitting a character.
func clip(s string) string {
	if len(s) <= maxUseText {
		return s
	}
	s = s[:maxUseText]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// RecordUses writes a batch of uses in one transaction: each token's last
// use (never moved backwards), its quota count for the month of its latest
// use (reset when that month is new), its requests per day (UTC) and its
// five most recent distinct client IPs. Uses of unknown tokens are ignored.
func (db *DB) RecordUses(ctx context.Context, uses []Use) error {
	if len(uses) == 0 {
		return nil
	}
	order, by := groupUses(uses)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
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
		if err := recordDays(ctx, st.daily, id, g.days); err != nil {
			return err
		}
		if len(g.ips) == 0 {
			continue // no IPs, nothing to prune
		}
		added, err := recordIPs(ctx, st, id, g.ips)
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
	return tx.Commit()
}

// useStmts are the statements a batch of uses runs, prepared once per batch.
type useStmts struct {
	last, seen, ip, prune, daily *Stmt
}

func prepareUses(ctx context.Context, tx *Tx) (useStmts, error) {
	var st useStmts
	var err error
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
	// Most uses come from an IP the token already has: update it in place,
	// and only insert (and prune to five) for a new one.
	// last_seen_ns (the use's time at full precision) orders the IPs;
	// last_seen_at is its second, as every timestamp is stored.
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
	st.daily, err = tx.PrepareContext(ctx, dailyUpsert)
	if err != nil {
		return st, err
	}
	return st, nil
}

func (st useStmts) close() {
	for _, s := range []*Stmt{st.last, st.seen, st.ip, st.prune, st.daily} {
		if s != nil {
			s.Close()
		}
	}
}

// recordIPs notes each IP's latest use by token id: in place for an IP it
// has, as a new row for one it has not (added says so, and then the list
// must be pruned).
func recordIPs(ctx context.Context, st useStmts, id string, ips map[string]Use) (bool, error) {
	added := false
	for addr, u := range ips {
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

// TokenIPs lists a token's most recent distinct client IPs, newest first.
func (db *DB) TokenIPs(ctx context.Context, tokenID string) ([]TokenIP, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT ip, user_agent, last_seen_at FROM token_ips
		WHERE token_id = ? ORDER BY last_seen_ns DESC, ip LIMIT ?`, tokenID, keptIPs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TokenIP
	for rows.Next() {
		var t TokenIP
		var seen sql.NullString
		if err := rows.Scan(&t.IP, &t.UserAgent, &seen); err != nil {
			return nil, err
		}
		t.LastSeenAt = scanTime(seen)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenEvents returns the audit events about one of an org's tokens, newest
// first. audit_events_target (target_type, target_id, id) serves both the
// filter and the order.
func (db *DB) TokenEvents(ctx context.Context, orgID int64, tokenID string, limit int) ([]Event, error) {
	return db.queryEvents(ctx, `WHERE target_type = 'token' AND target_id = ? AND org_id = ? ORDER BY id DESC LIMIT ?`,
		tokenID, orgID, max(1, limit))
}

// QuotaCount is a token's quota count as stored: the month it counts and
// the requests counted in it.
type QuotaCount struct {
	Month string
	Used  int64
}

// QuotaCounts reads the stored quota counts of the tokens ids (those that
// exist), which every process sharing the database adds its uses to.
func (db *DB) QuotaCounts(ctx context.Context, ids []string) (map[string]QuotaCount, error) {
	out := make(map[string]QuotaCount, len(ids))
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, quota_month, quota_used FROM tokens WHERE id IN (`+noticePlaceholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var c QuotaCount
			if err := rows.Scan(&id, &c.Month, &c.Used); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
