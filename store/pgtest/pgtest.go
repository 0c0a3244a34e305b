// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb
// into a temporary directory and pg_ctl on a free 127.0.0.1 port, once per
// test binary. TOKENWARD_TEST_DATABASE_URL points the tests at an existing
// server instead. Without PostgreSQL the tests that need it skip, except
// with CI=true, where they fail.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Cluster is a PostgreSQL server the tests may create databases in.
type Cluster struct {
	// URL is the connection URL of the server's postgres database.
	URL string

	dir, bin string
	port     int
	owned    bool // started here, so Stop and Restart may act on it
	n        atomic.Int64
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Shared is the test binary's cluster, started on first use. It skips t
// when PostgreSQL cannot be found or started, unless CI=true.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required with CI=true: %v", sharedErr)
		}
		t.Skipf("PostgreSQL not available (%v); set TOKENWARD_TEST_DATABASE_URL or install postgresql", sharedErr)
	}
	return shared
}

// Main runs a package's tests, then what they registered with AfterAll,
// then stops the shared cluster, if one was started. Use it from TestMain:
// os.Exit(pgtest.Main(m.Run)).
func Main(run func() int) int {
	code := run()
	afterAllMu.Lock()
	fs := afterAll
	afterAll = nil
	afterAllMu.Unlock()
	for _, f := range slices.Backward(fs) {
		f()
	}
	StopShared()
	return code
}

var (
	afterAllMu sync.Mutex
	afterAll   []func()
)

// AfterAll has Main run f once the package's tests are done, last
// registered first: for what tests share across the package, such as a
// binary built once or a template database.
func AfterAll(f func()) {
	afterAllMu.Lock()
	defer afterAllMu.Unlock()
	afterAll = append(afterAll, f)
}

// StopShared stops the shared cluster if this binary started one.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// Start starts a cluster of its own, or uses TOKENWARD_TEST_DATABASE_URL.
func Start() (*Cluster, error) {
	if u := os.Getenv("TOKENWARD_TEST_DATABASE_URL"); u != "" {
		return &Cluster{URL: u}, nil
	}
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tokenward-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, owned: true}
	if err := c.asOwner(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	if err := c.startServer(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// startServer starts the cluster's server and waits until it answers.
func (c *Cluster) startServer() error {
	data := filepath.Join(c.dir, "data")
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "30", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	return c.waitReady(30 * time.Second)
}

// waitReady waits until the server accepts a query.
func (c *Cluster) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		db, err := sql.Open("pgx", c.URL)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops a cluster started here and removes its files.
func (c *Cluster) Stop() {
	if !c.owned {
		return
	}
	c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

// Down stops the server (fast shutdown) without removing its files, for
// outage tests; Up starts it again on the same port.
func (c *Cluster) Down() error {
	if !c.owned {
		return errors.New("pgtest: cannot stop a server given by TOKENWARD_TEST_DATABASE_URL")
	}
	if out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

// Up starts the server Down stopped.
func (c *Cluster) Up() error { return c.startServer() }

// Owned reports whether the cluster was started here (so Down and Up work).
func (c *Cluster) Owned() bool { return c.owned }

// NewDatabase creates an empty database (a copy of template when it is not
// empty) and returns its URL.
func (c *Cluster) NewDatabase(ctx context.Context, template string) (string, error) {
	name := fmt.Sprintf("tw_%d_%d", os.Getpid(), c.n.Add(1))
	return c.CreateDatabase(ctx, name, template)
}

// CreateDatabase creates the named database (a copy of template when it is
// not empty) and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, name, template string) (string, error) {
	db, err := sql.Open("pgx", c.URL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	q := "CREATE DATABASE " + quoteIdent(name)
	if template != "" {
		q += " TEMPLATE " + quoteIdent(template)
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.DatabaseURL(name), nil
}

// DatabaseURL is the URL of the named database on the cluster's server.
func (c *Cluster) DatabaseURL(name string) string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return c.URL
	}
	u.Path = "/" + name
	return u.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// run runs one of the cluster's programs, as the postgres user when this
// process is root (initdb refuses to run as root).
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// asOwner gives dir to the postgres user when this process is root.
func (c *Cluster) asOwner(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// findBin finds the directory holding initdb and pg_ctl: PATH first, then
// the newest /usr/lib/postgresql/*/bin.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found in PATH or /usr/lib/postgresql/*/bin")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
