package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"tokenward/store"
)

// FlushInterval is how often gathered token uses are written. After a crash
// at most this much usage (last use, IPs, quota counts) is lost.
const FlushInterval = time.Second

// maxIPsInMemory bounds the IPs remembered per token between flushes; the
// store keeps five.
const maxIPsInMemory = 8

// UsageRecorder gathers token uses in memory so that checking a token never
// writes, and writes them in one transaction per flush. It also owns the
// quota counts of the running process.
type UsageRecorder struct {
	db  *store.DB
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]*pendingUses // by token id
	quota   map[string]*quotaCount  // by token id, tokens with a quota only

	every time.Duration // how often run flushes
	stop  chan struct{}
	done  chan struct{}
	// OnFlush reports each flush's duration and batch size (metrics).
	OnFlush func(d time.Duration, uses int, err error)
}

// pendingUses is one token's uses since the last flush, folded per IP.
type pendingUses struct {
	byIP map[string]*store.Use
}

type quotaCount struct {
	month string
	used  int64
}

func NewUsageRecorder(db *store.DB, log *slog.Logger, every time.Duration) *UsageRecorder {
	return &UsageRecorder{db: db, log: log, every: every, pending: map[string]*pendingUses{}, quota: map[string]*quotaCount{},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// Record adds one use of a token.
func (u *UsageRecorder) Record(use store.Use) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.addLocked(use, 1)
}

// addLocked folds n uses like use into the pending batch (lock held).
func (u *UsageRecorder) addLocked(use store.Use, n int64) {
	p := u.pending[use.TokenID]
	if p == nil {
		p = &pendingUses{byIP: map[string]*store.Use{}}
		u.pending[use.TokenID] = p
	}
	prev := p.byIP[use.IP]
	if prev == nil {
		if len(p.byIP) >= maxIPsInMemory {
			p.evictOldest()
		}
		use.Count = n
		p.byIP[use.IP] = &use
		return
	}
	count := prev.Count + n
	if use.At.Format("2006-01") != prev.At.Format("2006-01") {
		count = n // a new month starts a new count
	}
	if !use.At.Before(prev.At) {
		*prev = use
	}
	prev.Count = count
}

// evictOldest drops the least recent IP, handing its count to the newest,
// so quota counts survive the eviction.
func (p *pendingUses) evictOldest() {
	var oldest, newest *store.Use
	var oldestIP string
	for ip, u := range p.byIP {
		if oldest == nil || u.At.Before(oldest.At) {
			oldest, oldestIP = u, ip
		}
		if newest == nil || u.At.After(newest.At) {
			newest = u
		}
	}
	delete(p.byIP, oldestIP)
	if newest != oldest && newest.At.Format("2006-01") == oldest.At.Format("2006-01") {
		newest.Count += oldest.Count
	}
}

// TakeQuota counts one request against t's monthly quota and reports
// whether it is within it. Tokens without a quota always are. The first
// sight of a token in a month starts from the count the store holds.
func (u *UsageRecorder) TakeQuota(t store.Token, now time.Time) (ok bool, used int64) {
	if t.QuotaMonthly <= 0 {
		return true, 0
	}
	month := now.UTC().Format("2006-01")
	u.mu.Lock()
	defer u.mu.Unlock()
	q := u.quota[t.ID]
	if q == nil || q.month != month {
		q = &quotaCount{month: month}
		if t.QuotaMonth == month {
			q.used = t.QuotaUsed
		}
		u.quota[t.ID] = q
	}
	if q.used >= t.QuotaMonthly {
		return false, q.used
	}
	q.used++
	return true, q.used
}

// QuotaUsed is how much of t's quota this month has gone, counting uses not
// flushed yet.
func (u *UsageRecorder) QuotaUsed(t store.Token, now time.Time) int64 {
	month := now.UTC().Format("2006-01")
	u.mu.Lock()
	defer u.mu.Unlock()
	if q := u.quota[t.ID]; q != nil && q.month == month {
		return q.used
	}
	if t.QuotaMonth == month {
		return t.QuotaUsed
	}
	return 0
}

// Run flushes every u.every until close.
func (u *UsageRecorder) Run() {
	defer close(u.done)
	tick := time.NewTicker(u.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			u.Flush(context.Background())
		case <-u.stop:
			u.Flush(context.Background())
			return
		}
	}
}

// Flush writes everything gathered so far in one transaction. A failed
// write keeps the uses for the next flush. When replicas share the
// database it then reads their quota counts (see refreshQuotas).
func (u *UsageRecorder) Flush(ctx context.Context) {
	if u.write(ctx) && u.db.Shared() {
		u.refreshQuotas(ctx)
	}
}

// write writes the pending uses and reports whether the database has them
// all (true when there were none).
func (u *UsageRecorder) write(ctx context.Context) bool {
	u.mu.Lock()
	batch := u.pending
	u.pending = map[string]*pendingUses{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return true
	}
	var uses []store.Use
	for _, p := range batch {
		for _, use := range p.byIP {
			uses = append(uses, *use)
		}
	}
	start := time.Now() // a stopwatch for the flush metric, not a time of record
	err := u.db.RecordUses(ctx, uses)
	if u.OnFlush != nil {
		u.OnFlush(time.Since(start), len(uses), err)
	}
	if err != nil {
		u.log.Error("writing token uses failed; keeping them for the next flush", "uses", len(uses), "error", err)
		u.mu.Lock()
		for _, use := range uses {
			u.addLocked(use, max(1, use.Count))
		}
		u.mu.Unlock()
		return false
	}
	return true
}

// refreshQuotas makes each quota count the stored one (every replica's
// flushed uses) plus this process's uses not flushed yet, after a flush,
// when other processes share the database. Between two refreshes a replica
// counts only its own requests, so a token's quota can be overshot by at
// most the requests the other replicas admit for it within about two flush
// intervals: theirs reach the database within one, and this replica reads
// them within the next.
func (u *UsageRecorder) refreshQuotas(ctx context.Context) {
	u.mu.Lock()
	ids := make([]string, 0, len(u.quota))
	for id := range u.quota {
		ids = append(ids, id)
	}
	u.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	stored, err := u.db.QuotaCounts(ctx, ids)
	if err != nil {
		u.log.Warn("reading quota counts failed; counting this replica's requests only until the next flush", "error", err)
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, q := range u.quota {
		c, ok := stored[id]
		if !ok {
			continue
		}
		used := int64(0)
		if c.Month == q.month {
			used = c.Used
		}
		if p := u.pending[id]; p != nil {
			for _, use := range p.byIP {
				if use.At.UTC().Format("2006-01") == q.month {
					used += use.Count
				}
			}
		}
		q.used = used
	}
}

// Close stops the flush loop after a last flush.
func (u *UsageRecorder) Close() {
	select {
	case <-u.stop:
	default:
		close(u.stop)
	}
	<-u.done
}

// LastUse is a token's most recent use not yet written, if any.
func (u *UsageRecorder) LastUse(tokenID string) (store.Use, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	p := u.pending[tokenID]
	if p == nil {
		return store.Use{}, false
	}
	var latest store.Use
	for _, use := range p.byIP {
		if use.At.After(latest.At) || latest.At.IsZero() {
			latest = *use
		}
	}
	return latest, true
}
