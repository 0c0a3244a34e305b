package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"tokenward/auth/fault"
)

// dayLayout is how a day is stored in token_usage_daily: its UTC date.
const dayLayout = "2006-01-02"

// maxUsageDays bounds the days one usage query returns, so a bad range
// cannot ask for a huge slice of zeros.
const maxUsageDays = 3660

// DayCount is how many requests a token served on one day (UTC).
type DayCount struct {
	Day      time.Time // midnight UTC
	Requests int64
}

// addDay counts a use in its token's per-day counts (UTC).
func (g *tokenUses) addDay(u Use) {
	if g.days == nil {
		g.days = map[string]int64{}
	}
	g.days[u.At.UTC().Format(dayLayout)] += max(1, u.Count)
}

// dayOf is t's UTC date at midnight.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// UsageByDay returns a token's requests for every day from from's UTC date
// to to's, oldest first, with zeros for days without requests.
func (db *DB) UsageByDay(ctx context.Context, tokenID string, from, to time.Time) ([]DayCount, error) {
	first, last := dayOf(from), dayOf(to)
	n := int(last.Sub(first).Hours()/24) + 1
	if n < 1 || n > maxUsageDays {
		return nil, fault.Field(EInvalid, "days", fmt.Sprintf("a usage range is 1 to %d days", maxUsageDays))
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT day, requests FROM token_usage_daily
		WHERE token_id = ? AND day BETWEEN ? AND ?`, tokenID, first.Format(dayLayout), last.Format(dayLayout))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]DayCount, n)
	for i := range out {
		out[i].Day = first.AddDate(0, 0, i)
	}
	for rows.Next() {
		var day string
		var requests int64
		if err := rows.Scan(&day, &requests); err != nil {
			return nil, err
		}
		if i, ok := dayIndex(first, day); ok && i < n {
			out[i].Requests = requests
		}
	}
	return out, rows.Err()
}

// dayIndex is how many days day ("2026-11-22") comes after first.
func dayIndex(first time.Time, day string) (int, bool) {
	d, err := time.Parse(dayLayout, day)
	if err != nil || d.Before(first) {
		return 0, false
	}
	return int(d.Sub(first).Hours() / 24), true
}

// UsageSparklines returns, for each of tokenIDs, its requests on each of
// the last days days (UTC, ending today by the store's clock), oldest
// first, zeros filled. Every id asked for has an entry. One query serves a
// whole page of tokens.
func (db *DB) UsageSparklines(ctx context.Context, tokenIDs []string, days int) (map[string][]int64, error) {
	if days < 1 || days > maxUsageDays {
		return nil, fault.Field(EInvalid, "days", fmt.Sprintf("a sparkline covers 1 to %d days", maxUsageDays))
	}
	out := make(map[string][]int64, len(tokenIDs))
	for _, id := range tokenIDs {
		out[id] = make([]int64, days)
	}
	if len(tokenIDs) == 0 {
		return out, nil
	}
	// Each id is a primary-key range seek, however many rows the table has.
	in := make([]string, 0, len(out))
	args := make([]any, 0, len(out)+2)
	for id := range out {
		in = append(in, "?")
		args = append(args, id)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	last := dayOf(tx.now)
	first := last.AddDate(0, 0, 1-days)
	rows, err := tx.QueryContext(ctx, `SELECT token_id, day, requests FROM token_usage_daily
		WHERE token_id IN (`+strings.Join(in, ", ")+`) AND day BETWEEN ? AND ?`,
		append(args, first.Format(dayLayout), last.Format(dayLayout))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, day string
		var requests int64
		if err := rows.Scan(&id, &day, &requests); err != nil {
			return nil, err
		}
		if i, ok := dayIndex(first, day); ok && i < days {
			out[id][i] = requests
		}
	}
	return out, rows.Err()
}
