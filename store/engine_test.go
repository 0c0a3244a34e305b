package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"tokenward/store"
	"tokenward/store/pgtest"
)

// The store's whole suite runs twice: on SQLite files in temp dirs, then on
// PostgreSQL, in databases of a cluster the run starts itself (or the server
// TOKENWARD_TEST_DATABASE_URL names). Without PostgreSQL the second round
// is skipped, except with CI=true, where that fails the run.

// pg is the cluster of the PostgreSQL round, and template a migrated
// database each test's database is copied from; nil in the SQLite round.
var (
	pg       *pgtest.Cluster
	template string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 {
		os.Exit(code)
	}
	c, err := pgtest.Start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "PostgreSQL is required with CI=true:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "store: PostgreSQL round skipped:", err)
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "store: the same tests on PostgreSQL")
	pg = c
	template, err = makeTemplate(c)
	if err == nil {
		code = m.Run()
	} else {
		fmt.Fprintln(os.Stderr, "store: migrating PostgreSQL:", err)
		code = 1
	}
	c.Stop()
	os.Exit(code)
}

// makeTemplate creates and migrates the database the tests' databases
// start as a copy of.
func makeTemplate(c *pgtest.Cluster) (string, error) {
	ctx := context.Background()
	name := fmt.Sprintf("tw_template_%d", os.Getpid())
	u, err := c.CreateDatabase(ctx, name, "")
	if err != nil {
		return "", err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return "", err
	}
	return name, db.Close()
}

// testLocation is where a test's fresh database lives: a file in a temp dir,
// or a new PostgreSQL database in the PostgreSQL round. Opening it twice
// opens the same database.
func testLocation(t testing.TB) string {
	t.Helper()
	if pg == nil {
		return filepath.Join(t.TempDir(), "tokenward.db")
	}
	u, err := pg.NewDatabase(context.Background(), template)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// onSQLite skips t in the PostgreSQL round: it tests something only the
// embedded engine has (a file, a pragma).
func onSQLite(t testing.TB) {
	t.Helper()
	if pg != nil {
		t.Skip("SQLite only")
	}
}
