package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// backup is `tokenward backup [--data DIR] FILE`: a consistent copy of the
// embedded database, made while the server keeps serving (store.Backup).
// PostgreSQL has pg_dump for that, and the refusal says how.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr)
	var f dbFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("backup writes one new FILE: tokenward backup [--data DIR] FILE (flags before the file)")
	}
	file := fs.Arg(0)
	if f.postgres() {
		return fmt.Errorf("backup copies the embedded database; for PostgreSQL use pg_dump: pg_dump --format=custom --file %s %s (and pg_restore to restore)",
			shellQuote(file), shellQuote(withoutPassword(string(f.database))))
	}
	db, _, err := f.openEmbedded(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := db.Backup(ctx, file)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%s, %d tokens).\n", db.Path(), info.Path, byteSize(info.Bytes), info.Tokens)
	fmt.Fprintf(stdout, "Keep the key file %s with it: the backup's sealed secrets open only with that key.\n", f.keyPath())
	return nil
}

// byteSize is n bytes in the largest unit that keeps it at 1 or more.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.' || c == '-' || c == '_' || c == ':' || c == '@') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
