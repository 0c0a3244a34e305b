package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestServerURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080",
		"HTTPS://Tokenward.Example.COM/": "https://tokenward.example.com",
		" https://h.example/tw// ":       "https://h.example/tw",
		"http://[::1]:8080":              "http://[::1]:8080",
	} {
		if got, err := serverURL(in); err != nil || got != want {
			t.Errorf("serverURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "127.0.0.1:8080", "ftp://h.example", "https://", "http://u:p@h.example",
		"https://h.example/#x", "https://h.example?", "http://h.example:8o80", "http://%zz"} {
		if got, err := serverURL(in); err == nil || !strings.HasPrefix(err.Error(), "--server: ") {
			t.Errorf("serverURL(%q) = %q, %v; want an error", in, got, err)
		}
	}
}

func TestCredentialsFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not apply")
	}
	dir := useConfigDir(t)
	path, err := credentialsPath()
	if err != nil || path != filepath.Join(dir, "tokenward", "credentials.json") {
		t.Fatalf("path = %q, %v: XDG_CONFIG_HOME not respected", path, err)
	}
	creds, _, err := loadCredentials()
	if err != nil || len(creds.Servers) != 0 {
		t.Fatalf("missing file: %+v, %v", creds, err)
	}

	// Per server: two servers' tokens live side by side.
	creds.Servers["http://a.example"] = storedToken{Token: "tw_cli_a", Org: "acme", DeviceName: "laptop", Created: "2026-01-02T03:04:05Z"}
	creds.Servers["https://b.example"] = storedToken{Token: "tw_cli_b" + strings.Repeat("x", 500)}
	if err := saveCredentials(path, creds); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v, mode %v", err, info.Mode().Perm())
	}
	if d, err := os.Stat(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	} else if d.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", d.Mode().Perm())
	}
	got, _, err := loadCredentials()
	if err != nil || got.Servers["http://a.example"] != creds.Servers["http://a.example"] || len(got.Servers) != 2 {
		t.Fatalf("read back %+v, %v", got, err)
	}

	// Atomic replace: a new file is renamed over the old one (a new inode,
	// no leftovers, nothing of the longer old content).
	before := info.Sys().(*syscall.Stat_t).Ino
	delete(creds.Servers, "https://b.example")
	if err := saveCredentials(path, creds); err != nil {
		t.Fatal(err)
	}
	info, err = os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Sys().(*syscall.Stat_t).Ino == before {
		t.Error("the file was rewritten in place, not replaced")
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v", info.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only credentials.json: %v", len(entries), entries)
	}
	if got, _, err := loadCredentials(); err != nil || len(got.Servers) != 1 {
		t.Errorf("after replace: %+v, %v", got, err)
	}

	// A file others may read is refused, with how to fix it.
	for _, mode := range []os.FileMode{0o644, 0o640, 0o602} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := runClient(t, "whoami", "--server", "http://a.example")
		want := fmt.Sprintf("%s has mode %04o", path, mode)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "run `chmod 600 "+path+"`") {
			t.Errorf("mode %o: err = %v, want %q", mode, err, want)
		}
	}
	// login checks it before asking the server anything.
	if _, _, err := runClient(t, "login", "--no-browser", "--server", "http://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "has mode 0602") {
		t.Errorf("login with an open credentials file: %v", err)
	}
	os.Chmod(path, 0o600)

	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadCredentials(); err == nil || !strings.Contains(err.Error(), "is not a valid credentials file") {
		t.Errorf("bad JSON: %v", err)
	}
}
