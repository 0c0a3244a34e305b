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

// NewNoticeJob is the notification job; each of its passes runs only when
// claim gives this process the pass, so replicas do not run it twice.
func NewNoticeJob(db *store.DB, log *slog.Logger, m *Mailer, claim JobClaim) *NoticeJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &NoticeJob{db: db, log: log, mail: m, claim: claim, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// claimed reports whether this process runs job's pass now. The claim
// outlasts one interval, so the process that has it keeps it while it runs.
func (j *NoticeJob) claimed(job string, every time.Duration) bool {
	ok, err := j.claim.Claim(j.ctx, job, every+every/2)
	if err != nil && j.ctx.Err() == nil {
		j.log.Error("claiming a background pass failed; trying again next pass", "job", job, "error", err)
	}
	return ok && err == nil
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

func (j *NoticeJob) expiryPass() {
	if !j.claimed("expiry", ExpiryInterval) {
		return
	}
	start := time.Now()
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
	if !j.claimed("mail", MailInterval) {
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
