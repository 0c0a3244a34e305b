package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cli/browser"
	"golang.org/x/oauth2"
)

// cliClientID is the OAuth client id of the command-line client.
const cliClientID = "tokenward-cli"

// login is `tokenward login`: the RFC 8628 device flow through
// golang.org/x/oauth2. It prints the link and the code on stderr, opens the
// browser where it can, polls (the library honours interval and slow_down),
// then stores the token for the server in the credentials file. Stdout gets
// one line, on success.
func login(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("login", stderr)
	server := serverFlag(fs)
	org := fs.String("org", "", "organization slug to log in to (the approval page lets you pick when you belong to several)")
	scopes := fs.String("scopes", "", "comma-separated scopes to ask for (default: the server's CLI default, findings:local)")
	host, _ := os.Hostname()
	device := fs.String("device-name", host, "name of this device, shown on the approval page and the CLI tab (default: the hostname)")
	noBrowser := fs.Bool("no-browser", false, "do not open a browser; only print the link")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	srv, err := serverURL(*server)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(*device)
	if name == "" {
		return errors.New("--device-name: give a name for this device, such as your laptop's")
	}
	// Check the credentials file before anything is approved: a token the
	// file then refuses would be lost.
	if _, _, err := loadCredentials(); err != nil {
		return err
	}

	c := newAPIClient(srv)
	meta, err := c.discover(ctx)
	if err != nil {
		return err
	}
	cfg := oauth2.Config{ClientID: cliClientID, Scopes: splitScopes(*scopes), Endpoint: oauth2.Endpoint{
		DeviceAuthURL: meta.DeviceAuthorizationEndpoint, TokenURL: meta.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
	octx := context.WithValue(ctx, oauth2.HTTPClient, c.hc)
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("device_name", name)}
	if o := strings.TrimSpace(*org); o != "" {
		opts = append(opts, oauth2.SetAuthURLParam("org", strings.ToLower(o)))
	}
	da, err := cfg.DeviceAuth(octx, opts...)
	if err != nil {
		return c.oauthError(ctx, "start the login", err)
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return fmt.Errorf("%s answered the device authorization without a device_code, user_code or verification_uri", c.server)
	}
	showCode(stderr, srv, name, da, !*noBrowser)

	tok, err := cfg.DeviceAccessToken(octx, da)
	if err != nil {
		return c.pollError(ctx, da, err)
	}
	return storeLogin(ctx, c, srv, name, tok.AccessToken, stdout, stderr)
}

// storeLogin saves a new CLI token for srv in the credentials file and
// says who it logged in as (read back from the server, when it answers).
func storeLogin(ctx context.Context, c *apiClient, srv, name, token string, stdout, stderr io.Writer) error {
	st := storedToken{Token: token, DeviceName: name, Created: time.Now().UTC().Format(time.RFC3339)}
	info, infoErr := c.self(ctx, token)
	if infoErr == nil {
		st.TokenID, st.Org = info.ID, info.Org
	}
	creds, path, err := loadCredentials()
	if err != nil {
		return err
	}
	old, had := creds.Servers[srv]
	creds.Servers[srv] = st
	if err := saveCredentials(path, creds); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Stored the token in %s.\n", path)
	if had && old.Token != "" && old.Token != st.Token {
		fmt.Fprintf(stderr, "The token it replaces still works until it is revoked: revoke it on the CLI tab at %s.\n", cliTabURL(srv, old.Org))
	}
	if infoErr != nil {
		fmt.Fprintf(stderr, "Could not read the new token back (%v); `tokenward whoami` will try again.\n", infoErr)
		fmt.Fprintf(stdout, "Logged in to %s.\n", srv)
		return nil
	}
	fmt.Fprintf(stdout, "Logged in to %s as %s in %s: CLI token %q (%s), %s.\n", srv, info.person(), info.Org, info.Name,
		strings.Join(info.Scopes, ", "), expiresPhrase(info.ExpiresAt))
	return nil
}

// splitScopes turns "a,b c" into [a b c].
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// showCode tells the person where to go and which code to check, and opens
// the browser when asked and possible.
func showCode(w io.Writer, server, device string, da *oauth2.DeviceAuthResponse, tryBrowser bool) {
	link := printable(da.VerificationURI)
	if da.VerificationURIComplete != "" {
		link = printable(da.VerificationURIComplete)
	}
	fmt.Fprintf(w, "Logging in to %s as device %q.\n\n", server, device)
	if tryBrowser && openBrowser(link) {
		fmt.Fprintf(w, "Opened this link in your browser:\n\n    %s\n\n", link)
	} else {
		fmt.Fprintf(w, "Open this link in a browser:\n\n    %s\n\n", link)
	}
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(w, "Check that the page shows this code, then click Activate:\n\n    %s\n\n", printable(da.UserCode))
	} else {
		fmt.Fprintf(w, "Enter this code, then click Activate:\n\n    %s\n\n", printable(da.UserCode))
	}
	expires := ""
	if left := time.Until(da.Expiry); !da.Expiry.IsZero() && left >= 90*time.Second {
		expires = fmt.Sprintf("the code expires in %d minutes; ", int(left.Round(time.Minute).Minutes()))
	} else if !da.Expiry.IsZero() {
		expires = fmt.Sprintf("the code expires in %d seconds; ", int(left.Round(time.Second).Seconds()))
	}
	fmt.Fprintf(w, "Waiting for approval (%spress Ctrl-C to cancel)...\n", expires)
}

// openBrowser opens link in a browser and says whether it did. It never
// tries without a display on Unix (a terminal browser would take over the
// terminal), opens only http and https links, and gives up waiting after a
// few seconds.
func openBrowser(link string) bool {
	if u, err := url.Parse(link); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	switch runtime.GOOS {
	case "windows", "darwin":
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" && os.Getenv("WSL_DISTRO_NAME") == "" {
			return false
		}
	}
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	done := make(chan error, 1)
	go func() { done <- browser.OpenURL(link) }()
	select {
	case err := <-done:
		return err == nil
	case <-time.After(3 * time.Second):
		return false
	}
}

// serverMetadata is the part of the RFC 8414 metadata the client uses.
type serverMetadata struct {
	Issuer                      string `json:"issuer"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	RevocationEndpoint          string `json:"revocation_endpoint"`
}

// discover reads the server's authorization-server metadata and resolves
// its endpoints against the server URL.
func (c *apiClient) discover(ctx context.Context) (serverMetadata, error) {
	where := c.server + "/.well-known/oauth-authorization-server"
	var meta serverMetadata
	err := c.call(ctx, http.MethodGet, where, "", nil, &meta)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotFound {
		return meta, fmt.Errorf("%s has no OAuth metadata at %s: is it a Tokenward server that supports `tokenward login`?", c.server, where)
	}
	if err != nil {
		return meta, err
	}
	base, _ := url.Parse(c.server + "/")
	for _, ep := range []struct {
		field string
		value *string
	}{{"device_authorization_endpoint", &meta.DeviceAuthorizationEndpoint}, {"token_endpoint", &meta.TokenEndpoint}, {"revocation_endpoint", &meta.RevocationEndpoint}} {
		if *ep.value == "" {
			continue
		}
		u, err := base.Parse(*ep.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return meta, fmt.Errorf("%s's metadata has an invalid %s %q", c.server, ep.field, *ep.value)
		}
		*ep.value = u.String()
	}
	if meta.DeviceAuthorizationEndpoint == "" || meta.TokenEndpoint == "" {
		return meta, fmt.Errorf("%s does not offer device login: its metadata at %s has no device_authorization_endpoint or token_endpoint", c.server, where)
	}
	return meta, nil
}

// oauthError explains an error from the device authorization request.
func (c *apiClient) oauthError(ctx context.Context, doing string, err error) error {
	var re *oauth2.RetrieveError
	switch {
	case ctx.Err() != nil:
		return errors.New("login cancelled; nothing was stored")
	case errors.As(err, &re) && re.ErrorCode != "":
		msg := re.ErrorCode
		if re.ErrorDescription != "" {
			msg = printable(re.ErrorDescription) + " (" + re.ErrorCode + ")"
		}
		return fmt.Errorf("%s refused to %s: %s", c.server, doing, msg)
	case errors.As(err, &re):
		return fmt.Errorf("%s could not %s: it answered %s", c.server, doing, re.Response.Status)
	}
	return c.netError(err)
}

// pollError explains why polling for the token ended without one.
func (c *apiClient) pollError(ctx context.Context, da *oauth2.DeviceAuthResponse, err error) error {
	var re *oauth2.RetrieveError
	expired := fmt.Errorf("the code %s expired before it was approved; nothing was stored. Run `%s` for a new code",
		printable(da.UserCode), loginCommand(c.server))
	switch {
	case ctx.Err() != nil:
		return errors.New("login cancelled; nothing was stored")
	case errors.As(err, &re) && re.ErrorCode == "access_denied":
		return fmt.Errorf("the login was denied on the approval page; nothing was stored. Run `%s` to try again", loginCommand(c.server))
	case errors.As(err, &re) && re.ErrorCode == "expired_token":
		return expired
	case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
		return fmt.Errorf("%s no longer accepts this login's code (it was used already, or is unknown); run `%s` again",
			c.server, loginCommand(c.server))
	case errors.As(err, &re):
		return c.oauthError(ctx, "finish the login", err)
	case errors.Is(err, context.DeadlineExceeded) && !da.Expiry.IsZero() && !time.Now().Before(da.Expiry):
		return expired
	}
	return c.netError(err)
}
