package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tokenward/store"
)

// lockedBuffer is written by the server goroutine and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	base := []string{"admin", "create-user", "--data", data}
	args := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }

	out, err := runCmd(t, "a long enough password\n", args("--username", "Root", "--email", "root@example.com",
		"--org", "acme", "--role", "admin", "--site-admin")...)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Created site admin root, admin of acme.") {
		t.Errorf("output = %q", out)
	}
	info, err := os.Stat(filepath.Join(data, "tokenward.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v", err, info.Mode().Perm())
	}

	tests := []struct {
		name, stdin string
		args        []string
		wantErr     string
	}{
		{"duplicate user", "a long enough password\n", args("--username", "root", "--email", "r@example.com", "--org", "acme", "--role", "member"), `the username "root" is taken`},
		{"unknown role", "a long enough password\n", args("--username", "bob", "--email", "b@example.com", "--org", "acme", "--role", "owner"), `unknown role "owner"`},
		{"new org needs an admin", "a long enough password\n", args("--username", "bob", "--email", "b@example.com", "--org", "globex", "--role", "member"), `does not exist yet`},
		{"bad org slug", "a long enough password\n", args("--username", "bob", "--email", "b@example.com", "--org", "Not A Slug", "--role", "member"), "--org:"},
		{"bad email", "a long enough password\n", args("--username", "bob", "--email", "<b>", "--org", "acme", "--role", "member"), "--email:"},
		{"no password", "", args("--username", "bob", "--email", "b@example.com", "--org", "acme", "--role", "member"), "no password on standard input"},
		{"short password", "short\n", args("--username", "bob", "--email", "b@example.com", "--org", "acme", "--role", "member"), "at least 12 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCmd(t, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}

	t.Run("new org with an admin, then a member of it", func(t *testing.T) {
		if out, err := runCmd(t, "a long enough password\n", args("--username", "gus", "--email", "g@example.com", "--org", "globex", "--role", "admin")...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if out, err := runCmd(t, "a long enough password\n", args("--username", "bob", "--email", "b@example.com", "--org", "globex", "--role", "auditor")...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		db, err := store.Open(context.Background(), filepath.Join(data, "tokenward.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		org, err := db.OrgBySlug(context.Background(), "globex")
		if err != nil {
			t.Fatal(err)
		}
		members, err := db.Members(context.Background(), org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 2 || members[0].User.Username != "bob" || members[0].Role != "auditor" {
			t.Errorf("members = %+v", members)
		}
		if _, err := db.UserByUsername(context.Background(), "bob"); err != nil {
			t.Error(err)
		}
	})
}

// startServe runs `tokenward serve` in a goroutine and returns its base URL,
// its output and a function that sends the stop signal and waits.
func startServe(t *testing.T, args ...string) (string, *lockedBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), out, out)
	}()
	addr := regexp.MustCompile(`tokenward listening" addr=(\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return "http://" + m[1], out, func() error { cancel(); return <-done }
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	t.Fatalf("server did not start:\n%s", out.String())
	return "", nil, nil
}

func TestServePrintsSetupAndStopsCleanly(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	base, out, stop := startServe(t, "--data", data)
	res, err := http.Get(base + "/readyz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", err, res)
	}
	res.Body.Close()
	setup := regexp.MustCompile(`(http://\S+/setup\?code=\w+)`).FindString(out.String())
	if setup == "" {
		t.Fatalf("no setup URL printed:\n%s", out.String())
	}
	res, err = http.Get(setup)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("setup page: %v %v", err, res)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if !strings.Contains(out.String(), "msg=stopped") {
		t.Errorf("no clean stop in log:\n%s", out.String())
	}
	if strings.Contains(out.String(), "code=") && strings.Count(out.String(), "code=") > 1 {
		t.Errorf("setup code logged beyond the console line:\n%s", out.String())
	}
	// The database was closed cleanly: it opens again and the WAL is gone.
	if _, err := os.Stat(filepath.Join(data, "tokenward.db-wal")); err == nil {
		t.Error("WAL file left behind: database not closed")
	}
}

func TestServeDemo(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	base, out, stop := startServe(t, "--data", data, "--demo")
	defer stop()
	for _, want := range []string{"admin   ada", "member  max", "auditor audra"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "/setup?code=") {
		t.Error("setup offered although the demo has a site admin")
	}
	res, err := http.Get(base + "/login")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login page: %v %v", err, res)
	}
	res.Body.Close()
	checkDemoTokens(t, data)
}

// checkDemoTokens checks that the demo has tokens of every kind in every
// state, some used (with several IPs), some never, and one rotated with
// its old secret still in its grace period.
func checkDemoTokens(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "tokenward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]store.Token{}
	for _, kind := range []string{"api", "cli", "service"} {
		used := 0
		for _, status := range []string{store.StatusActive, store.StatusExpired, store.StatusDisabled, store.StatusRevoked} {
			page, err := db.Tokens(ctx, store.TokenQuery{OrgID: org.ID, Kind: kind, Statuses: []string{status}, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total == 0 {
				t.Errorf("no %s %s token in the demo", status, kind)
			}
			for _, tok := range page.Tokens {
				byName[tok.Name] = tok
				if !tok.LastUsedAt.IsZero() {
					used++
				}
			}
		}
		if used == 0 {
			t.Errorf("no %s token has been used", kind)
		}
	}
	if tok := byName["Slack bot"]; tok.ID == "" || !tok.LastUsedAt.IsZero() {
		t.Errorf("Slack bot should exist and never have been used: %+v", tok)
	}
	if tok := byName["Partner API"]; tok.RotatedAt.IsZero() || !tok.PrevValidUntil.After(time.Now()) {
		t.Errorf("Partner API should be rotated with a grace window: %+v", tok)
	}
	if tok := byName["Billing sync"]; tok.QuotaMonthly == 0 || tok.Visibility != "admins" {
		t.Errorf("Billing sync should have a quota: %+v", tok)
	}
	if tok := byName["ada-laptop"]; tok.DeviceName != "ada-laptop" || tok.OwnerName != "ada" {
		t.Errorf("ada-laptop: %+v", tok)
	}
	if ips, err := db.TokenIPs(ctx, byName["Partner API"].ID); err != nil || len(ips) != 5 {
		t.Errorf("Partner API's recent IPs: %d, %v", len(ips), err)
	}
	if services, err := db.Services(ctx, org.ID); err != nil || len(services) != 2 {
		t.Errorf("services: %+v, %v", services, err)
	}
}

func TestServeBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"serve", "--trusted-proxies", "not-a-cidr"}, {"serve", "extra"}, {"bogus"}, {"admin", "nope"}} {
		if _, err := runCmd(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestServeDrainsInFlightRequests sends half a request, stops the server,
// then sends the rest: the request still gets its answer before the
// server exits.
func TestServeDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	base, _, stop := startServe(t, "--data", t.TempDir())
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "username=ada&password=whatever-it-is"
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
	time.Sleep(100 * time.Millisecond) // the request is now in flight
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("server stopped with a request in flight: %v", err)
	default:
	}
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden { // no CSRF token: refused, but answered
		t.Errorf("status = %d", res.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve returned %v", err)
	}
}
