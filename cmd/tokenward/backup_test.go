package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
)

// TestBackupWhileServing backs up a deployment while its server runs: the
// copy is reported with its size and tokens, and opens with the token made
// before it.
func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	stdout, stderr, err := createTokenIn(data, "--org", "acme", "--kind", "api", "--name", "before the backup", "--owner", "ada")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	secret := strings.SplitN(stdout, "\n", 2)[0]
	_, _, stop := startServe(t, "--data", data)
	defer stop()

	file := filepath.Join(t.TempDir(), "tokenward-2026-12-01.db")
	out, err := runCmd(t, "", "backup", "--data", data, file)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := regexp.MustCompile(`^Backed up \S+/tokenward\.db to ` + regexp.QuoteMeta(file) + ` \(\d+\.\d KiB, 2 tokens\)\.\n` +
		`Keep the key file \S+/tokenward\.key with it: the backup's sealed secrets open only with that key\.\n$`)
	if !want.MatchString(out) {
		t.Errorf("output:\n%s", out)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v", info, err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := auth.HashToken(secret)
	if tok, _, err := db.TokenBySecretHash(ctx, h[:]); err != nil || tok.Name != "before the backup" {
		t.Errorf("token in the backup: %+v, %v", tok, err)
	}
}

func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(taken, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an existing file", []string{"--data", data, taken}, taken + " exists: choose a new file name; backup never overwrites"},
		{"a missing directory", []string{"--data", data, filepath.Join(dir, "nope", "b.db")},
			fmt.Sprintf("cannot create %s: the directory %s does not exist", filepath.Join(dir, "nope", "b.db"), filepath.Join(dir, "nope"))},
		{"PostgreSQL", []string{"--data", data, "--database", "postgres://tw:hunter2@db.example.com/tw", "tw.dump"},
			"backup copies the embedded database; for PostgreSQL use pg_dump: pg_dump --format=custom --file tw.dump postgres://tw@db.example.com/tw (and pg_restore to restore)"},
		{"no deployment", []string{"--data", filepath.Join(dir, "empty"), filepath.Join(dir, "b.db")},
			"no embedded database at " + filepath.Join(dir, "empty", "tokenward.db") + ": give the deployment's data directory with --data"},
		{"no file", []string{"--data", data}, "backup writes one new FILE: tokenward backup [--data DIR] FILE"},
		{"flags after the file", []string{filepath.Join(dir, "b.db"), "--data", data}, "(flags before the file)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCmd(t, "", append([]string{"backup"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, out)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the message shows the password: %v", err)
			}
		})
	}
	if b, err := os.ReadFile(taken); err != nil || string(b) != "an older backup" {
		t.Errorf("the existing file now holds %q (%v)", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("refused backups wrote %v", entries)
	}
}
