package engine

import (
	"context"
	"log/slog"
	"time"

	"tokenward/store"
)

// ExpiryInterval is how often the expiry warnings are looked for (and once
// at start); MailInterval how often queued notifications are emailed.
const (
	ExpiryInterval = time.Minute
	MailInterval   = 5 * time.Second
)

// The jobs' names in the job claim, and how long a pass holds its claim:
// the expiry pass for its interval, so another process skips it until
// then; the mail pass well past the longest pass (a slow mail server), so
// two processes never email the same queue at once. The holder renews its
// claim on every pass; another process takes over once it runs out.
const (
	ExpiryJob   = "expiry-notices"
	MailJob     = "mail"
	ExpiryClaim = ExpiryInterval
	MailClaim   = 5 * time.Minute
)

// NoticeJob is the background work of notifications: the expiry pass and
// the mail pass, until close.
type NoticeJob struct {
	db    *store.DB
	log   *slog.Logger
	mail  *Mailer
	claim JobClaim

	ctx    context.Context // cancelled by close, so a slow mail server does not hold up shutdown
	cancel context.CancelFunc
	done   chan struct{}
}

// NewNoticeJob makes the job; each pass runs only when claim gives this
// process the job, so several processes on one database run it once.
func NewNoticeJob(db *store.DB, log *slog.Logger, m *Mailer, claim JobClaim) *NoticeJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &NoticeJob{db: db, log: log, mail: m, claim: claim, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// Run does an expiry pass at once and then every ExpiryInterval, and a
// mail pass every MailInterval.
func (j *NoticeJob) Run() {
	defer close(j.done)
	expiry := time.NewTicker(ExpiryInterval)
	defer expiry.Stop()
	mail := time.NewTicker(MailInterval)
	defer mail.Stop()
	j.expiryPass()
	for {
		select {
		case <-j.ctx.Done():
			return
		case <-expiry.C:
			j.expiryPass()
		case <-mail.C:
			j.mailPass()
		}
	}
}

// claimed reports whether this process holds job now; a failed claim is
// logged and the pass skipped until the next tick.
func (j *NoticeJob) claimed(job string, d time.Duration) bool {
	ok, err := j.claim.Claim(j.ctx, job, d)
	if err != nil && j.ctx.Err() == nil {
		j.log.Error("claiming a background job failed; trying again next pass", "job", job, "error", err)
	}
	return ok && err == nil
}

func (j *NoticeJob) expiryPass() {
	if !j.claimed(ExpiryJob, ExpiryClaim) {
		return
	}
	start := time.Now() // a stopwatch for the log, not a time of record
	n, err := j.db.NotifyExpiries(j.ctx)
	switch {
	case err != nil && j.ctx.Err() == nil:
		j.log.Error("expiry notifications failed; trying again next pass", "error", err)
	case n > 0:
		j.log.Info("expiry notifications created", "count", n, "took", time.Since(start).Round(time.Millisecond))
		j.mailPass()
	}
}

func (j *NoticeJob) mailPass() {
	if !j.claimed(MailJob, MailClaim) {
		return
	}
	if _, err := j.mail.Pass(j.ctx); err != nil && j.ctx.Err() == nil {
		j.log.Error("emailing notifications failed", "error", err)
	}
}

// Close stops the job and waits for a pass under way.
func (j *NoticeJob) Close() {
	j.cancel()
	<-j.done
}
