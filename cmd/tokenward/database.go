package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"tokenward/auth"
	"tokenward/store"
)

// dbFlags are the flags of every command that opens the database: the data
// directory, the database (the embedded SQLite file in it, or PostgreSQL)
// and the deployment key.
type dbFlags struct {
	data     string
	database databaseURL
	keyFile  string
}

// databaseURL is --database's value. It may hold a password, so --help
// shows a default taken from the environment without it.
type databaseURL string

func (u *databaseURL) String() string {
	if u == nil || *u == "" {
		return ""
	}
	return withoutPassword(string(*u))
}

func (u *databaseURL) Set(s string) error { *u = databaseURL(s); return nil }

// register adds the flags to fs, with their environment defaults.
func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", env("TOKENWARD_DATA", "./data"), "data directory: the embedded database and the default key file")
	f.database = databaseURL(env("TOKENWARD_DATABASE_URL", ""))
	fs.Var(&f.database, "database", "PostgreSQL database `URL` such as postgres://USER:PASSWORD@HOST/DB; empty: the embedded SQLite database DIR/tokenward.db")
	fs.StringVar(&f.keyFile, "key-file", env("TOKENWARD_KEY_FILE", ""), "deployment key file, shared by every replica (default DIR/tokenward.key, created on first start)")
}

// keyPath is the deployment key's file.
func (f *dbFlags) keyPath() string {
	if f.keyFile != "" {
		return f.keyFile
	}
	return filepath.Join(f.data, "tokenward.key")
}

// embeddedPath is the embedded database's file.
func (f *dbFlags) embeddedPath() string { return filepath.Join(f.data, "tokenward.db") }

// postgres reports whether --database names PostgreSQL.
func (f *dbFlags) postgres() bool { return store.IsPostgresURL(string(f.database)) }

// location is what store.Open is given. A --database that is not a
// postgres:// URL is refused here, before anything is written; the value
// is not repeated, as it may hold a password.
func (f *dbFlags) location() (string, error) {
	switch {
	case f.database == "":
		return f.embeddedPath(), nil
	case f.postgres():
		return string(f.database), nil
	}
	if u, err := url.Parse(string(f.database)); err == nil && u.Scheme != "" && strings.Contains(string(f.database), "://") {
		return "", fmt.Errorf("--database: %s:// is not a database Tokenward can use: give a postgres:// URL, or no --database for the embedded SQLite database in --data", u.Scheme)
	}
	return "", errors.New("--database: give a PostgreSQL URL such as postgres://tokenward@db.example.com/tokenward, or no --database for the embedded SQLite database in --data")
}

// open opens the database with the deployment key, making the data
// directory, the key file and the embedded database on first start, and
// recording the key's fingerprint so a database is never served with
// another key. A malformed or unreachable PostgreSQL URL is refused before
// any file is written, and a key file made just now for a database that
// turns out to hold another key's fingerprint is removed again.
func (f *dbFlags) open(ctx context.Context, opts ...store.Option) (*store.DB, []byte, error) {
	loc, err := f.location()
	if err != nil {
		return nil, nil, err
	}
	if f.postgres() {
		if err := store.CheckPostgres(ctx, loc); err != nil {
			return nil, nil, fmt.Errorf("--database: %w", err)
		}
	}
	if !f.postgres() || f.keyFile == "" {
		if err := os.MkdirAll(f.data, 0o700); err != nil {
			return nil, nil, fmt.Errorf("data directory: %w", err)
		}
	}
	key, created, err := auth.LoadOrCreateMasterKey(f.keyPath())
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, loc, append(opts, store.WithKeyFingerprint(auth.KeyFingerprint(key)))...)
	if err != nil {
		if created && errors.Is(err, store.ErrOtherKey) {
			// Made a moment ago for a database of another key: no data is
			// sealed with it, so it would only mislead the next start.
			os.Remove(f.keyPath())
		}
		return nil, nil, err
	}
	return db, key, nil
}

// openEmbedded opens the embedded database of a deployment that exists,
// for the commands that read one (backup, copy): it creates nothing.
// Callers refuse a PostgreSQL --database first, each with its own advice.
func (f *dbFlags) openEmbedded(ctx context.Context) (*store.DB, []byte, error) {
	if _, err := f.location(); err != nil {
		return nil, nil, err
	}
	if f.postgres() {
		return nil, nil, errors.New("--database names PostgreSQL; this command reads the embedded database in --data")
	}
	if _, err := os.Stat(f.embeddedPath()); err != nil {
		return nil, nil, fmt.Errorf("no embedded database at %s: give the deployment's data directory with --data", f.embeddedPath())
	}
	if _, err := os.Stat(f.keyPath()); err != nil {
		return nil, nil, fmt.Errorf("no deployment key at %s: give the key file the deployment was made with (--key-file)", f.keyPath())
	}
	return f.open(ctx)
}

// withoutPassword is a PostgreSQL URL with its password taken out, to show
// in a command a person may copy.
func withoutPassword(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return `"$TOKENWARD_DATABASE_URL"`
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
