package web_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web"
	"tokenward/web/core"
)

// smtpSink is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that
// keeps what it is sent. With a user set it requires AUTH PLAIN, which
// go-smtp offers only over TLS.
type smtpSink struct {
	host string
	port int

	mu       sync.Mutex
	received []sentMail
	refuse   error // answer to RCPT when set
	user     string
	password string
}

// sentMail is one delivered message.
type sentMail struct {
	from string
	to   []string
	data []byte
	auth string // the username it signed in as
}

// startSMTP starts a sink. mode is "none" (plain), "starttls" (offers
// STARTTLS) or "tls" (TLS from the first byte); the certificate is for
// 127.0.0.1 and trusted by the returned config.
func startSMTP(t *testing.T, mode string) (*smtpSink, *tls.Config) {
	t.Helper()
	sink := &smtpSink{host: "127.0.0.1"}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = nopLogger{}
	serverTLS, clientTLS := selfSignedTLS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case "starttls":
		srv.TLSConfig = serverTLS
	case "tls":
		srv.TLSConfig = serverTLS
		ln = tls.NewListener(ln, serverTLS)
	}
	sink.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink, clientTLS
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

func (s *smtpSink) messages() []sentMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentMail(nil), s.received...)
}

func (s *smtpSink) setRefuse(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = err
}

type sinkSession struct {
	sink *smtpSink
	msg  sentMail
}

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.sink.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.sink.user || password != ss.sink.password {
			return errors.New("invalid username or password")
		}
		ss.msg.auth = username
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.user != "" && ss.msg.auth == "" {
		return smtp.ErrAuthRequired
	}
	ss.msg.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	refuse := ss.sink.refuse
	ss.sink.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	ss.msg.to = append(ss.msg.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := ss.msg
	m.data = b
	ss.sink.mu.Lock()
	ss.sink.received = append(ss.sink.received, m)
	ss.sink.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        { ss.msg = sentMail{auth: ss.msg.auth} }
func (ss *sinkSession) Logout() error { return nil }

// selfSignedTLS makes a certificate for 127.0.0.1, and a client config
// that trusts it.
func selfSignedTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// saveSMTP saves mail settings through the admin form as ada.
func saveSMTP(t *testing.T, c *client, sink *smtpSink, security string, extra url.Values) {
	t.Helper()
	c.get("/admin/smtp")
	form := url.Values{"host": {sink.host}, "port": {strconv.Itoa(sink.port)}, "security": {security}, "from": {"tokenward@example.com"}}
	for k, v := range extra {
		form[k] = v
	}
	if r := c.post("/admin/smtp", form); r.status != 303 {
		t.Fatalf("save SMTP settings: status %d\n%s", r.status, r.body)
	}
}

// parsedMail is a delivered message taken apart.
type parsedMail struct {
	header mail.Header
	text   string
	html   string
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	out := parsedMail{header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	return out
}

func TestNotificationEmail(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	sink, _ := startSMTP(t, "none")
	ada := a.signIn("ada")
	saveSMTP(t, ada, sink, "none", nil)
	max := a.user(t, "max")
	is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: max.ID, OwnerUserID: max.ID})
	ada.get("/orgs/acme/settings/tokens/cli")
	if r := ada.post(tokenURL(is.Token, "revoke"), url.Values{}); r.status != 303 {
		t.Fatalf("revoke: status %d", r.status)
	}
	ctx := context.Background()
	if _, err := a.srv.RunMailPass(ctx); err != nil {
		t.Fatal(err)
	}
	got := sink.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(got))
	}
	if n, err := a.srv.RunMailPass(ctx); err != nil {
		t.Fatal(err)
	} else if n != 0 || len(sink.messages()) != 1 {
		t.Errorf("a second pass sent %d more", n)
	}
	m := got[0]
	if m.from != "tokenward@example.com" || strings.Join(m.to, ",") != "max@example.com" {
		t.Errorf("envelope from %q to %q", m.from, m.to)
	}
	p := parseMail(t, m.data)
	link := a.ts.URL + "/orgs/acme/settings/tokens/cli/" + is.Token.ID
	for h, want := range map[string]string{
		"From":           "tokenward@example.com",
		"To":             "max@example.com",
		"Subject":        `Tokenward: your CLI token "max-laptop" was revoked`,
		"Auto-Submitted": "auto-generated",
	} {
		got := p.header.Get(h)
		if dec, err := new(mime.WordDecoder).DecodeHeader(got); err == nil {
			got = dec
		}
		if !strings.Contains(got, want) {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	for _, h := range []string{"Date", "Message-Id"} {
		if p.header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	for part, body := range map[string]string{"text": p.text, "html": p.html} {
		for _, want := range []string{"max-laptop", "was revoked by ada", link} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", part, want, body)
			}
		}
	}
	if !strings.Contains(p.html, `href="`+link+`"`) {
		t.Errorf("the HTML part does not link to the token:\n%s", p.html)
	}
	if strings.Contains(string(m.data), is.Secret) || strings.Contains(string(m.data), is.Token.Hint) {
		t.Error("the email holds the secret")
	}
	list, err := a.db.Notifications(ctx, max.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].EmailedAt.IsZero() {
		t.Errorf("emailed_at not recorded: %+v", list)
	}
}

// mailServer is a second server over the app's database whose mail client
// trusts the sink's certificate.
func mailServer(t *testing.T, a *app, trust *tls.Config) *web.Server {
	t.Helper()
	key := make([]byte, auth.MasterKeySize) // the zero key SealSMTPPasswordForTest is given
	srv, err := web.New(context.Background(), web.Config{DB: a.db, MasterKey: key, PublicURL: "https://tokenward.example",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SMTPTLSConfig: trust})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestNotificationEmailOverTLSWithPassword(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			a := seededApp(t)
			a.srv.Close() // its mail job holds another key; mailServer's sends instead
			sink, trust := startSMTP(t, mode)
			sink.user, sink.password = "tokenward", "s3cret smtp pass"
			srv := mailServer(t, a, trust)
			sealedWith := web.SealSMTPPasswordForTest(make([]byte, auth.MasterKeySize), sink.password)
			if err := a.db.SaveSMTPSettings(context.Background(), store.SMTPSettings{Host: sink.host, Port: sink.port, Security: mode,
				Username: sink.user, PasswordSealed: sealedWith, From: "tokenward@example.com"}, false, store.Actor{Label: "test"}); err != nil {
				t.Fatal(err)
			}
			max := a.user(t, "max")
			is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-" + mode, CreatorID: max.ID, OwnerUserID: max.ID})
			if _, err := a.db.SetTokenDisabled(context.Background(), a.org.ID, is.Token.ID, true, store.Actor{Label: "ops"}); err != nil {
				t.Fatal(err)
			}
			if n, err := srv.RunMailPass(context.Background()); err != nil || n != 1 {
				t.Fatalf("sent %d, %v", n, err)
			}
			got := sink.messages()
			if len(got) != 1 || got[0].auth != "tokenward" {
				t.Fatalf("delivered %+v", got)
			}
			p := parseMail(t, got[0].data)
			if !strings.Contains(p.text, "https://tokenward.example/orgs/acme/settings/tokens/cli/"+is.Token.ID) {
				t.Errorf("text part:\n%s", p.text)
			}
		})
	}
}

func TestNotificationEmailRetried(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	sink, _ := startSMTP(t, "none")
	sink.setRefuse(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"})
	saveSMTP(t, a.signIn("ada"), sink, "none", nil)
	now := time.Now().UTC().Truncate(time.Second)
	a.clock.Set(now)
	max := a.user(t, "max")
	is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "retry-me", CreatorID: max.ID, OwnerUserID: max.ID})
	a.db.RevokeToken(context.Background(), a.org.ID, is.Token.ID, store.ReasonLeakReport, store.Actor{Label: "revocation endpoint"})
	if n, err := a.srv.RunMailPass(context.Background()); err != nil {
		t.Fatal(err)
	} else if n != 0 {
		t.Fatalf("sent %d while the server refuses", n)
	}
	if !strings.Contains(a.log.String(), "try again later") {
		t.Errorf("the failure is not logged:\n%s", a.log.String())
	}
	sink.setRefuse(nil)
	if n, err := a.srv.RunMailPass(context.Background()); err != nil {
		t.Fatal(err)
	} else if n != 0 {
		t.Errorf("retried at once: sent %d", n)
	}
	a.clock.Set(now.Add(store.EmailRetryAfter))
	if _, err := a.srv.RunMailPass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.messages()); got != 1 {
		t.Fatalf("the retry delivered %d messages, want 1", got)
	}
	p := parseMail(t, sink.messages()[0].data)
	if !strings.Contains(p.text, "reported as leaked") {
		t.Errorf("text part:\n%s", p.text)
	}
}
