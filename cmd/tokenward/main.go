// Command tokenward is Tokenward's one binary: the server, its admin
// command line, and the command-line client that logs in through the
// browser (RFC 8628 device flow).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Tokenward: a self-hosted token authority.

Usage:
  tokenward [serve] [DATABASE FLAGS] [--addr ADDR] [--public-url URL] [--trusted-proxies CIDRS] [--demo]
  tokenward admin create-user [DATABASE FLAGS] --username U --email E --org SLUG --role admin|member|auditor [--display-name N] [--site-admin]
      (reads the password from standard input)
  tokenward admin create-token [DATABASE FLAGS] --org SLUG --kind api|cli|service --name NAME [--scopes a,b]
      [--owner USERNAME] [--service NAME] [--visibility admins|org] [--expires-in 30d|never] [--quota N]
  tokenward admin create-token [DATABASE FLAGS] --kind personal --orgs SLUG,SLUG --owner USERNAME --name NAME [--scopes a,b] [...]
      (prints the token, then "id: <uuid>", on standard output; the token is shown only this once)
  tokenward backup [--data DIR] FILE
      (a consistent copy of the embedded database, while the server runs; never overwrites FILE)
  tokenward copy [--data DIR] [--key-file PATH] --to postgres://USER@HOST/DB
      (moves the embedded deployment into a new, empty PostgreSQL database; stop the server first)

  tokenward login [--server URL] [--org SLUG] [--scopes a,b] [--device-name NAME] [--no-browser]
      (prints a link and a code, opens the browser, waits for Activate, stores a CLI token)
  tokenward whoami [--server URL]
  tokenward logout [--server URL] [--revoke]
      (removes the stored token; it still works until revoked: --revoke revokes it first)
  tokenward tokens list [--server URL]

Database flags, the same for every command that opens the database:
  --data DIR          data directory (default ./data): the embedded SQLite database DIR/tokenward.db
                      and the default key file
  --database URL      PostgreSQL instead, postgres://USER:PASSWORD@HOST/DB (default: the embedded database)
  --key-file PATH     the deployment key, shared by every replica (default DIR/tokenward.key, created
                      with mode 0600 on first start); a database made with another key is refused

Environment: TOKENWARD_ADDR, TOKENWARD_DATA, TOKENWARD_PUBLIC_URL, TOKENWARD_TRUSTED_PROXIES
provide defaults for the flags of the same names, TOKENWARD_DATABASE_URL for --database,
TOKENWARD_KEY_FILE for --key-file; TOKENWARD_SERVER for --server (default
http://127.0.0.1:8080). Tokens are stored per server in the user's config directory
(e.g. ~/.config/tokenward/credentials.json, mode 0600).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokenward:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand; serve is the default.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		return serve(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) < 2 {
			return fmt.Errorf("admin needs a subcommand: create-user or create-token\n\n%s", usage)
		}
		switch args[1] {
		case "create-user":
			return createUser(ctx, args[2:], stdin, stdout, stderr)
		case "create-token":
			return createToken(ctx, args[2:], stdout, stderr)
		}
		return fmt.Errorf("unknown admin command %q: try create-user or create-token", args[1])
	case "backup":
		return backup(ctx, args[1:], stdout, stderr)
	case "copy":
		return copyDeployment(ctx, args[1:], stdout, stderr)
	case "login":
		return login(ctx, args[1:], stdout, stderr)
	case "whoami":
		return whoami(ctx, args[1:], stdout, stderr)
	case "logout":
		return logout(ctx, args[1:], stdout, stderr)
	case "tokens":
		return tokensCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

// env returns the environment variable's value, or def when unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
