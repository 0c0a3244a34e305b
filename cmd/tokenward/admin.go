package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

// createUser is `tokenward admin create-user`: it creates a user in an org
// (creating the org when it is new), reading the password from stdin. It
// may run while the server runs: SQLite with WAL and a busy timeout, or
// PostgreSQL, lets both write.
func createUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin create-user", stderr)
	var dbf dbFlags
	dbf.register(fs)
	username := fs.String("username", "", "username (required)")
	email := fs.String("email", "", "email address (required)")
	display := fs.String("display-name", "", "display name")
	org := fs.String("org", "", "organization slug (required; created when it does not exist)")
	role := fs.String("role", "", "role in the org: admin, member or auditor (required)")
	siteAdmin := fs.Bool("site-admin", false, "make the user a site admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	nu := store.NewUser{Username: auth.NormalizeUsername(*username), Email: strings.TrimSpace(*email),
		DisplayName: strings.TrimSpace(*display), SiteAdmin: *siteAdmin}
	slug := strings.ToLower(strings.TrimSpace(*org))
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	if err := checkNewUser(&nu, slug, stdin); err != nil {
		return err
	}
	db, _, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, o, err := db.CreateUserInOrg(ctx, nu, slug, string(r), store.Actor{Label: "command line"})
	if fe := fault.As(err); fe != nil {
		return errors.New(fe.Message)
	}
	if err != nil {
		return err
	}
	kind := "user"
	if u.SiteAdmin {
		kind = "site admin"
	}
	fmt.Fprintf(stdout, "Created %s %s, %s of %s.\n", kind, u.Username, r, o.Slug)
	return nil
}

// checkNewUser checks the flags of a new user and reads and hashes their
// password from stdin.
func checkNewUser(nu *store.NewUser, slug string, stdin io.Reader) error {
	for _, check := range []struct{ flag, msg string }{
		{"--username", auth.ValidateUsername(nu.Username)},
		{"--email", auth.ValidateEmail(nu.Email)},
		{"--display-name", auth.ValidateDisplayName(nu.DisplayName)},
		{"--org", auth.ValidateSlug(slug)},
	} {
		if check.msg != "" {
			return fmt.Errorf("%s: %s", check.flag, check.msg)
		}
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if msg := auth.ValidatePassword(password); msg != "" {
		return fmt.Errorf("password: %s", msg)
	}
	if nu.PasswordHash, err = auth.HashPassword(password); err != nil {
		return err
	}

	return nil
}

// readPassword reads the first line of stdin, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PASSWORD\" | tokenward admin create-user ...`")
	}
	return line, nil
}
