package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/wneessen/go-mail"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
)

// smtpTimeout bounds connecting to the mail server and each command on it.
const SMTPTimeout = 10 * time.Second

// mailBatch is how many queued notifications one pass emails at most.
const mailBatch = 50

// smtpPasswordAAD binds a sealed SMTP password to its purpose.
const SMTPPasswordAAD = "smtp-password"

// Mailer emails notifications through the SMTP server the site admin set
// up. The queue is the notifications table: a pass sends what is not
// emailed yet and records the outcome, so nothing is lost on a restart and
// a request never waits for a mail server.
type Mailer struct {
	db     *store.DB
	log    *slog.Logger
	Sealer *auth.Sealer // the SMTP password's own key
	public string
	// tlsConfig, when set, is used for TLS and STARTTLS (tests trust their
	// own certificate with it).
	TLSConfig *tls.Config

	mu sync.Mutex // one pass at a time, so no notification is sent twice
}

// NewMailer derives the SMTP password key from the deployment key.
func NewMailer(db *store.DB, log *slog.Logger, master []byte, public string) (*Mailer, error) {
	sealer, err := auth.NewSealer(auth.DeriveKey(master, "smtp password sealing", 32))
	if err != nil {
		return nil, err
	}
	return &Mailer{db: db, log: log, Sealer: sealer, public: public}, nil
}

// client makes a mail client for the settings.
func (m *Mailer) client(set store.SMTPSettings) (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(set.Port), mail.WithTimeout(SMTPTimeout)}
	switch set.Security {
	case store.SMTPTLS:
		opts = append(opts, mail.WithSSL())
	case store.SMTPStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if m.TLSConfig != nil {
		cfg := m.TLSConfig.Clone()
		cfg.ServerName = set.Host
		opts = append(opts, mail.WithTLSConfig(cfg))
	}
	if set.Username != "" {
		password := ""
		if len(set.PasswordSealed) > 0 {
			var err error
			if password, err = m.Sealer.Open(SMTPPasswordAAD, set.PasswordSealed); err != nil {
				return nil, fmt.Errorf("the saved SMTP password does not open with this deployment key; enter it again: %w", err)
			}
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(set.Username), mail.WithPassword(password))
	}
	return mail.NewClient(set.Host, opts...)
}

// email is one message to send.
type email struct {
	to      string
	subject string
	text    string
	html    string
}

// message builds a go-mail message: plain text plus an HTML alternative.
func (m *Mailer) message(set store.SMTPSettings, e email) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.FromFormat("Tokenward", set.From); err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(e.to); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", e.to, err)
	}
	msg.Subject(e.subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, e.text)
	msg.AddAlternativeString(mail.TypeTextHTML, e.html)
	return msg, nil
}

// send delivers messages over one connection and reports, per message,
// whether it went out. A failed connection fails them all.
func (m *Mailer) send(ctx context.Context, set store.SMTPSettings, msgs []*mail.Msg) ([]bool, error) {
	ok := make([]bool, len(msgs))
	c, err := m.client(set)
	if err != nil {
		return ok, err
	}
	ctx, cancel := context.WithTimeout(ctx, SMTPTimeout+time.Duration(len(msgs))*time.Second)
	defer cancel()
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return ok, err
	}
	sendErr := c.SendWithSMTPClient(conn, msgs...)
	if err := c.CloseWithSMTPClient(conn); err != nil {
		m.log.Debug("closing the SMTP connection failed", "error", err)
	}
	tried := false
	for i, msg := range msgs {
		ok[i] = !msg.HasSendError()
		tried = tried || msg.HasSendError()
	}
	if sendErr != nil && !tried {
		// The connection failed before any message was tried.
		return make([]bool, len(msgs)), sendErr
	}
	return ok, sendErr
}

// Pass emails queued notifications, if SMTP is set up, and returns how
// many went out. Failures are logged and retried on a later pass.
func (m *Mailer) Pass(ctx context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set, err := m.db.SMTPSettings(ctx)
	if err != nil || !set.Configured() {
		return 0, err
	}
	queued, err := m.db.QueuedEmails(ctx, mailBatch)
	if err != nil || len(queued) == 0 {
		return 0, err
	}
	var msgs []*mail.Msg
	var ids, failed []int64
	for _, q := range queued {
		e, err := m.notificationEmail(ctx, q)
		var msg *mail.Msg
		if err == nil {
			msg, err = m.message(set, e)
		}
		if err != nil {
			m.log.Error("building a notification email failed", "notification", q.ID, "error", err)
			failed = append(failed, q.ID)
			continue
		}
		msgs, ids = append(msgs, msg), append(ids, q.ID)
	}
	var sent []int64
	if len(msgs) > 0 {
		ok, err := m.send(ctx, set, msgs)
		for i, id := range ids {
			if ok[i] {
				sent = append(sent, id)
			} else {
				failed = append(failed, id)
			}
		}
		if err != nil {
			m.log.Error("emailing notifications failed; they are retried later", "host", set.Host, "port", set.Port,
				"sent", len(sent), "failed", len(failed), "error", err)
		}
	}
	return len(sent), m.db.MarkEmailed(context.WithoutCancel(ctx), sent, failed)
}

// notificationEmail words a notification as an email: the message (naming
// the token that made the change only if the recipient may see it), the
// token's absolute link and where the notifications are.
func (m *Mailer) notificationEmail(ctx context.Context, q store.OutgoingEmail) (email, error) {
	msg, err := core.NewActorNames(m.db, q.OrgID, auth.Principal{UserID: q.UserID, Role: auth.Role(q.Role)}).Notice(ctx, q.Notification)
	if err != nil {
		return email{}, err
	}
	q.Message = msg
	link := m.public + q.Link
	subject := "Tokenward: " + noticeSubject(q.Kind, q.TokenKind, q.TokenName)
	var text strings.Builder
	fmt.Fprintf(&text, "Hello %s,\n\n%s\n\nOpen the token: %s\n\nOrganization: %s\nAll your notifications: %s/notifications\n\n-- \n"+
		"Tokenward at %s. You get this email because the token is yours.\n", q.Username, q.Message, link, q.OrgName, m.public, m.public)
	var body bytes.Buffer
	err = views.NotificationEmail(views.NotificationEmailProps{Username: q.Username, Subject: subject, Message: q.Message,
		Link: link, TokenName: q.TokenName, OrgName: q.OrgName, SiteURL: m.public}).Render(context.Background(), &body)
	return email{to: q.Email, subject: subject, text: text.String(), html: body.String()}, err
}

// noticeSubject is an email's subject: what happened, naming the token.
func noticeSubject(kind, tokenKind, name string) string {
	label := fmt.Sprintf("your %s token %q", kindWord(tokenKind), subjectText(name))
	switch kind {
	case store.NoticeRevoked:
		return label + " was revoked"
	case store.NoticeDisabled:
		return label + " was disabled"
	case store.NoticeRotated:
		return label + " was rotated"
	case store.NoticeLeaked:
		return label + " was reported as leaked and revoked"
	case store.NoticeExpires30d:
		return label + " expires within 30 days"
	case store.NoticeExpires7d:
		return label + " expires within 7 days"
	case store.NoticeExpires1d:
		return label + " expires within a day"
	case store.NoticeExpired:
		return label + " has expired"
	case store.NoticeOrgRemoved:
		return "an organization was removed from " + label
	}
	return label
}

func kindWord(kind string) string {
	switch kind {
	case "api":
		return "API"
	case "cli":
		return "CLI"
	}
	return kind
}

// subjectText keeps a subject on one line.
func subjectText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// SendTest emails the test message to one address, at once, and returns
// a message a person can act on when it fails.
func (m *Mailer) SendTest(ctx context.Context, set store.SMTPSettings, to string) string {
	body := `<p>This is a test email from <a href="` + html.EscapeString(m.public) + `">Tokenward</a>.</p>` +
		`<p>Mail settings work: token notifications will arrive like this one.</p>`
	msg, err := m.message(set, email{to: to, subject: "Tokenward: test email",
		text: "This is a test email from Tokenward at " + m.public + ".\n\nMail settings work: token notifications will arrive like this one.\n",
		html: body})
	if err != nil {
		return "The test email could not be written: " + err.Error()
	}
	ok, err := m.send(ctx, set, []*mail.Msg{msg})
	if err == nil && ok[0] {
		return ""
	}
	if err == nil {
		err = msg.SendError()
	}
	return m.describeFailure(set, err, "the test email")
}

// describeFailure turns an SMTP failure to send what ("the test email")
// into what to check, never showing the password.
func (m *Mailer) describeFailure(set store.SMTPSettings, err error, what string) string {
	addr := net.JoinHostPort(set.Host, strconv.Itoa(set.Port))
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	msg := ""
	switch {
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("The host name %q could not be found. Check the host.", set.Host)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		msg = fmt.Sprintf("The mail server at %s did not answer within %d seconds. Check the host and the port, and that a firewall lets Tokenward reach it.",
			addr, int(SMTPTimeout.Seconds()))
	case errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &recordErr):
		msg = fmt.Sprintf("The TLS connection to %s failed: %s. Check the security setting (TLS is usually port 465, STARTTLS port 587) and the server's certificate.",
			addr, cleanError(err))
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		msg = fmt.Sprintf("The mail server at %s does not offer STARTTLS. Choose TLS if it expects TLS from the first byte (usually port 465), or None only for a relay on a trusted network.", addr)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		msg = fmt.Sprintf("Could not connect to the mail server at %s: %s. Check the host and the port.", addr, cleanError(opErr.Err))
	default:
		msg = fmt.Sprintf("The mail server at %s refused %s: %s", addr, what, cleanError(err))
	}
	return msg
}

// cleanError is an error's text on one line, bounded.
func cleanError(err error) string {
	if err == nil {
		return "no reason given"
	}
	s := strings.Join(strings.Fields(subjectText(err.Error())), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
