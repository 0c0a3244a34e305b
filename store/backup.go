package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// BackupInfo is what Backup wrote, as read back from the copy itself.
type BackupInfo struct {
	Path   string // absolute
	Bytes  int64
	Tokens int
}

// Backup writes a consistent copy of the embedded database to a new file
// at path while the database keeps serving. It uses SQLite's VACUUM INTO:
// one read transaction, so the copy is the database as of one moment, with
// every committed write before it and none after, and writers go on
// meanwhile (in WAL mode a reader never blocks them). Copying the file
// instead could catch a write half done, and would miss what is still in
// the WAL. The copy is compact and in rollback-journal mode: a single file.
//
// VACUUM INTO is refused on the read-only reader connections, and on the
// writer it would hold back this process's writes for as long as it runs,
// so it runs on a connection of its own. path must not exist: the file is
// created first, readable by its owner only (it holds password hashes and
// sealed secrets), and removed again if the copy fails.
func (db *DB) Backup(ctx context.Context, path string) (BackupInfo, error) {
	if db.dialect.postgres {
		return BackupInfo{}, errors.New("backup copies the embedded SQLite database; back up PostgreSQL with pg_dump")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return BackupInfo{}, err
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return BackupInfo{}, fmt.Errorf("%s exists: choose a new file name; backup never overwrites", path)
	case errors.Is(err, fs.ErrNotExist):
		return BackupInfo{}, fmt.Errorf("cannot create %s: the directory %s does not exist", path, filepath.Dir(abs))
	case err != nil:
		return BackupInfo{}, fmt.Errorf("cannot create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(abs)
		return BackupInfo{}, err
	}
	info, err := db.vacuumInto(ctx, abs)
	if err != nil {
		os.Remove(abs)
		return BackupInfo{}, fmt.Errorf("backup to %s: %w", path, err)
	}
	return info, nil
}

// vacuumInto copies the database into the empty file at abs and reads the
// copy back.
func (db *DB) vacuumInto(ctx context.Context, abs string) (BackupInfo, error) {
	conn, err := sql.Open("sqlite", db.dsn)
	if err != nil {
		return BackupInfo{}, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return BackupInfo{}, err
	}
	return readBackup(ctx, abs)
}

// readBackup opens the copy read-only, checks it and counts its tokens, so
// what Backup reports is what the file holds.
func readBackup(ctx context.Context, abs string) (BackupInfo, error) {
	bak, err := sql.Open("sqlite", "file:"+abs+"?mode=ro&"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return BackupInfo{}, err
	}
	defer bak.Close()
	var check string
	if err := bak.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return BackupInfo{}, fmt.Errorf("read the copy back: %w", err)
	}
	if check != "ok" {
		return BackupInfo{}, fmt.Errorf("the copy fails SQLite's check: %s", check)
	}
	info := BackupInfo{Path: abs}
	if err := bak.QueryRowContext(ctx, "SELECT COUNT(*) FROM tokens").Scan(&info.Tokens); err != nil {
		return BackupInfo{}, fmt.Errorf("read the copy back: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return BackupInfo{}, err
	}
	info.Bytes = st.Size()
	return info, nil
}
