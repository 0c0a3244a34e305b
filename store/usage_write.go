package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// RecordUses writes a batch of uses in one transaction: each token's last
// use (never moved backwards), its quota count for the month of its latest
// use (reset when that month is new), its requests per day (UTC) and its
// five most recent distinct client IPs. Uses of unknown tokens are ignored.
//
// On PostgreSQL each of those is one statement for the whole batch, its
// rows passed as one JSON argument, rather than a statement per token: a
// statement is a round trip there, and a flush of thousands of tokens made
// one by one held the write lock, which every replica's writes wait on, for
// seconds. SQLite runs in this process, where prepared statements token by
// token cost less (recordUsesEach).
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
	if !db.dialect.postgres {
		if err := recordUsesEach(ctx, tx, order, by); err != nil {
			return err
		}
		return tx.Commit()
	}
	known, err := recordLastUses(ctx, tx, order, by)
	if err != nil {
		return err
	}
	// The tokens that exist, in the batch's order.
	live := slices.DeleteFunc(slices.Clone(order), func(id string) bool { return !known[id] })
	if len(live) == 0 {
		return nil
	}
	if err := recordDays(ctx, tx, live, by); err != nil {
		return err
	}
	if err := recordIPs(ctx, tx, live, by); err != nil {
		return err
	}
	return tx.Commit()
}

// batchRows encodes a batch's rows as the JSON argument of dialect.rows.
func batchRows(rows any) (string, error) {
	b, err := json.Marshal(rows)
	return string(b), err
}

// lastUseRow is one token's share of a batch, as recordLastUses sends it.
type lastUseRow struct {
	Tok   string `json:"tok"`
	At    string `json:"at"`
	Addr  string `json:"addr"`
	UA    string `json:"ua"`
	What  string `json:"what"`
	Month string `json:"month"`
	N     int64  `json:"n"`
}

// recordLastUses moves each token's last use forward and adds to its quota
// count, and returns the ids of the tokens that exist.
func recordLastUses(ctx context.Context, tx *Tx, order []string, by map[string]*tokenUses) (map[string]bool, error) {
	rows := make([]lastUseRow, len(order))
	for i, id := range order {
		g := by[id]
		rows[i] = lastUseRow{Tok: id, At: formatTime(g.latest.At), Addr: g.latest.IP, UA: g.latest.UserAgent,
			What: g.latest.What, Month: g.month, N: g.count}
	}
	arg, err := batchRows(rows)
	if err != nil {
		return nil, err
	}
	// Every SET reads the row as it was, so the CASEs all compare the old
	// last use.
	res, err := tx.QueryContext(ctx, `UPDATE tokens SET
		last_used_ip   = CASE WHEN last_used_at IS NULL OR last_used_at <= v.at THEN v.addr ELSE last_used_ip END,
		last_used_ua   = CASE WHEN last_used_at IS NULL OR last_used_at <= v.at THEN v.ua ELSE last_used_ua END,
		last_used_what = CASE WHEN last_used_at IS NULL OR last_used_at <= v.at THEN v.what ELSE last_used_what END,
		last_used_at   = CASE WHEN last_used_at IS NULL OR last_used_at <= v.at THEN v.at ELSE last_used_at END,
		quota_used     = CASE WHEN quota_month = v.month THEN quota_used + v.n WHEN quota_month < v.month THEN v.n ELSE quota_used END,
		quota_month    = MAX(quota_month, v.month)
		FROM `+tx.db.dialect.rows("tok TEXT", "at TEXT", "addr TEXT", "ua TEXT", "what TEXT", "month TEXT", "n BIGINT")+`
		WHERE tokens.id = v.tok
		RETURNING tokens.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("record last uses: %w", err)
	}
	defer res.Close()
	known := make(map[string]bool, len(order))
	for res.Next() {
		var id string
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		known[id] = true
	}
	return known, res.Err()
}

// dayRow is one token's requests on one day.
type dayRow struct {
	Tok string `json:"tok"`
	Day string `json:"day"`
	N   int64  `json:"n"`
}

// recordDays adds the tokens' shares of a batch to their per-day counts,
// each token's days in order so writes are deterministic.
func recordDays(ctx context.Context, tx *Tx, ids []string, by map[string]*tokenUses) error {
	var rows []dayRow
	for _, id := range ids {
		days := by[id].days
		for _, d := range slices.Sorted(maps.Keys(days)) {
			rows = append(rows, dayRow{Tok: id, Day: d, N: days[d]})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	arg, err := batchRows(rows)
	if err != nil {
		return err
	}
	// WHERE true tells SQLite's parser that ON CONFLICT is the upsert's.
	if _, err := tx.ExecContext(ctx, `INSERT INTO token_usage_daily (token_id, day, requests)
		SELECT v.tok, v.day, v.n FROM `+tx.db.dialect.rows("tok TEXT", "day TEXT", "n BIGINT")+` WHERE true
		ON CONFLICT (token_id, day) DO UPDATE SET requests = token_usage_daily.requests + excluded.requests`, arg); err != nil {
		return fmt.Errorf("record daily uses: %w", err)
	}
	return nil
}

// ipRow is a token's latest use from one IP.
type ipRow struct {
	Tok  string `json:"tok"`
	Addr string `json:"addr"`
	UA   string `json:"ua"`
	At   string `json:"at"`
	NS   int64  `json:"ns"`
}

// ipCols are ipRow's columns for dialect.rows.
var ipCols = []string{"tok TEXT", "addr TEXT", "ua TEXT", "at TEXT", "ns BIGINT"}

// recordIPs notes each IP's latest use by token: in place for an IP the
// token has, as a new row for one it has not; a token given a new row is
// then pruned to its keptIPs most recent. last_seen_ns (the use's time at
// full precision) orders the IPs; last_seen_at is its second, as every
// timestamp is stored.
func recordIPs(ctx context.Context, tx *Tx, ids []string, by map[string]*tokenUses) error {
	var rows []ipRow
	for _, id := range ids {
		ips := by[id].ips
		for _, addr := range slices.Sorted(maps.Keys(ips)) {
			u := ips[addr]
			rows = append(rows, ipRow{Tok: id, Addr: addr, UA: u.UserAgent, At: formatTime(u.At), NS: u.At.UnixNano()})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	seen, err := updateIPs(ctx, tx, rows)
	if err != nil {
		return err
	}
	// Most uses come from an IP the token already has; the rest are new.
	fresh := slices.DeleteFunc(rows, func(r ipRow) bool { return seen[[2]string{r.Tok, r.Addr}] })
	if len(fresh) == 0 {
		return nil
	}
	arg, err := batchRows(fresh)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO token_ips (token_id, ip, user_agent, last_seen_at, last_seen_ns)
		SELECT v.tok, v.addr, v.ua, v.at, v.ns FROM `+tx.db.dialect.rows(ipCols...), arg); err != nil {
		return fmt.Errorf("record new ips: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM token_ips
		WHERE token_id IN (SELECT v.tok FROM %s)
		AND ip NOT IN (SELECT k.ip FROM token_ips AS k WHERE k.token_id = token_ips.token_id
			ORDER BY k.last_seen_ns DESC, k.ip LIMIT %d)`, tx.db.dialect.rows(ipCols...), keptIPs), arg); err != nil {
		return fmt.Errorf("prune ips: %w", err)
	}
	return nil
}

// updateIPs updates the IP rows tokens have, never moving one backwards,
// and returns which (token, IP) pairs it found.
func updateIPs(ctx context.Context, tx *Tx, rows []ipRow) (map[[2]string]bool, error) {
	arg, err := batchRows(rows)
	if err != nil {
		return nil, err
	}
	res, err := tx.QueryContext(ctx, `UPDATE token_ips SET
		user_agent   = CASE WHEN v.ns >= last_seen_ns THEN v.ua ELSE user_agent END,
		last_seen_at = CASE WHEN v.ns >= last_seen_ns THEN v.at ELSE last_seen_at END,
		last_seen_ns = MAX(last_seen_ns, v.ns)
		FROM `+tx.db.dialect.rows(ipCols...)+`
		WHERE token_ips.token_id = v.tok AND token_ips.ip = v.addr
		RETURNING token_ips.token_id, token_ips.ip`, arg)
	if err != nil {
		return nil, fmt.Errorf("record ips: %w", err)
	}
	defer res.Close()
	seen := make(map[[2]string]bool, len(rows))
	for res.Next() {
		var k [2]string
		if err := res.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		seen[k] = true
	}
	return seen, res.Err()
}
