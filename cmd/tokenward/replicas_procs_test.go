package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store/pgtest"
)

// The harness of the multi-replica tests: the real tokenward binary, built
// once for the package, started as several processes on 127.0.0.1 over one
// PostgreSQL database of the package's cluster and one key file, and
// reached over real HTTP.

// adaPassword is the seeded admin's password.
const adaPassword = "correct horse battery staple"

// tokenwardBinary is the binary the tests start, built once from this
// package and removed when the package's tests are done.
var tokenwardBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "tokenward-replicas-")
	if err != nil {
		return "", err
	}
	pgtest.AfterAll(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "tokenward")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = os.Environ()
	if os.Getenv("GOTOOLCHAIN") == "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN=local")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// template is a database of the package's cluster that each deployment's
// database is a copy of: org acme and its admin ada (a site admin) with an
// API token of scope api, made once through the real admin commands with
// the package's key file.
type template struct {
	name, keyFile, admin string
}

var (
	templateOnce sync.Once
	theTemplate  template
	templateErr  error
)

func seededTemplate(c *pgtest.Cluster, bin string) (template, error) {
	templateOnce.Do(func() { theTemplate, templateErr = makeTemplate(c, bin) })
	return theTemplate, templateErr
}

func makeTemplate(c *pgtest.Cluster, bin string) (template, error) {
	dir, err := os.MkdirTemp("", "tokenward-replicas-key-")
	if err != nil {
		return template{}, err
	}
	pgtest.AfterAll(func() { os.RemoveAll(dir) })
	tp := template{name: fmt.Sprintf("tw_replicas_template_%d", os.Getpid()), keyFile: filepath.Join(dir, "tokenward.key")}
	// The deployment key, made once and given to every replica, as an
	// operator does.
	key := make([]byte, auth.MasterKeySize)
	rand.Read(key)
	if err := os.WriteFile(tp.keyFile, key, 0o600); err != nil {
		return template{}, err
	}
	u, err := c.CreateDatabase(context.Background(), tp.name, "")
	if err != nil {
		return template{}, err
	}
	admin := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(bin, append(args, "--database", u, "--key-file", tp.keyFile)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("tokenward %s: %v\n%s", strings.Join(args[:2], " "), err, stderr.String())
		}
		return string(out), nil
	}
	if _, err := admin(adaPassword+"\n", "admin", "create-user", "--username", "ada", "--email", "ada@example.com",
		"--org", "acme", "--role", "admin", "--site-admin"); err != nil {
		return template{}, err
	}
	out, err := admin("", "admin", "create-token", "--org", "acme", "--kind", "api", "--name", "replica tests",
		"--scopes", "api", "--owner", "ada")
	if err != nil {
		return template{}, err
	}
	tp.admin, _, _ = strings.Cut(out, "\n")
	if _, err := auth.ParseToken(tp.admin); err != nil {
		return template{}, fmt.Errorf("create-token printed %q: %v", out, err)
	}
	return tp, nil
}

// deployment is one database, the key file, the replicas serving them, and
// ada's API token (scope api) to drive them with.
type deployment struct {
	t        *testing.T
	bin      string
	url      string
	keyFile  string
	admin    string
	replicas []*replica
}

// newDeployment makes a database from the template and starts n replicas
// over it.
func newDeployment(t *testing.T, n int) *deployment {
	t.Helper()
	c := pgtest.Shared(t)
	bin, err := tokenwardBinary()
	if err != nil {
		t.Fatal(err)
	}
	tp, err := seededTemplate(c, bin)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.NewDatabase(context.Background(), tp.name)
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{t: t, bin: bin, url: u, keyFile: tp.keyFile, admin: tp.admin}
	for i := range n {
		d.start(string(rune('a' + i)))
	}
	return d
}

// replica is one `tokenward serve` process.
type replica struct {
	name   string
	base   string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
}

// start starts a replica and waits until /readyz answers 200; the test's
// end stops it with SIGTERM.
func (d *deployment) start(name string) *replica {
	d.t.Helper()
	r := d.launch(name)
	if err := r.waitReady(30 * time.Second); err != nil {
		d.t.Fatal(err)
	}
	return r
}

// launch starts a replica without waiting for it.
func (d *deployment) launch(name string) *replica {
	d.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &replica{name: name, base: "http://" + addr, log: &lockedBuffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(d.bin, "serve", "--addr", addr, "--database", d.url, "--key-file", d.keyFile,
		"--public-url", r.base)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() {
		r.cmd.Wait()
		close(r.exited)
	}()
	d.replicas = append(d.replicas, r)
	d.t.Cleanup(func() {
		if err := r.stop(20 * time.Second); err != nil {
			d.t.Error(err)
		}
		if d.t.Failed() {
			d.t.Logf("replica %s's output:\n%s", r.name, tail(r.log.String(), 4000))
		}
	})
	return r
}

// waitReady polls /readyz until it answers 200.
func (r *replica) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if status, _, err := get(r.base+"/readyz", ""); err == nil && status == http.StatusOK {
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("replica %s exited before it was ready:\n%s", r.name, tail(r.log.String(), 4000))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replica %s not ready after %s:\n%s", r.name, timeout, tail(r.log.String(), 4000))
		}
	}
}

// running are the replicas whose process has not exited.
func (d *deployment) running() []*replica {
	var out []*replica
	for _, r := range d.replicas {
		select {
		case <-r.exited:
		default:
			out = append(out, r)
		}
	}
	return out
}

// kill ends the replica with SIGKILL, as a crash would.
func (r *replica) kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// stop sends SIGTERM and waits for a clean exit, killing it after grace.
func (r *replica) stop(grace time.Duration) error {
	select {
	case <-r.exited:
		return nil
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
		return nil
	case <-time.After(grace):
		r.kill()
		return fmt.Errorf("replica %s did not stop within %s of SIGTERM", r.name, grace)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// replicaHTTP is what the tests' API calls go through: keep-alive, no
// redirects followed, a timeout well past any answer.
var replicaHTTP = &http.Client{Timeout: 20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// answer is an HTTP answer, body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call makes one request with a bearer token ("" for none) and a JSON or
// form body ("" for none).
func call(method, target, bearer, contentType, body string) (answer, error) {
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := replicaHTTP.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// get is a GET with a bearer token, returning the status and body.
func get(target, bearer string) (int, []byte, error) {
	a, err := call(http.MethodGet, target, bearer, "", "")
	return a.status, a.body, err
}

// createdToken is a token made through the API.
type createdToken struct{ id, secret string }

// createToken makes an API token named name on r with ada's token. The
// token is set only when the answer is 201; err is a transport error, or a
// 201 that holds no token.
func (d *deployment) createToken(r *replica, name string) (createdToken, answer, error) {
	body, _ := json.Marshal(map[string]any{"name": name, "scopes": []string{"report:read"}})
	a, err := call(http.MethodPost, r.base+"/api/v1/tokens", d.admin, "application/json", string(body))
	if err != nil || a.status != http.StatusCreated {
		return createdToken{}, a, err
	}
	var out struct {
		Token  struct{ ID string } `json:"token"`
		Secret string              `json:"secret"`
	}
	if err := json.Unmarshal(a.body, &out); err != nil || out.Token.ID == "" || out.Secret == "" {
		return createdToken{}, a, fmt.Errorf("create on %s: 201 without a token: %s", r.name, a.body)
	}
	return createdToken{id: out.Token.ID, secret: out.Secret}, a, nil
}

// mustCreate is createToken that fails the test unless the token is made.
func (d *deployment) mustCreate(r *replica, name string) createdToken {
	d.t.Helper()
	tok, res, err := d.createToken(r, name)
	if err != nil || res.status != http.StatusCreated {
		d.t.Fatalf("create %q on %s: %d %s %v", name, r.name, res.status, res.body, err)
	}
	return tok
}

// tokenStatus is a token's status as GET /api/v1/tokens/ID on r says.
func (d *deployment) tokenStatus(r *replica, id string) (string, error) {
	status, body, err := get(r.base+"/api/v1/tokens/"+url.PathEscape(id), d.admin)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("GET token %s on %s: status %d %s", id, r.name, status, body)
	}
	var out struct{ Status string }
	err = json.Unmarshal(body, &out)
	return out.Status, err
}
