package web_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tokenward/web"
)

// buildCLI builds the tokenward binary once per test binary.
var buildCLI = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "tokenward-cli-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "tokenward")
	cmd := exec.Command("go", "build", "-o", bin, "tokenward/cmd/tokenward")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// TestJourneyCLILogin runs the real `tokenward login` as a subprocess against
// the test server while the member activates it in the browser; afterwards
// `tokenward whoami` works and the token shows on the CLI tab with its
// device name.
func TestJourneyCLILogin(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		// The CLI polls at the interval the server gives; one second keeps the
		// journey short without changing what it shows.
		a := seededApp(t, func(cfg *web.Config) { cfg.DevicePollInterval = time.Second })
		bin, err := buildCLI()
		if err != nil {
			t.Fatalf("build tokenward: %v", err)
		}
		config := t.TempDir()
		env := append(os.Environ(), "XDG_CONFIG_HOME="+config, "HOME="+config)
		cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()

		login := exec.CommandContext(cctx, bin, "login", "--server", a.ts.URL, "--no-browser", "--device-name", "ci-laptop")
		login.Env = env
		stderr, err := login.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stdout strings.Builder
		login.Stdout = &stdout
		if err := login.Start(); err != nil {
			t.Fatal(err)
		}
		// The CLI prints the link with the code; read it from its stderr.
		link := make(chan string, 1)
		var printed strings.Builder
		go func() {
			sc := bufio.NewScanner(stderr)
			found := regexp.MustCompile(`https?://\S+/device\?code=\S+`)
			for sc.Scan() {
				printed.WriteString(sc.Text() + "\n")
				if m := found.FindString(sc.Text()); m != "" {
					link <- m
				}
			}
			io.Copy(io.Discard, stderr)
		}()
		var verify string
		select {
		case verify = <-link:
		case <-time.After(20 * time.Second):
			t.Fatalf("tokenward login printed no link:\n%s", printed.String())
		}

		visit(t, ctx, verify)
		waitURL(t, ctx, "/login?next=")
		run(t, ctx, fill("#username", "max"), fill("#password", testPassword))
		if status := submit(t, ctx, testid("sign-in")); status != http.StatusOK {
			t.Fatalf("sign in: status %d", status)
		}
		if got := textOf(t, ctx, testid("device-name")); got != "ci-laptop" {
			t.Errorf("the page shows device %q", got)
		}
		if status := submit(t, ctx, testid("device-activate")); status != http.StatusOK {
			t.Fatalf("activate: status %d", status)
		}
		if err := login.Wait(); err != nil {
			t.Fatalf("tokenward login: %v\nstdout: %s\nstderr: %s", err, stdout.String(), printed.String())
		}

		whoami := exec.CommandContext(cctx, bin, "whoami", "--server", a.ts.URL)
		whoami.Env = env
		out, err := whoami.CombinedOutput()
		if err != nil {
			t.Fatalf("tokenward whoami: %v\n%s", err, out)
		}
		for _, want := range []string{"ci-laptop", "CLI token", "acme", "max", "findings:local"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("whoami output lacks %q:\n%s", want, out)
			}
		}
		info, err := os.Stat(filepath.Join(config, "tokenward", "credentials.json"))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("credentials file: %v, mode %v", err, info.Mode().Perm())
		}

		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/tokens/cli")
		if got := textOf(t, ctx, rowSel("ci-laptop")+" "+testid("token-name")); got != "ci-laptop" {
			t.Errorf("CLI tab row = %q", got)
		}
	})
}
