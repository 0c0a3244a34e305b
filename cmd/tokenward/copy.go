package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"tokenward/auth"
	"tokenward/store"
)

// copyDeployment is `tokenward copy [--data DIR] [--key-file PATH] --to
// postgres://…`: it moves the embedded deployment into a new, empty
// PostgreSQL database (store.Copy), then prints each table's rows on both
// sides. It fails when any differ, and then nothing is written.
func copyDeployment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("copy", stderr)
	var f dbFlags
	f.register(fs)
	to := fs.String("to", "", "the new, empty PostgreSQL database to copy into: postgres://USER@HOST/DB (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !store.IsPostgresURL(*to) {
		return errors.New("--to: give the PostgreSQL database to copy into, such as postgres://tokenward@db.example.com/tokenward")
	}
	if f.postgres() {
		return errors.New("--database names PostgreSQL (the flag or TOKENWARD_DATABASE_URL): copy reads the embedded database in --data; give PostgreSQL as --to and leave --database empty")
	}
	if _, err := f.location(); err != nil {
		return err
	}
	// The target is checked before the source is opened, which may record
	// the key's fingerprint in it.
	if err := store.CheckPostgres(ctx, *to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	src, key, err := f.openEmbedded(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, store.WithKeyFingerprint(auth.KeyFingerprint(key)))
	if errors.Is(err, store.ErrOtherKey) {
		return fmt.Errorf("--to: the database was made with another deployment key than %s: copy only into a new, empty database", f.keyPath())
	}
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()

	start := time.Now()
	counts, err := store.Copy(ctx, src, dst)
	if len(counts) > 0 {
		printCounts(stdout, counts)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nCopied %s to %s in %s.\n", src.Path(), dst.Path(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Serve it with --database (or TOKENWARD_DATABASE_URL) and this deployment's key on every replica: --key-file %s\n"+
		"Changes made to the embedded database from now on are not in PostgreSQL.\n", f.keyPath())
	return nil
}

// printCounts prints the table of rows per table on both sides.
func printCounts(w io.Writer, counts []store.TableCount) {
	width := len("table")
	for _, c := range counts {
		width = max(width, len(c.Table))
	}
	fmt.Fprintf(w, "%-*s  %8s  %8s\n", width, "table", "source", "target")
	for _, c := range counts {
		verdict := "OK"
		if !c.OK() {
			verdict = "MISMATCH"
		}
		fmt.Fprintf(w, "%-*s  %8d  %8d  %s\n", width, c.Table, c.Source, c.Target, verdict)
	}
}
