package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// TestBackupWhileWriting backs up while another goroutine keeps creating
// tokens, as a server would: the copy opens as a database of its own, holds
// the tokens made before it, and is one moment of the database (each token
// with its search row and its audit event, as they were committed).
func TestBackupWhileWriting(t *testing.T) {
	onSQLite(t)
	t.Parallel()
	w := newWorld(t)
	// Enough rows that the copy takes a while, so writes land during it.
	bulk := make([]store.ImportedToken, 3000)
	for i := range bulk {
		nt := store.NewToken{Name: fmt.Sprintf("bulk %d", i)}
		w.prepare(&nt)
		bulk[i] = store.ImportedToken{NewToken: nt}
	}
	if err := w.db.ImportTokens(w.ctx, w.org.ID, bulk, w.actor); err != nil {
		t.Fatal(err)
	}
	before, secret := w.mint(store.NewToken{Name: "made before the backup"})

	ctx, stop := context.WithCancel(w.ctx)
	var made atomic.Int64
	done, writing := make(chan error, 1), make(chan struct{})
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			s, err := auth.NewToken(auth.KindAPI)
			if err != nil {
				done <- err
				return
			}
			h := auth.HashToken(s)
			_, err = w.db.CreateToken(ctx, store.NewToken{ID: uuid.NewString(), OrgID: w.org.ID, Kind: "api", Name: fmt.Sprintf("during %d", i),
				CreatorID: w.root.ID, OwnerUserID: w.root.ID, Scopes: []string{"report"}, Visibility: auth.VisibilityAdmins,
				SecretHash: h[:], Hint: auth.TokenHint(s)}, w.actor)
			if err != nil && ctx.Err() == nil {
				done <- err
				return
			}
			if made.Add(1) == 5 {
				close(writing)
			}
		}
		done <- nil
	}()
	select {
	case <-writing:
	case err := <-done:
		t.Fatalf("writing before the backup: %v", err)
	}
	path := filepath.Join(t.TempDir(), "tokenward-backup.db")
	madeBefore := made.Load()
	info, err := w.db.Backup(w.ctx, path)
	duringBackup := made.Load() - madeBefore
	stop()
	if err := <-done; err != nil {
		t.Fatalf("writing during the backup: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != info.Bytes || st.Mode().Perm() != 0o600 || info.Path != path {
		t.Fatalf("backup file %v (%v), info %+v", st, err, info)
	}
	all := int64(len(bulk)) + 1 + made.Load()
	if int64(info.Tokens) < int64(len(bulk))+1 || int64(info.Tokens) > all {
		t.Errorf("backup holds %d tokens; %d were made before it and %d in all", info.Tokens, len(bulk)+1, all)
	}
	t.Logf("backup of %d tokens, %d bytes; %d tokens made while it ran", info.Tokens, info.Bytes, duringBackup)
	// One file, in rollback-journal mode (header bytes 18 and 19 are 1, not
	// WAL's 2), so copying it elsewhere copies all of it.
	if head, err := os.ReadFile(path); err != nil || len(head) < 20 || head[18] != 1 || head[19] != 1 {
		t.Errorf("backup header %v, %v: want rollback-journal mode", head[:min(len(head), 20)], err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("the backup has a WAL file beside it")
	}

	bak, err := store.Open(w.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer bak.Close()
	if got, _, err := bak.TokenBySecretHash(w.ctx, hashOf(secret)); err != nil || got.ID != before.ID {
		t.Errorf("token made before the backup: %+v, %v", got, err)
	}
	reader, _ := bak.Pools()
	var tokens, search, unsearched, created int
	for q, dst := range map[string]*int{
		"SELECT COUNT(*) FROM tokens":       &tokens,
		"SELECT COUNT(*) FROM token_search": &search,
		"SELECT COUNT(*) FROM tokens WHERE rowid NOT IN (SELECT rowid FROM token_search)": &unsearched,
		"SELECT COUNT(*) FROM audit_events WHERE action = 'token.created'":                &created,
	} {
		if err := reader.QueryRowContext(w.ctx, q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	if tokens != info.Tokens || search != tokens || unsearched != 0 {
		t.Errorf("backup: %d tokens (reported %d), %d search rows, %d tokens without one", tokens, info.Tokens, search, unsearched)
	}
	// Each created token was committed with its event, imported ones without.
	if created != tokens-len(bulk) {
		t.Errorf("backup: %d token.created events for %d created tokens", created, tokens-len(bulk))
	}
}

func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	dir := t.TempDir()
	if w.db.Shared() {
		_, err := w.db.Backup(w.ctx, filepath.Join(dir, "x.db"))
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("backup of PostgreSQL: err = %v, want pg_dump named", err)
		}
		return
	}
	taken := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(taken, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"an existing file", taken, taken + " exists: choose a new file name; backup never overwrites"},
		{"a missing directory", filepath.Join(dir, "nope", "b.db"), "the directory " + filepath.Join(dir, "nope") + " does not exist"},
		{"a path under a file", filepath.Join(taken, "b.db"), "cannot create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.db.Backup(w.ctx, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if b, err := os.ReadFile(taken); err != nil || string(b) != "keep me" {
		t.Errorf("the existing file now holds %q (%v)", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("refused backups left files: %v", entries)
	}
}
