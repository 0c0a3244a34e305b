package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
)

// Expiry warnings go out 30, 7 and 1 days before a token's effective
// expiry; the "expired" notice only for tokens that expired within
// expiredLookback, so a first start (or a long outage) does not flood
// owners with news of tokens that died long ago.
const (
	warnAhead       = 30 * 24 * time.Hour
	expiredLookback = 7 * 24 * time.Hour
)

// expiryWindows are the warnings, most urgent first.
var expiryWindows = []struct {
	kind   string
	before time.Duration
}{
	{NoticeExpires1d, 24 * time.Hour},
	{NoticeExpires7d, 7 * 24 * time.Hour},
	{NoticeExpires30d, 30 * 24 * time.Hour},
}

// expiryKinds is the SQL list of the kinds the expiry_once key covers; it
// is spelled as in the index so the planner uses it.
const expiryKinds = `('expires_30d', 'expires_7d', 'expires_1d', 'expired')`

// expiryNoticeFor is the notice a live token is due at now, or "". A
// token is warned for a window only if it lived longer than the window
// (a 7-day token gets no "expires in 7 days" warning the moment it is
// made), and only for the most urgent window it is in.
func expiryNoticeFor(created, expires, now time.Time) string {
	if expires.IsZero() {
		return ""
	}
	left := expires.Sub(now)
	if left <= 0 {
		if -left <= expiredLookback {
			return NoticeExpired
		}
		return ""
	}
	for _, w := range expiryWindows {
		if left <= w.before {
			if expires.Sub(created) > w.before {
				return w.kind
			}
			return ""
		}
	}
	return ""
}

// expiryCandidate is a live token whose effective expiry is near.
type expiryCandidate struct {
	tok     Token
	slug    string
	expires time.Time
	have    string // the expiry notices it already has, space-separated
}

// NotifyExpiries creates the expiry warnings and expired notices that are
// due, each at most once per token (a unique key makes re-runs and
// restarts harmless), and returns how many it created. It reads, per org,
// only the tokens whose own expiry, or creation plus the policy's maximum
// lifetime, falls in the window, through indexed range queries.
func (db *DB) NotifyExpiries(ctx context.Context) (int, error) {
	now := db.now()
	due, err := db.dueExpiryNotices(ctx, now)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	created := 0
	// Short write transactions, so token checks and changes never wait long
	// for the writer.
	for start := 0; start < len(due); start += 500 {
		n, err := db.insertExpiryNotices(ctx, due[start:min(start+500, len(due))])
		created += n
		if err != nil {
			return created, err
		}
	}
	return created, nil
}

type dueNotice struct {
	c    expiryCandidate
	kind string
}

// dueExpiryNotices reads the candidates on the reader pool and keeps those
// missing the notice they are due.
func (db *DB) dueExpiryNotices(ctx context.Context, now time.Time) ([]dueNotice, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	orgs, err := tx.QueryContext(ctx, `SELECT id, slug, COALESCE(policy_max_days, 0) FROM organizations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	type orgPolicy struct {
		id      int64
		slug    string
		maxDays int
	}
	var list []orgPolicy
	for orgs.Next() {
		var o orgPolicy
		if err := orgs.Scan(&o.id, &o.slug, &o.maxDays); err != nil {
			orgs.Close()
			return nil, err
		}
		list = append(list, o)
	}
	orgs.Close()
	if err := orgs.Err(); err != nil {
		return nil, err
	}
	var due []dueNotice
	for _, o := range list {
		cands, err := expiryCandidates(ctx, tx, o.id, o.maxDays, now)
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			c.slug = o.slug
			kind := expiryNoticeFor(c.tok.CreatedAt, c.expires, now)
			if kind != "" && !strings.Contains(" "+c.have+" ", " "+kind+" ") {
				due = append(due, dueNotice{c: c, kind: kind})
			}
		}
	}
	return due, nil
}

// expiryCandidates are an org's live, enabled tokens whose effective expiry
// is between expiredLookback ago and warnAhead from now.
func expiryCandidates(ctx context.Context, tx *Tx, orgID int64, maxDays int, now time.Time) ([]expiryCandidate, error) {
	from, to := formatTime(now.Add(-expiredLookback)), formatTime(now.Add(warnAhead))
	// One range per condition, each on an (org, kind, time) index, named
	// so that no later index (nor missing statistics) turns it into a scan.
	conds := []string{`INDEXED BY tokens_org_kind_expires WHERE t.expires_at > ? AND t.expires_at <= ?`}
	args := [][]any{{from, to}}
	if maxDays > 0 {
		cut := time.Duration(maxDays) * 24 * time.Hour
		conds = append(conds, `INDEXED BY tokens_org_kind_created WHERE t.created_at > ? AND t.created_at <= ?`)
		args = append(args, []any{formatTime(now.Add(-expiredLookback - cut)), formatTime(now.Add(warnAhead - cut))})
	}
	seen := map[string]bool{}
	var out []expiryCandidate
	for i, cond := range conds {
		q := `SELECT t.id, t.kind, t.name, t.creator_id, COALESCE(t.owner_user_id, 0), t.created_at, t.expires_at,
			COALESCE((SELECT string_agg(n.kind, ' ') FROM notifications n WHERE n.token_id = t.id AND n.kind IN ` + expiryKinds + `), '')
			FROM tokens t ` + cond + ` AND t.org_id = ? AND t.kind IN ('api', 'cli', 'service')
			AND t.revoked_at IS NULL AND t.disabled_at IS NULL`
		rows, err := tx.QueryContext(ctx, q, append(args[i], orgID)...)
		if err != nil {
			return nil, fmt.Errorf("expiry candidates: %w", err)
		}
		for rows.Next() {
			var c expiryCandidate
			var created, expires sql.NullString
			if err := rows.Scan(&c.tok.ID, &c.tok.Kind, &c.tok.Name, &c.tok.CreatorID, &c.tok.OwnerUserID, &created, &expires, &c.have); err != nil {
				rows.Close()
				return nil, err
			}
			if seen[c.tok.ID] {
				continue
			}
			seen[c.tok.ID] = true
			c.tok.OrgID = orgID
			c.tok.CreatedAt, c.tok.ExpiresAt = scanTime(created), scanTime(expires)
			c.expires = EffectiveExpiry(c.tok, maxDays)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertExpiryNotices writes a batch of due notices in one transaction. A
// token revoked or disabled since it was read is skipped; one that already
// has the notice is ignored by the unique key.
func (db *DB) insertExpiryNotices(ctx context.Context, due []dueNotice) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	created := 0
	for _, d := range due {
		t := d.c.tok
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, org_id, token_id, kind, message, link, created_at)
			SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NULL AND disabled_at IS NULL)
			ON CONFLICT DO NOTHING`,
			tokenOwner(t), t.OrgID, t.ID, d.kind, expiryMessage(t, d.kind, d.c.expires, tx.now),
			"/orgs/"+d.c.slug+"/settings/tokens/"+t.Kind+"/"+t.ID, formatTime(tx.now), t.ID)
		if err != nil {
			return created, fmt.Errorf("expiry notice for %s: %w", t.ID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			created++
		}
	}
	return created, tx.Commit()
}

// expiryMessage words an expiry notice with the exact time left.
func expiryMessage(t Token, kind string, expires, now time.Time) string {
	at := expires.UTC().Format("2006-01-02 15:04 UTC")
	if kind == NoticeExpired {
		return fmt.Sprintf("Your %s expired on %s. Requests with it are refused: make a new token and replace it where it is used.", tokenLabel(t), at)
	}
	return fmt.Sprintf("Your %s expires %s, on %s. Make a new token and replace it where it is used before then.", tokenLabel(t), timeLeft(expires.Sub(now)), at)
}

// timeLeft says how long until an expiry: "in 6 days", "in 5 hours".
func timeLeft(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("in %d days", int(math.Round(d.Hours()/24)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("in %d hours", int(math.Round(d.Hours())))
	case d > time.Hour:
		return "in about an hour"
	}
	return "within the hour"
}
