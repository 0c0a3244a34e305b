package store

import (
	"context"
	"database/sql"
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
