package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/store/pgtest"
)

// newPostgres is a new, empty PostgreSQL database.
func newPostgres(t *testing.T) string {
	t.Helper()
	u, err := pgtest.Shared(t).NewDatabase(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCopyToPostgres moves an embedded deployment to PostgreSQL and serves
// it from there: the table of counts says OK for every table, and a token
// made before the move works against the server on PostgreSQL, whose
// org-visible secret still opens with the key.
func TestCopyToPostgres(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	stdout, stderr, err := createTokenIn(data, "--org", "acme", "--kind", "api", "--name", "shared bot", "--owner", "ada",
		"--scopes", "tokens:read", "--visibility", "org")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	secret := strings.SplitN(stdout, "\n", 2)[0]
	dbURL := newPostgres(t)

	out, err := runCmd(t, "", "copy", "--data", data, "--to", dbURL)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	for _, line := range []string{`table +source +target`, `organizations +2 +2  OK`, `users +4 +4  OK`, `tokens +2 +2  OK`,
		`audit_events +(\d+) +(\d+)  OK`, `token_search \(rebuilt\) +2 +2  OK`,
		`Copied \S+/tokenward\.db to postgres://postgres@\S+ in \S+\.`,
		`Serve it with --database \(or TOKENWARD_DATABASE_URL\) and this deployment's key on every replica: --key-file \S+/tokenward\.key`} {
		if !regexp.MustCompile(`(?m)^` + line + `$`).MatchString(out) {
			t.Errorf("output lacks a line %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "MISMATCH") {
		t.Errorf("mismatch reported:\n%s", out)
	}

	// Serve from PostgreSQL with the same key file, without the data
	// directory's database.
	key := filepath.Join(data, "tokenward.key")
	base, _, stop := startServe(t, "--data", t.TempDir(), "--database", dbURL, "--key-file", key)
	defer stop()
	req, _ := http.NewRequest("GET", base+"/api/v1/token", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := new(bytes.Buffer)
	body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(body.String(), "shared bot") {
		t.Errorf("the copied token on PostgreSQL: %d %s", res.StatusCode, body)
	}
	if _, stderr, err := createTokenIn(t.TempDir(), "--database", dbURL, "--key-file", key, "--org", "acme", "--kind", "api",
		"--name", "after the move", "--owner", "ada"); err != nil {
		t.Errorf("a new token after the copy: %v\n%s", err, stderr)
	}

	ctx := context.Background()
	k, _, err := auth.LoadOrCreateMasterKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbURL, store.WithKeyFingerprint(auth.KeyFingerprint(k)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := auth.HashToken(secret)
	tok, _, err := db.TokenBySecretHash(ctx, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sealer.Open(tok.ID, tok.Sealed); err != nil || got != secret {
		t.Errorf("the org-visible secret on PostgreSQL: %v", err)
	}
}

// TestCopyRefuses gives copy a target it must not write to, or a source it
// cannot read: each is one line that says what to do, and the target keeps
// what it had.
func TestCopyRefuses(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	full := newPostgres(t)
	if out, err := runCmd(t, "", "copy", "--data", data, "--to", full); err != nil {
		t.Fatalf("first copy: %v\n%s", err, out)
	}
	otherKey := newPostgres(t)
	if out, err := runCmd(t, password, userArgs("gus", "--database", otherKey, "--key-file", filepath.Join(t.TempDir(), "other.key"))...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a target with data", []string{"--data", data, "--to", full},
			"the target already holds data (organizations has 2 rows): copy only into a new, empty database; nothing was copied"},
		{"a target of another deployment key", []string{"--data", data, "--to", otherKey},
			"--to: the database was made with another deployment key than " + filepath.Join(data, "tokenward.key") + ": copy only into a new, empty database"},
		{"an unreachable target", []string{"--data", data, "--to", "postgres://tw:hunter2@127.0.0.1:1/tw"},
			"--to: cannot reach PostgreSQL at postgres://tw:xxxxx@127.0.0.1:1/tw:"},
		{"no target", []string{"--data", data}, "--to: give the PostgreSQL database to copy into"},
		{"a target that is not PostgreSQL", []string{"--data", data, "--to", "mysql://db/tw"}, "--to: give the PostgreSQL database to copy into"},
		{"a PostgreSQL source", []string{"--data", data, "--database", full, "--to", full}, "copy reads the embedded database in --data"},
		{"no deployment", []string{"--data", t.TempDir(), "--to", newPostgres(t)}, "no embedded database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCmd(t, "", append([]string{"copy"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, out)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("not one line without the password: %q", err)
			}
		})
	}
	ctx := context.Background()
	for dbURL, want := range map[string][]string{full: {"acme", "globex"}, otherKey: {"acme"}} {
		db, err := store.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		orgs, err := db.Orgs(ctx)
		db.Close()
		var slugs []string
		for _, o := range orgs {
			slugs = append(slugs, o.Slug)
		}
		if err != nil || strings.Join(slugs, " ") != strings.Join(want, " ") {
			t.Errorf("orgs of a refused target: %v (%v), want %v", slugs, err, want)
		}
	}
}

func TestPrintCountsMarksMismatch(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	printCounts(&out, []store.TableCount{{Table: "users", Source: 3, Target: 3}, {Table: "audit_events", Source: 120, Target: 119}})
	want := "table           source    target\n" +
		"users                3         3  OK\n" +
		"audit_events       120       119  MISMATCH\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
