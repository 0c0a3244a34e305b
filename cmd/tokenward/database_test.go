package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/store/pgtest"
)

const password = "a long enough password\n"

// userArgs are create-user's flags for a new admin of acme.
func userArgs(name string, dbArgs ...string) []string {
	return append(append([]string{"admin", "create-user"}, dbArgs...),
		"--username", name, "--email", name+"@example.com", "--org", "acme", "--role", "admin")
}

// TestDatabaseFlagsRefuseBadInput gives every command that opens the
// database a --database it cannot use: each says so in one line that
// repeats no password, and writes nothing (not even the data directory).
func TestDatabaseFlagsRefuseBadInput(t *testing.T) {
	t.Parallel()
	commands := []struct {
		name string
		args func(data, database string) []string
	}{
		{"serve", func(data, database string) []string {
			return []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--database", database}
		}},
		{"admin create-user", func(data, database string) []string {
			return userArgs("ada", "--data", data, "--database", database)
		}},
		{"admin create-token", func(data, database string) []string {
			return []string{"admin", "create-token", "--data", data, "--database", database, "--org", "acme", "--kind", "api", "--name", "x", "--owner", "ada"}
		}},
		{"backup", func(data, database string) []string {
			return []string{"backup", "--data", data, "--database", database, filepath.Join(filepath.Dir(data), "backup.db")}
		}},
		{"copy", func(data, database string) []string {
			return []string{"copy", "--data", data, "--database", database, "--to", "postgres://tw:hunter2@127.0.0.1:1/tw"}
		}},
	}
	inputs := []struct {
		name, database string
		want           map[string]string // command -> message; "" for every other command
	}{
		{"another scheme", "mysql://tw:hunter2@db.example.com/tw", map[string]string{
			"": "--database: mysql:// is not a database Tokenward can use: give a postgres:// URL, or no --database for the embedded SQLite database in --data"}},
		{"not a URL", "host=db password=hunter2", map[string]string{"": "--database: give a PostgreSQL URL such as postgres://"}},
		{"a URL pgx cannot read", "postgres://tw:hunter2@db.example.com:port/tw", map[string]string{
			"":       "--database: the database URL is not a PostgreSQL URL pgx can read: cannot parse `postgres://tw:xxxxx@db.example.com:port/tw`: invalid port",
			"backup": "for PostgreSQL use pg_dump",
			"copy":   "copy reads the embedded database in --data; give PostgreSQL as --to"}},
		{"an unreachable server", "postgres://tw:hunter2@127.0.0.1:1/tw?connect_timeout=2", map[string]string{
			"":       "--database: cannot reach PostgreSQL at postgres://tw:xxxxx@127.0.0.1:1/tw?connect_timeout=2:",
			"backup": "backup copies the embedded database; for PostgreSQL use pg_dump: pg_dump --format=custom --file ",
			"copy":   "--database names PostgreSQL"}},
	}
	for _, in := range inputs {
		for _, c := range commands {
			t.Run(in.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				data := filepath.Join(t.TempDir(), "data")
				out, err := runCmd(t, password, c.args(data, in.database)...)
				want, ok := in.want[c.name]
				if !ok {
					want = in.want[""]
				}
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want %q\n%s", err, want, out)
				}
				if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "hunter2") {
					t.Errorf("message is not one line without the password: %q", err)
				}
				if entries, _ := os.ReadDir(filepath.Dir(data)); len(entries) != 0 {
					t.Errorf("a refused command wrote %v", entries)
				}
			})
		}
	}
}

// TestOtherKeyRefused starts commands on a deployment with a key other
// than its own: each refuses, naming --key-file, and writes nothing, not
// even the new key file it would have made.
func TestOtherKeyRefused(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if out, err := runCmd(t, password, userArgs("ada", "--data", data)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if _, _, err := auth.LoadOrCreateMasterKey(other); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "typo.key")
	for _, args := range [][]string{
		userArgs("bob", "--data", data, "--key-file", missing),
		userArgs("bob", "--data", data, "--key-file", other),
		{"admin", "create-token", "--data", data, "--key-file", other, "--org", "acme", "--kind", "api", "--name", "x", "--owner", "ada"},
		{"serve", "--addr", "127.0.0.1:0", "--data", data, "--key-file", other},
		{"backup", "--data", data, "--key-file", other, filepath.Join(t.TempDir(), "b.db")},
	} {
		out, err := runCmd(t, password, args...)
		if err == nil || !strings.Contains(err.Error(), "the database was made with another deployment key") || !strings.Contains(err.Error(), "--key-file") {
			t.Errorf("%v: err = %v\n%s", args, err, out)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the key file made for the refused start was left behind")
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "tokenward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if users, err := db.Users(context.Background()); err != nil || len(users) != 1 {
		t.Errorf("users after the refused commands: %d, %v", len(users), err)
	}
}

// TestCommandsOnPostgres runs the admin commands and the server on a
// PostgreSQL database with a key file outside the data directory, which
// stays empty.
func TestCommandsOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, err := pgtest.Shared(t).NewDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, keyFile := filepath.Join(dir, "data"), filepath.Join(dir, "keys", "tokenward.key")
	if err := os.Mkdir(filepath.Dir(keyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	on := []string{"--data", data, "--database", dbURL, "--key-file", keyFile}
	if out, err := runCmd(t, password, userArgs("ada", on...)...); err != nil || !strings.Contains(out, "Created user ada, admin of acme.") {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	info, err := os.Stat(keyFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
	stdout, stderr, err := createTokenIn(data, append(on[2:], "--org", "acme", "--kind", "api", "--name", "deploy bot", "--owner", "ada", "--scopes", "tokens:read")...)
	if err != nil {
		t.Fatalf("create-token: %v\n%s", err, stderr)
	}
	secret := strings.SplitN(stdout, "\n", 2)[0]

	base, out, stop := startServe(t, on...)
	defer stop()
	if !strings.Contains(out.String(), `database="postgres://`) {
		t.Errorf("the server does not say which database it serves:\n%s", out)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/token", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the token made on PostgreSQL: GET /api/v1/token = %d", res.StatusCode)
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("the data directory was made although the database and the key are elsewhere")
	}

	other := filepath.Join(dir, "keys", "other.key")
	if out, err := runCmd(t, password, userArgs("bob", "--database", dbURL, "--key-file", other)...); err == nil ||
		!strings.Contains(err.Error(), "another deployment key") {
		t.Errorf("another key on the same database: %v\n%s", err, out)
	}
}

// TestDatabaseFromEnvironment sets TOKENWARD_DATABASE_URL and
// TOKENWARD_KEY_FILE instead of the flags (not parallel: it sets the
// process's environment).
func TestDatabaseFromEnvironment(t *testing.T) {
	ctx := context.Background()
	dbURL, err := pgtest.Shared(t).NewDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "tokenward.key")
	t.Setenv("TOKENWARD_DATABASE_URL", dbURL)
	t.Setenv("TOKENWARD_KEY_FILE", keyFile)
	if out, err := runCmd(t, password, userArgs("ada")...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	key, _, err := auth.LoadOrCreateMasterKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbURL, store.WithKeyFingerprint(auth.KeyFingerprint(key)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.UserByUsername(ctx, "ada"); err != nil {
		t.Errorf("ada on PostgreSQL: %v", err)
	}
}
