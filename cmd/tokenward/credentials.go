package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// defaultServer is the server the client commands talk to when neither
// --server nor TOKENWARD_SERVER names one: `tokenward serve`'s default.
const defaultServer = "http://127.0.0.1:8080"

// credentials is the command-line client's file of stored tokens,
// os.UserConfigDir()/tokenward/credentials.json, one entry per server URL.
type credentials struct {
	Servers map[string]storedToken `json:"servers"`
}

// storedToken is one server's entry in the credentials file.
type storedToken struct {
	Token      string `json:"token"`
	TokenID    string `json:"token_id,omitempty"`
	Org        string `json:"org,omitempty"`
	DeviceName string `json:"device_name,omitempty"`
	Created    string `json:"created,omitempty"` // RFC 3339
}

// serverFlag adds --server to fs, defaulting to TOKENWARD_SERVER.
func serverFlag(fs *flag.FlagSet) *string {
	return fs.String("server", env("TOKENWARD_SERVER", defaultServer), "Tokenward server URL (default: TOKENWARD_SERVER, else "+defaultServer+")")
}

// serverURL checks and normalizes a server URL: http or https, a host, no
// query, fragment or user info; lowercase scheme and host, no trailing
// slash. The result keys the credentials file.
func serverURL(raw string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("--server: %q is not a server URL (%s); give one like https://tokenward.example.com or http://127.0.0.1:8080", raw, why)
	}
	if !strings.Contains(raw, "://") {
		return "", bad("it must start with http:// or https://")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", bad("it does not parse")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("it must start with http:// or https://")
	case u.Host == "" || u.Hostname() == "":
		return "", bad("it has no host")
	case u.User != nil:
		return "", bad("it must not hold a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", bad("it must not have a query or fragment")
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return "", bad("the port is not a number")
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path, u.RawPath = strings.TrimRight(u.Path, "/"), ""
	return u.String(), nil
}

// credentialsPath is where the credentials file lives. os.UserConfigDir
// respects XDG_CONFIG_HOME.
func credentialsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a config directory for the credentials file: %w", err)
	}
	return filepath.Join(dir, "tokenward", "credentials.json"), nil
}

// loadCredentials reads the credentials file; a missing file is an empty
// one. It refuses a file that the group or others may read or write: the
// tokens in it are secrets.
func loadCredentials() (credentials, string, error) {
	path, err := credentialsPath()
	if err != nil {
		return credentials{}, "", err
	}
	creds := credentials{Servers: map[string]storedToken{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return creds, path, nil
	}
	if err != nil {
		return credentials{}, path, fmt.Errorf("cannot read the credentials file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return credentials{}, path, fmt.Errorf("cannot read the credentials file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return credentials{}, path, fmt.Errorf("%s is not a regular file; remove it and run `tokenward login` again", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return credentials{}, path, fmt.Errorf("%s has mode %04o: other users may read the tokens in it; run `chmod 600 %s` (and revoke the tokens if others may have read them)",
			path, perm, path)
	}
	if err := json.NewDecoder(f).Decode(&creds); err != nil {
		return credentials{}, path, fmt.Errorf("%s is not a valid credentials file (%v); fix or remove it, then run `tokenward login` again", path, err)
	}
	if creds.Servers == nil {
		creds.Servers = map[string]storedToken{}
	}
	return creds, path, nil
}

// saveCredentials writes the credentials file atomically: a 0600 temporary
// file in the same 0700 directory, synced, then renamed over the old one,
// so a reader sees the old file or the new one and never half of one.
func saveCredentials(path string, creds credentials) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	data, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*.json") // mode 0600
	if err != nil {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write the credentials file: %w", err)
	}
	ok = true
	return nil
}

// storedFor returns the token stored for server, or an error saying how to
// log in.
func storedFor(server string) (storedToken, error) {
	creds, _, err := loadCredentials()
	if err != nil {
		return storedToken{}, err
	}
	st, ok := creds.Servers[server]
	if !ok || st.Token == "" {
		return storedToken{}, fmt.Errorf("not logged in to %s: run `%s`", server, loginCommand(server))
	}
	return st, nil
}

// loginCommand is the command that logs in to server.
func loginCommand(server string) string {
	if server == defaultServer {
		return "tokenward login"
	}
	return "tokenward login --server " + server
}
