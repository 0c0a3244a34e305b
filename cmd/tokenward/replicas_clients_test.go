package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// The clients of the multi-replica tests: a person at a browser, the load
// of API writes with the ledger of what it was promised, and a mail server.

// person is a person at a browser: one cookie jar for every replica (cookies
// belong to a host, not a port, so the session cookie one replica sets is
// sent to all of them), no redirects followed, and the CSRF token of the
// last form it saw.
type person struct {
	t    *testing.T
	http *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newPerson(t *testing.T) *person {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &person{t: t, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do makes a request and keeps the page's CSRF token, if it has one.
func (b *person) do(req *http.Request) (int, string) {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, string(body)
}

func (b *person) get(target string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form with the CSRF token of the last page seen.
func (b *person) post(target string, form url.Values) (int, string) {
	b.t.Helper()
	form.Set("csrf_token", b.csrf)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs in as ada on r through the sign-in form.
func (b *person) signIn(r *replica) {
	b.t.Helper()
	if status, _ := b.get(r.base + "/login"); status != http.StatusOK {
		b.t.Fatalf("GET /login on %s: %d", r.name, status)
	}
	if status, page := b.post(r.base+"/login", url.Values{"username": {"ada"}, "password": {adaPassword}}); status != http.StatusSeeOther {
		b.t.Fatalf("sign in on %s: status %d\n%.2000s", r.name, status, page)
	}
}

// mailSink is an SMTP server that keeps what it is sent.
type mailSink struct {
	port int
	mu   sync.Mutex
	sent []sentMessage
}

type sentMessage struct {
	to   []string
	data string
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	sink := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink
}

func (s *mailSink) messages() []sentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentMessage(nil), s.sent...)
}

type mailSession struct {
	sink *mailSink
	msg  sentMessage
}

func (m *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (m *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	m.msg.to = append(m.msg.to, to)
	return nil
}
func (m *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.msg.data = string(b)
	m.sink.mu.Lock()
	m.sink.sent = append(m.sink.sent, m.msg)
	m.sink.mu.Unlock()
	m.msg = sentMessage{}
	return nil
}
func (m *mailSession) Reset()        { m.msg = sentMessage{} }
func (m *mailSession) Logout() error { return nil }

// ledger is what the load of a test was told: the tokens whose creation
// was acknowledged (201) and those whose revoke was (204). A request that
// failed or got no answer promised nothing either way: a revoke whose
// answer a kill cut off may have been committed.
type ledger struct {
	mu       sync.Mutex
	created  []createdToken
	revoked  map[string]bool
	unsure   map[string]bool // revokes sent without a 204 or a refusal back
	statuses map[string]int  // "replica status" counts
	problems []string        // answers no request should get
}

func newLedger() *ledger {
	return &ledger{revoked: map[string]bool{}, unsure: map[string]bool{}, statuses: map[string]int{}}
}

func (l *ledger) note(r *replica, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses[fmt.Sprintf("%s %d", r.name, status)]++
}

func (l *ledger) problem(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.problems) < 20 {
		l.problems = append(l.problems, fmt.Sprintf(format, a...))
	}
}

// writeLoad has each worker create a token on one replica and revoke it on
// the next, going round the replicas still running, until ctx ends; check
// is shown every answer.
func (d *deployment) writeLoad(ctx context.Context, l *ledger, workers int, check func(*replica, answer, error)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				running := d.running()
				maker, revoker := running[(w+i)%len(running)], running[(w+i+1)%len(running)]
				tok, res, err := d.createToken(maker, fmt.Sprintf("load %d-%d", w, i))
				check(maker, res, err)
				if err != nil || res.status != http.StatusCreated {
					continue
				}
				l.mu.Lock()
				l.created = append(l.created, tok)
				l.mu.Unlock()
				res, err = call(http.MethodDelete, revoker.base+"/api/v1/tokens/"+tok.id, d.admin, "", "")
				check(revoker, res, err)
				l.mu.Lock()
				switch {
				case err == nil && res.status == http.StatusNoContent:
					l.revoked[tok.id] = true
				case err != nil || res.status >= 500:
					l.unsure[tok.id] = true
				}
				l.mu.Unlock()
			}
		})
	}
	return &wg
}

// verify checks through r that every acknowledged creation exists and
// every acknowledged revoke holds, and that tokens not revoked still work.
func (d *deployment) verify(t *testing.T, r *replica, l *ledger) {
	t.Helper()
	if len(l.created) == 0 {
		t.Fatal("the load made no token")
	}
	for _, tok := range l.created {
		status, err := d.tokenStatus(r, tok.id)
		if err != nil {
			t.Errorf("an acknowledged token is gone: %v", err)
			continue
		}
		want := "active"
		switch {
		case l.revoked[tok.id]:
			want = "revoked"
		case l.unsure[tok.id]:
			want = status // either is right
		}
		if status != want {
			t.Errorf("token %s: %s, want %s", tok.id, status, want)
		}
		check, _, err := get(r.base+"/api/v1/token", tok.secret)
		switch {
		case err != nil:
			t.Error(err)
		case want == "active" && check != http.StatusOK:
			t.Errorf("token %s, not revoked, is refused: %d", tok.id, check)
		case want == "revoked" && check != http.StatusUnauthorized && check != http.StatusTooManyRequests:
			t.Errorf("token %s, revoked, answers %d", tok.id, check)
		}
	}
	t.Logf("%d tokens made, %d revoked, %d revokes unanswered; answers %v", len(l.created), len(l.revoked), len(l.unsure), l.statuses)
}

// count is how many answers of status r gave.
func (l *ledger) count(r *replica, status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[fmt.Sprintf("%s %d", r.name, status)]
}

// total is how many writes r acknowledged.
func (l *ledger) total(r *replica) int {
	return l.count(r, http.StatusCreated) + l.count(r, http.StatusNoContent)
}

// waitFor polls cond every 10 ms until it holds or timeout passes (a
// correctness bound, far past what the condition needs).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
