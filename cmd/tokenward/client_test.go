package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readCredentials reads the credentials file under dir without the
// client's checks.
func readCredentials(t *testing.T, dir string) credentials {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "tokenward", "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c credentials
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoginDeviceFlow logs in against the fake: pending, then slow_down
// (after which the client must wait 5 s more), then a token; then whoami,
// tokens list, a second login and logout work with the stored token.
func TestLoginDeviceFlow(t *testing.T) {
	dir := useConfigDir(t)
	as := newFakeAS(t, "authorization_pending", "slow_down", "ok")
	start := time.Now()
	stdout, stderr, err := runClient(t, "login", "--server", as.URL+"/", "--no-browser", "--device-name", "laptop",
		"--org", "acme", "--scopes", "findings:local,report:read")
	if err != nil {
		t.Fatalf("login: %v\n%s", err, stderr)
	}
	for _, want := range []string{"Open this link in a browser:", as.URL + "/device?user_code=WDJB-MJHT", "WDJB-MJHT", "click Activate",
		"Stored the token in " + filepath.Join(dir, "tokenward", "credentials.json")} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if want := "Logged in to " + as.URL + " as max in acme: CLI token \"laptop\" (findings:local), expires "; !strings.HasPrefix(stdout, want) || strings.Count(stdout, "\n") != 1 {
		t.Errorf("stdout = %q, want one line starting %q", stdout, want)
	}
	as.mu.Lock()
	f, polls := as.deviceForm, as.polls
	as.mu.Unlock()
	if f.Get("client_id") != "tokenward-cli" || f.Get("device_name") != "laptop" || f.Get("org") != "acme" || f.Get("scope") != "findings:local report:read" {
		t.Errorf("device authorization form = %v", f)
	}
	if len(polls) != 3 {
		t.Fatalf("%d polls, want 3", len(polls))
	}
	if gap := polls[0].Sub(start); gap < 900*time.Millisecond {
		t.Errorf("first poll after %v: the interval (1 s) was not honoured", gap)
	}
	if gap := polls[2].Sub(polls[1]); gap < 5900*time.Millisecond {
		t.Errorf("poll after slow_down came %v later, want the interval raised by 5 s to 6 s", gap)
	}

	info, err := os.Stat(filepath.Join(dir, "tokenward", "credentials.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v", err, info.Mode().Perm())
	}
	if d, err := os.Stat(filepath.Join(dir, "tokenward")); err != nil {
		t.Fatal(err)
	} else if d.Mode().Perm() != 0o700 {
		t.Errorf("credentials dir mode %v", d.Mode().Perm())
	}
	st := readCredentials(t, dir).Servers[as.URL]
	if st.Token != "tw_cli_secret1" || st.TokenID != "tok-tw_cli_secret1" || st.Org != "acme" || st.DeviceName != "laptop" {
		t.Errorf("stored %+v", st)
	}
	if _, err := time.Parse(time.RFC3339, st.Created); err != nil {
		t.Errorf("created %q: %v", st.Created, err)
	}

	t.Setenv("TOKENWARD_SERVER", as.URL) // the commands below find the server here
	stdout, _, err = runClient(t, "whoami")
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	for _, want := range []string{"laptop (CLI token, id tok-tw_cli_secret1)", "Org:       acme", "Owner:     max",
		"Scopes:    findings:local", "Expires:   ", "(in 90 days)", "Last use:  ", "from 127.0.0.1 (GET /api/v1/token)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("whoami lacks %q:\n%s", want, stdout)
		}
	}

	stdout, _, err = runClient(t, "tokens", "list")
	if err != nil {
		t.Fatalf("tokens list: %v", err)
	}
	for _, want := range []string{`CLI token cannot hold the api scope`, "findings:local", as.URL + "/orgs/acme/settings/tokens/cli"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("tokens list lacks %q:\n%s", want, stdout)
		}
	}

	// A second login replaces the token and says the old one still works.
	as.mu.Lock()
	as.answers = []string{"ok"}
	as.mu.Unlock()
	if _, stderr, err = runClient(t, "login", "--no-browser"); err != nil {
		t.Fatalf("second login: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "The token it replaces still works until it is revoked") {
		t.Errorf("second login did not mention the old token:\n%s", stderr)
	}
	if st := readCredentials(t, dir).Servers[as.URL]; st.Token != "tw_cli_secret2" {
		t.Errorf("second login stored %+v", st)
	}

	stdout, _, err = runClient(t, "logout")
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	if !strings.Contains(stdout, "The token still works until it is revoked. Revoke it with `tokenward logout --revoke` next time, or on the CLI tab at "+as.URL+"/orgs/acme/settings/tokens/cli.") {
		t.Errorf("logout output:\n%s", stdout)
	}
	as.mu.Lock()
	if len(as.revoked) != 0 {
		t.Errorf("plain logout revoked %v", as.revoked)
	}
	as.mu.Unlock()
	if _, ok := readCredentials(t, dir).Servers[as.URL]; ok {
		t.Error("logout left the token stored")
	}
	if _, _, err := runClient(t, "whoami"); err == nil || !strings.Contains(err.Error(), "not logged in to "+as.URL+": run `tokenward login --server "+as.URL+"`") {
		t.Errorf("whoami after logout: %v", err)
	}
}

func TestLoginErrors(t *testing.T) {
	// Port 1 on loopback refuses connections. (A port freed by closing a
	// listener can be handed to the next test server, even this test's own
	// fake, and login would then talk to it.)
	deadURL := "http://127.0.0.1:1"
	tests := []struct {
		name      string
		answers   []string
		expiresIn int
		args      []string
		want      string
	}{
		{"denied", []string{"authorization_pending", "access_denied"}, 0, nil, "the login was denied on the approval page; nothing was stored"},
		{"expired code", []string{"expired_token"}, 0, nil, "the code WDJB-MJHT expired before it was approved"},
		{"expiry passes while polling", nil, 2, nil, "the code WDJB-MJHT expired before it was approved"},
		{"used code", []string{"invalid_grant"}, 0, nil, "no longer accepts this login's code"},
		{"scope refused", nil, 0, []string{"--scopes", "api"}, `refused to start the login: A CLI token may not hold the scope "api". (invalid_scope)`},
		{"unreachable", nil, 0, []string{"--server", deadURL}, "cannot reach the Tokenward server at " + deadURL + ": dial tcp"},
		{"no scheme", nil, 0, []string{"--server", "tokenward.example.com:443"}, `--server: "tokenward.example.com:443" is not a server URL (it must start with http:// or https://)`},
		{"no host", nil, 0, []string{"--server", "https://"}, "it has no host"},
		{"query", nil, 0, []string{"--server", "https://h.example?x=1"}, "must not have a query"},
		{"bad port", nil, 0, []string{"--server", "http://h.example:http"}, "--server:"},
		{"empty device name", nil, 0, []string{"--device-name", " "}, "--device-name: give a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := useConfigDir(t)
			as := newFakeAS(t, tt.answers...)
			if tt.expiresIn > 0 {
				as.expiresIn = tt.expiresIn
			}
			args := append([]string{"login", "--no-browser", "--server", as.URL}, tt.args...)
			_, stderr, err := runClient(t, args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "tokenward", "credentials.json")); err == nil {
				t.Error("a failed login wrote the credentials file")
			}
		})
	}

	t.Run("no metadata", func(t *testing.T) {
		useConfigDir(t)
		as := newFakeAS(t)
		_, _, err := runClient(t, "login", "--no-browser", "--server", as.URL+"/sub")
		if err == nil || !strings.Contains(err.Error(), "has no OAuth metadata at "+as.URL+"/sub/.well-known/oauth-authorization-server") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestWhoamiErrors(t *testing.T) {
	dir := useConfigDir(t)
	as := newFakeAS(t)
	path := filepath.Join(dir, "tokenward", "credentials.json")
	if err := saveCredentials(path, credentials{Servers: map[string]storedToken{as.URL: {Token: "tw_cli_revoked", Org: "acme"}}}); err != nil {
		t.Fatal(err)
	}
	_, _, err := runClient(t, "whoami", "--server", as.URL)
	if err == nil || !strings.Contains(err.Error(), as.URL+" refused the stored token: This token was revoked. Create a new one.") ||
		!strings.Contains(err.Error(), "Run `tokenward login --server "+as.URL+"`") {
		t.Errorf("revoked token: %v", err)
	}
	if _, _, err := runClient(t, "whoami"); err == nil || !strings.Contains(err.Error(), "not logged in to http://127.0.0.1:8080: run `tokenward login`") {
		t.Errorf("default server, not logged in: %v", err)
	}
	as.Close()
	if _, _, err := runClient(t, "whoami", "--server", as.URL); err == nil || !strings.Contains(err.Error(), "cannot reach the Tokenward server at "+as.URL) {
		t.Errorf("unreachable: %v", err)
	}
	if _, _, err := runClient(t, "whoami", "--server", "ftp://x"); err == nil || !strings.Contains(err.Error(), "--server:") {
		t.Errorf("malformed: %v", err)
	}
}

func TestLogoutRevoke(t *testing.T) {
	dir := useConfigDir(t)
	as := newFakeAS(t)
	other := "https://other.example"
	path := filepath.Join(dir, "tokenward", "credentials.json")
	as.tokens["tw_cli_live"] = map[string]any{"id": "t1", "kind": "cli", "name": "laptop", "org": "acme"}
	if err := saveCredentials(path, credentials{Servers: map[string]storedToken{
		as.URL: {Token: "tw_cli_live", Org: "acme"}, other: {Token: "tw_cli_elsewhere"}}}); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runClient(t, "logout", "--server", as.URL, "--revoke")
	if err != nil {
		t.Fatal(err)
	}
	as.mu.Lock()
	if len(as.revoked) != 1 || as.revoked[0] != "tw_cli_live" {
		t.Errorf("revocation requests: %v", as.revoked)
	}
	as.mu.Unlock()
	if !strings.Contains(stdout, "Revoked the token on "+as.URL+" and removed it from "+path) {
		t.Errorf("stdout = %q", stdout)
	}
	creds := readCredentials(t, dir)
	if _, ok := creds.Servers[as.URL]; ok || creds.Servers[other].Token != "tw_cli_elsewhere" {
		t.Errorf("after logout: %+v", creds)
	}

	// Not logged in: nothing to do, not an error.
	if stdout, _, err := runClient(t, "logout", "--server", as.URL, "--revoke"); err != nil || !strings.Contains(stdout, "Not logged in to "+as.URL) {
		t.Errorf("second logout: %v %q", err, stdout)
	}

	// The server cannot be reached: nothing is removed.
	as.Close()
	if err := saveCredentials(path, credentials{Servers: map[string]storedToken{as.URL: {Token: "tw_cli_live", Org: "acme"}}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = runClient(t, "logout", "--server", as.URL, "--revoke")
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), "was not revoked and is still stored") {
		t.Errorf("unreachable: %v", err)
	}
	if readCredentials(t, dir).Servers[as.URL].Token != "tw_cli_live" {
		t.Error("a failed revocation removed the token")
	}
}

// TestTokensListWithTokensRead: a token that may read tokens (an API token
// stored by hand) gets the table.
func TestTokensListWithTokensRead(t *testing.T) {
	dir := useConfigDir(t)
	as := newFakeAS(t)
	as.tokens["tw_api_x"] = map[string]any{"id": "t9", "kind": "api", "name": "deploy bot", "org": "acme", "status": "active",
		"creator": "ada", "owner": "ada", "scopes": []string{"tokens:read"}}
	if err := saveCredentials(filepath.Join(dir, "tokenward", "credentials.json"),
		credentials{Servers: map[string]storedToken{as.URL: {Token: "tw_api_x"}}}); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runClient(t, "tokens", "list", "--server", as.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "NAME") || !strings.Contains(stdout, "deploy bot (this token)  api   active  ada") {
		t.Errorf("table:\n%s", stdout)
	}
	if _, _, err := runClient(t, "tokens"); err == nil || !strings.Contains(err.Error(), "tokens needs a subcommand: list") {
		t.Errorf("tokens: %v", err)
	}
}
