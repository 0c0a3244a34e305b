package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web"
)

// testPassword is every seeded user's password.
const testPassword = "correct horse battery"

// testPasswordHash is testPassword's argon2id hash, computed once for every
// fixture: each seeded user shares it, and each hash costs about 50 ms.
var testPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(testPassword) })

// app is a real server over a real SQLite file in a temp dir, reached
// through a real HTTP listener on 127.0.0.1.
type app struct {
	t  testing.TB
	db *store.DB
	// clock is the server's one clock: it follows the real time until the
	// test sets it.
	clock *store.ManualClock
	srv   *web.Server
	ts    *httptest.Server
	log   *syncBuffer
	org   store.Org // acme, when seeded
	// proxies are the trusted proxies the server is started with.
	proxies []netip.Prefix
	// configure change the server's configuration at start.
	configure []func(*web.Config)
}

// syncBuffer collects log lines from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newApp starts a server on a fresh database with no users (setup open).
func newApp(t testing.TB) *app {
	t.Helper()
	ctx := context.Background()
	clock := &store.ManualClock{}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tokenward.db"), store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &app{t: t, db: db, clock: clock, log: &syncBuffer{}}
	a.start()
	return a
}

// start builds the server over the app's database and listens.
func (a *app) start() {
	key := make([]byte, auth.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		a.t.Fatal(err)
	}
	a.ts = httptest.NewUnstartedServer(nil)
	cfg := web.Config{DB: a.db, MasterKey: key,
		Logger:    slog.New(slog.NewTextHandler(a.log, nil)),
		PublicURL: "http://" + a.ts.Listener.Addr().String(), TrustedProxies: a.proxies,
		// Gathered uses are written every 50 ms, so tests that read a last
		// use wait that long rather than a second.
		FlushInterval: 50 * time.Millisecond}
	for _, f := range a.configure {
		f(&cfg)
	}
	srv, err := web.New(context.Background(), cfg)
	if err != nil {
		a.t.Fatal(err)
	}
	a.srv = srv
	srv.Start()
	a.ts.Config.Handler = srv.Handler()
	a.ts.Start()
	a.t.Cleanup(func() {
		a.ts.Close()
		srv.Close()
	})
}

// seededApp has org acme with ada (admin, site admin), max (member) and
// audra (auditor), and org globex with gus (admin, site admin), who is not
// in acme.
func seededApp(t testing.TB, configure ...func(*web.Config)) *app {
	t.Helper()
	ctx := context.Background()
	clock := &store.ManualClock{}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tokenward.db"), store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hash, err := testPasswordHash()
	if err != nil {
		t.Fatal(err)
	}
	ada, acme, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "ada@example.com", DisplayName: "Ada", PasswordHash: hash},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: ada.ID, Label: "ada"}
	for _, u := range []struct{ name, role string }{{"max", "member"}, {"audra", "auditor"}} {
		if _, err := db.CreateMember(ctx, acme.ID, store.NewUser{Username: u.name, Email: u.name + "@example.com", PasswordHash: hash}, u.role, actor); err != nil {
			t.Fatal(err)
		}
	}
	gus, err := db.CreateUser(ctx, store.NewUser{Username: "gus", Email: "gus@example.com", PasswordHash: hash, SiteAdmin: true}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateOrg(ctx, store.NewOrg{Slug: "globex", Name: "Globex"}, gus.ID, actor); err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, db: db, clock: clock, log: &syncBuffer{}, org: acme, configure: configure}
	a.start()
	return a
}

// client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects, and remembers the CSRF token of the last page it saw.
type client struct {
	a    *app
	http *http.Client
	csrf string
}

func (a *app) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &client{a: a, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn returns a client signed in as username (seeded password).
func (a *app) signIn(username string) *client {
	a.t.Helper()
	c := a.client()
	c.get("/login")
	r := c.post("/login", url.Values{"username": {username}, "password": {testPassword}})
	if r.status != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s: status %d\n%s", username, r.status, r.body)
	}
	return c
}

// response is what a request returned, body read.
type response struct {
	status int
	header http.Header
	body   string
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(req *http.Request) response {
	c.a.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.a.t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: string(b)}
	if m := csrfPattern.FindStringSubmatch(r.body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return r
}

func (c *client) request(method, path string, body io.Reader, contentType string) *http.Request {
	req, err := http.NewRequest(method, c.a.ts.URL+path, body)
	if err != nil {
		c.a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func (c *client) get(path string) response {
	c.a.t.Helper()
	return c.do(c.request(http.MethodGet, path, nil, ""))
}

// post sends a form, adding the CSRF token unless vals sets csrf_token
// itself (to test a missing or wrong one).
func (c *client) post(path string, vals url.Values) response {
	c.a.t.Helper()
	if _, ok := vals["csrf_token"]; !ok {
		vals.Set("csrf_token", c.csrf)
	}
	return c.do(c.request(http.MethodPost, path, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded"))
}

// contains fails the test unless the body has every want.
func (r response) contains(t testing.TB, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("body lacks %q (status %d)\n%.2000s", w, r.status, r.body)
		}
	}
}

// lacks fails the test if the body has any of the given strings.
func (r response) lacks(t testing.TB, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.body, u) {
			t.Errorf("body has %q (status %d)", u, r.status)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
