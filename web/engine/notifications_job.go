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
	db   *store.DB
	log  *slog.Logger
	mail *Mailer

	ctx    context.Context // cancelled by close, so a slow mail server does not hold up shutdown
	cancel context.CancelFunc
	done   chan struct{}
}

func NewNoticeJob(db *store.DB, log *slog.Logger, m *Mailer) *NoticeJob {
	ctx, cancel := context.WithCancel(context.Background())
	return &NoticeJob{db: db, log: log, mail: m, ctx: ctx, cancel: cancel, done: make(chan struct{})}
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
	if _, err := j.mail.Pass(j.ctx); err != nil && j.ctx.Err() == nil {
		j.log.Error("emailing notifications failed", "error", err)
	}
}

// Close stops the job and waits for a pass under way.
func (j *NoticeJob) Close() {
	j.cancel()
	<-j.done
}
