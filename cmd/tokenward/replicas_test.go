package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/store/pgtest"
)

// Several replicas over one PostgreSQL database, as the README's "Running
// several replicas" sets them up: each test starts two or three real
// tokenward processes (replicas_procs_test.go), drives them as people and
// clients do (replicas_clients_test.go) and checks what they would notice.
// The 1 s bounds are the promise, not speed targets; the load
// tool's replicas scenario measures how fast.

// propagationBound is how soon a change committed on one replica is honoured
// by every other.
const propagationBound = time.Second

var secretInPage = regexp.MustCompile(`tw[acs]_[0-9A-Za-z]{49}`)

func TestReplicasShareSignInAndCSRF(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, 2)
	a, b := d.replicas[0], d.replicas[1]
	p := newPerson(t)
	p.signIn(a)

	// B knows the session A made, and takes the form token A's page gave.
	if status, page := p.get(a.base + "/orgs/acme/settings/tokens/api/new"); status != http.StatusOK {
		t.Fatalf("the new-token form on A: %d\n%.1000s", status, page)
	}
	status, page := p.post(b.base+"/orgs/acme/settings/tokens/api", url.Values{"name": {"made on b"}, "scopes": {"report:read"}})
	if status != http.StatusCreated {
		t.Fatalf("creating a token on B signed in on A: status %d\n%.2000s", status, page)
	}
	secret := secretInPage.FindString(page)
	if secret == "" {
		t.Fatalf("B's reveal shows no secret:\n%.2000s", page)
	}
	if status, body, err := get(a.base+"/api/v1/token", secret); err != nil || status != http.StatusOK || !strings.Contains(string(body), "made on b") {
		t.Errorf("the token made on B, on A: %d %s %v", status, body, err)
	}

	// Signing out on B ends the session on A too.
	p.get(b.base + "/logout")
	if status, _ := p.post(b.base+"/logout", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("sign out on B: %d", status)
	}
	if status, _ := p.get(a.base + "/orgs/acme/settings/tokens/api"); status != http.StatusSeeOther {
		t.Errorf("after signing out on B, A still serves the dashboard (status %d)", status)
	}
}

func TestTokenChangeOnOneReplicaRefusedOnAnother(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, 2)
	a, b := d.replicas[0], d.replicas[1]
	for _, change := range []struct{ name, method, path, refusal string }{
		{"revoke", http.MethodDelete, "", "Token revoked"},
		{"disable", http.MethodPost, "/disable", "Token disabled"},
	} {
		t.Run(change.name, func(t *testing.T) {
			tok := d.mustCreate(a, "to "+change.name)
			// B checks it twice, so its answer comes from B's cache.
			for range 2 {
				if status, body, err := get(b.base+"/api/v1/token", tok.secret); err != nil || status != http.StatusOK {
					t.Fatalf("a token made on A, on B: %d %s %v", status, body, err)
				}
			}
			res, err := call(change.method, a.base+"/api/v1/tokens/"+tok.id+change.path, d.admin, "", "")
			if err != nil || res.status >= 300 {
				t.Fatalf("%s on A: %d %s %v", change.name, res.status, res.body, err)
			}
			acked := time.Now()
			for {
				status, body, err := get(b.base+"/api/v1/token", tok.secret)
				if err != nil {
					t.Fatal(err)
				}
				if status == http.StatusUnauthorized {
					if !strings.Contains(string(body), change.refusal) {
						t.Errorf("B refuses with %s, want %q", body, change.refusal)
					}
					t.Logf("B refused the token %s after A's acknowledgement", time.Since(acked).Round(time.Microsecond))
					return
				}
				if status != http.StatusOK {
					t.Fatalf("B answered %d %s", status, body)
				}
				if time.Since(acked) > propagationBound {
					t.Fatalf("B still accepts the token %s after A acknowledged the %s", propagationBound, change.name)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

func TestDeviceLoginAcrossThreeReplicas(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, 3)
	a, b, c := d.replicas[0], d.replicas[1], d.replicas[2]
	form := "application/x-www-form-urlencoded"
	poll := func(deviceCode string) answer {
		t.Helper()
		res, err := call(http.MethodPost, c.base+"/oauth/token", "", form, url.Values{"client_id": {auth.CLIClientID},
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {deviceCode}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	// The CLI asks A for a code, then polls C.
	res, err := call(http.MethodPost, a.base+"/oauth/device_authorization", "", form,
		url.Values{"client_id": {auth.CLIClientID}, "device_name": {"ada-laptop"}, "scope": {"findings:local"}}.Encode())
	if err != nil || res.status != http.StatusOK {
		t.Fatalf("device authorization on A: %d %s %v", res.status, res.body, err)
	}
	var started struct{ DeviceCode, UserCode string }
	if err := json.Unmarshal(res.body, &struct {
		DeviceCode *string `json:"device_code"`
		UserCode   *string `json:"user_code"`
	}{&started.DeviceCode, &started.UserCode}); err != nil || started.DeviceCode == "" {
		t.Fatalf("device authorization: %s %v", res.body, err)
	}
	if pending := poll(started.DeviceCode); pending.status != http.StatusBadRequest || !strings.Contains(string(pending.body), "authorization_pending") {
		t.Fatalf("poll on C before activation: %d %s", pending.status, pending.body)
	}

	// The person signs in on B and activates the code there.
	p := newPerson(t)
	p.signIn(b)
	if status, page := p.get(b.base + "/device?code=" + url.QueryEscape(started.UserCode)); status != http.StatusOK || !strings.Contains(page, "ada-laptop") {
		t.Fatalf("the device page on B: %d\n%.2000s", status, page)
	}
	status, page := p.post(b.base+"/device", url.Values{"code": {started.UserCode}, "org": {"acme"}, "decision": {"approve"}})
	if status != http.StatusOK || !strings.Contains(page, "Device activated") {
		t.Fatalf("activate on B: %d\n%.2000s", status, page)
	}

	// C's next poll hands over the token, which A accepts.
	granted := poll(started.DeviceCode)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if granted.status != http.StatusOK || json.Unmarshal(granted.body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("poll on C after activation: %d %s", granted.status, granted.body)
	}
	if status, body, err := get(a.base+"/api/v1/token", tok.AccessToken); err != nil || status != http.StatusOK || !strings.Contains(string(body), "ada-laptop") {
		t.Errorf("the CLI token on A: %d %s %v", status, body, err)
	}
	if again := poll(started.DeviceCode); again.status == http.StatusOK {
		t.Errorf("the device code gave a second token: %s", again.body)
	}
}

func TestKillReplicaUnderWritesLosesNothingAcknowledged(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, 2)
	a, b := d.replicas[0], d.replicas[1]
	l := newLedger()
	killed := make(chan struct{})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	wg := d.writeLoad(ctx, l, 4, func(r *replica, res answer, err error) {
		switch {
		case err != nil:
			select {
			case <-killed:
				if r == a {
					return // A is gone: its connections are refused or cut
				}
			default:
			}
			l.problem("%s: %v", r.name, err)
		case res.status == http.StatusCreated || res.status == http.StatusNoContent:
			l.note(r, res.status)
		default:
			l.note(r, res.status)
			l.problem("%s answered %d: %s", r.name, res.status, res.body)
		}
	})
	waitFor(t, 30*time.Second, "acknowledged writes on A", func() bool { return l.count(a, http.StatusNoContent) >= 5 })
	close(killed) // from now on A's requests may fail: the kill cuts those in flight
	a.kill()
	before := l.total(b)
	waitFor(t, 30*time.Second, "B to go on alone", func() bool { return l.total(b) >= before+10 })
	stop()
	wg.Wait()
	for _, p := range l.problems {
		t.Errorf("during the load: %s", p)
	}
	d.verify(t, b, l)
}

// TestPostgresRestartUnderLoad stops and starts the package's PostgreSQL
// server, so it does not run in parallel: Go runs the parallel tests only
// once every sequential one has finished.
func TestPostgresRestartUnderLoad(t *testing.T) {
	c := pgtest.Shared(t)
	if !c.Owned() {
		t.Skip("TOKENWARD_TEST_DATABASE_URL names a server this test may not stop")
	}
	d := newDeployment(t, 2)
	a, b := d.replicas[0], d.replicas[1]
	valid := d.mustCreate(a, "checked throughout")
	l := newLedger()
	// Every answer is a success, a refusal of a revoked token, or, while
	// the database is away, a 503 that says so and when to try again.
	check := func(r *replica, res answer, err error) {
		switch {
		case err != nil:
			l.problem("%s: %v", r.name, err)
			return
		case res.status == http.StatusServiceUnavailable:
			var p struct{ Detail string }
			if json.Unmarshal(res.body, &p) != nil || p.Detail == "" || res.header.Get("Retry-After") == "" {
				l.problem("%s: a 503 without a message or Retry-After: %v %s", r.name, res.header, res.body)
			}
		case res.status >= 500:
			l.problem("%s answered %d: %s", r.name, res.status, res.body)
		}
		l.note(r, res.status)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	writers := d.writeLoad(ctx, l, 2, check)
	var readers sync.WaitGroup
	for w := range 2 {
		readers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				r := d.replicas[(w+i)%2]
				res, err := call(http.MethodGet, r.base+"/api/v1/token", valid.secret, "", "")
				check(r, res, err)
				if err == nil && res.status != http.StatusOK && res.status != http.StatusServiceUnavailable {
					l.problem("%s: a valid token answered %d", r.name, res.status)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	// And a person signed in before, going from page to page.
	admin := newPerson(t)
	admin.signIn(a)
	readers.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			r := d.replicas[i%2]
			resp, err := admin.http.Get(r.base + "/orgs/acme/settings/tokens/api")
			if err != nil {
				check(r, answer{}, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && !strings.Contains(string(body), "Database unavailable") {
				l.problem("%s: a 503 page that does not say why:\n%.500s", r.name, body)
			}
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
				l.problem("%s: the dashboard answered %d", r.name, resp.StatusCode)
			}
			l.note(r, resp.StatusCode)
			time.Sleep(5 * time.Millisecond)
		}
	})
	waitFor(t, 30*time.Second, "acknowledged writes before the restart", func() bool { return l.total(a)+l.total(b) >= 10 })

	// The sign-in page lists the identity providers, so it is fetched
	// while PostgreSQL is up; the sign-in itself is posted while it is down.
	p := newPerson(t)
	p.get(b.base + "/login")
	if err := c.Down(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			c.Up()
		}
	})
	for _, r := range d.replicas {
		waitFor(t, 10*time.Second, "503 from "+r.name+"'s /readyz while PostgreSQL is down", func() bool {
			status, _, err := get(r.base+"/readyz", "")
			return err == nil && status == http.StatusServiceUnavailable
		})
	}
	if status, _, err := get(b.base+"/login", ""); err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("the sign-in page while PostgreSQL is down: %d %v, want 503", status, err)
	}
	if status, page := p.post(b.base+"/login", url.Values{"username": {"ada"}, "password": {adaPassword}}); status != http.StatusServiceUnavailable {
		t.Errorf("signing in while PostgreSQL is down: status %d, want 503\n%.1500s", status, page)
	}
	time.Sleep(time.Second)
	if err := c.Up(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	// Both serve again by themselves: ready, and acknowledging writes.
	backA, backB := l.total(a), l.total(b)
	for _, r := range d.replicas {
		waitFor(t, 30*time.Second, r.name+" ready again", func() bool {
			status, _, err := get(r.base+"/readyz", "")
			return err == nil && status == http.StatusOK
		})
	}
	waitFor(t, 30*time.Second, "writes acknowledged by both after the restart", func() bool {
		return l.total(a) >= backA+5 && l.total(b) >= backB+5
	})
	stop()
	writers.Wait()
	readers.Wait()
	for _, p := range l.problems {
		t.Errorf("during the restart: %s", p)
	}
	if l.count(a, http.StatusServiceUnavailable)+l.count(b, http.StatusServiceUnavailable) == 0 {
		t.Error("no request got a 503 while PostgreSQL was down: the outage was not seen")
	}
	d.verify(t, a, l)

	// The change feed is back too: a revoke on A is refused on B.
	tok := d.mustCreate(a, "after the restart")
	if status, _, _ := get(b.base+"/api/v1/token", tok.secret); status != http.StatusOK {
		t.Fatalf("a new token on B after the restart: %d", status)
	}
	if res, err := call(http.MethodDelete, a.base+"/api/v1/tokens/"+tok.id, d.admin, "", ""); err != nil || res.status != http.StatusNoContent {
		t.Fatalf("revoke on A after the restart: %d %v", res.status, err)
	}
	waitFor(t, propagationBound, "refusal on B of a token revoked on A after the restart", func() bool {
		status, _, _ := get(b.base+"/api/v1/token", tok.secret)
		return status == http.StatusUnauthorized
	})
}

func TestExpiryNoticeOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	d := newDeployment(t, 0)
	sink := startMailSink(t)
	ctx := context.Background()
	db, err := store.Open(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	ada, err := db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	org, err := db.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: ada.ID, Label: "test"}
	if err := db.SaveSMTPSettings(ctx, store.SMTPSettings{Host: "127.0.0.1", Port: sink.port, Security: store.SMTPNone,
		From: "tokenward@example.com"}, false, actor); err != nil {
		t.Fatal(err)
	}
	// A 30-day token made 29 and a half days ago: its "expires in 1 day"
	// notice is due.
	secret, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		t.Fatal(err)
	}
	h := auth.HashToken(secret)
	now := time.Now().UTC().Truncate(time.Second)
	if err := db.ImportTokens(ctx, org.ID, []store.ImportedToken{{NewToken: store.NewToken{ID: "7d0a1c4e-0000-4000-8000-000000000001",
		Kind: string(auth.KindAPI), Name: "expiring soon", CreatorID: ada.ID, OwnerUserID: ada.ID, Scopes: []string{"report:read"},
		Visibility: auth.VisibilityAdmins, SecretHash: h[:], Hint: auth.TokenHint(secret), ExpiresAt: now.Add(12 * time.Hour)},
		CreatedAt: now.Add(-29*24*time.Hour - 12*time.Hour)}}, actor); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Three replicas start at once, so their first expiry passes race.
	for _, name := range []string{"a", "b", "c"} {
		d.launch(name)
	}
	for _, r := range d.replicas {
		if err := r.waitReady(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "notice email", func() bool { return len(sink.messages()) > 0 })
	// Every replica's mail pass comes round within engine.MailInterval (5 s).
	time.Sleep(6 * time.Second)
	mails := sink.messages()
	if len(mails) != 1 || len(mails[0].to) != 1 || mails[0].to[0] != "ada@example.com" || !strings.Contains(mails[0].data, "expiring soon") {
		for _, m := range mails {
			t.Logf("mail to %v:\n%.500s", m.to, m.data)
		}
		t.Fatalf("%d emails, want one to ada@example.com about the token", len(mails))
	}
	p := newPerson(t)
	p.signIn(d.replicas[2])
	_, page := p.get(d.replicas[2].base + "/notifications")
	if n := strings.Count(page, `data-testid="notification-link"`); n != 1 || !strings.Contains(page, "expiring soon") {
		t.Errorf("%d notifications on the page, want one about the token:\n%.3000s", n, page)
	}
	passes := 0
	for _, r := range d.replicas {
		passes += strings.Count(r.log.String(), `msg="expiry notifications created"`)
	}
	if passes != 1 {
		t.Errorf("%d replicas logged an expiry pass that created notices, want one", passes)
	}
}
