package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// tokenInfo is GET /api/v1/token's answer, and one token of GET
// /api/v1/tokens.
type tokenInfo struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Org        string     `json:"org"`
	Orgs       []string   `json:"orgs"` // a personal token's orgs
	Scopes     []string   `json:"scopes"`
	Status     string     `json:"status"`
	Creator    string     `json:"creator"`
	Owner      string     `json:"owner"`
	Service    string     `json:"service"`
	DeviceName string     `json:"device_name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsed   *struct {
		At   time.Time `json:"at"`
		IP   string    `json:"ip"`
		What string    `json:"what"`
	} `json:"last_used"`
}

// person is whom the token acts for: its service, owner or creator.
func (t tokenInfo) person() string {
	switch {
	case t.Service != "":
		return "service " + t.Service
	case t.Owner != "":
		return t.Owner
	}
	return t.Creator
}

// kindLabel is how the token's kind is written in a sentence.
func (t tokenInfo) kindLabel() string {
	switch t.Kind {
	case "api", "cli":
		return strings.ToUpper(t.Kind)
	}
	return t.Kind
}

// self is GET /api/v1/token with token.
func (c *apiClient) self(ctx context.Context, token string) (tokenInfo, error) {
	var info tokenInfo
	err := c.call(ctx, http.MethodGet, c.server+"/api/v1/token", token, nil, &info)
	return info, err
}

// refused explains an error from a call made with the stored token.
func (c *apiClient) refused(err error) error {
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusUnauthorized {
		return fmt.Errorf("%s refused the stored token: %s\nRun `%s` to get a new one", c.server, he.detail, loginCommand(c.server))
	}
	return err
}

// cliTabURL is the dashboard page of the org's CLI tokens.
func cliTabURL(server, org string) string {
	if org == "" {
		org = "<org>"
	}
	return server + "/orgs/" + url.PathEscape(org) + "/settings/tokens/cli"
}

func expiresPhrase(exp *time.Time) string {
	if exp == nil {
		return "never expires"
	}
	return "expires " + exp.UTC().Format("2006-01-02 15:04 UTC")
}

// whoami is `tokenward whoami`: the stored token, as the server sees it.
func whoami(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("whoami", stderr)
	server := serverFlag(fs)
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
	st, err := storedFor(srv)
	if err != nil {
		return err
	}
	c := newAPIClient(srv)
	info, err := c.self(ctx, st.Token)
	if err != nil {
		return c.refused(err)
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Server:\t%s\n", srv)
	fmt.Fprintf(w, "Token:\t%s (%s token, id %s)\n", printable(info.Name), info.kindLabel(), info.ID)
	if info.Kind == "personal" {
		orgs := "none (add one at /me/tokens)"
		if len(info.Orgs) > 0 {
			orgs = strings.Join(info.Orgs, ", ")
		}
		fmt.Fprintf(w, "Orgs:\t%s\n", orgs)
	} else {
		fmt.Fprintf(w, "Org:\t%s\n", info.Org)
	}
	if info.Service != "" {
		fmt.Fprintf(w, "Service:\t%s\n", info.Service)
	} else {
		fmt.Fprintf(w, "Owner:\t%s\n", info.person())
	}
	if info.DeviceName != "" {
		fmt.Fprintf(w, "Device:\t%s\n", printable(info.DeviceName))
	}
	fmt.Fprintf(w, "Scopes:\t%s\n", strings.Join(info.Scopes, ", "))
	fmt.Fprintf(w, "Status:\t%s\n", info.Status)
	fmt.Fprintf(w, "Created:\t%s\n", info.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	expires := "never"
	if info.ExpiresAt != nil {
		expires = fmt.Sprintf("%s (in %d days)", info.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"),
			int(math.Round(time.Until(*info.ExpiresAt).Hours()/24)))
	}
	fmt.Fprintf(w, "Expires:\t%s\n", expires)
	last := "never"
	if lu := info.LastUsed; lu != nil {
		last = fmt.Sprintf("%s from %s", lu.At.UTC().Format("2006-01-02 15:04 UTC"), lu.IP)
		if lu.What != "" {
			last += " (" + printable(lu.What) + ")"
		}
	}
	fmt.Fprintf(w, "Last use:\t%s\n", last)
	return w.Flush()
}

// logout is `tokenward logout`: it removes the stored token and, with
// --revoke, revokes it through the server's revocation endpoint first.
func logout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("logout", stderr)
	server := serverFlag(fs)
	revoke := fs.Bool("revoke", false, "revoke the token on the server too, before removing it")
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
	creds, path, err := loadCredentials()
	if err != nil {
		return err
	}
	st, ok := creds.Servers[srv]
	if !ok {
		fmt.Fprintf(stdout, "Not logged in to %s: %s holds no token for it.\n", srv, path)
		return nil
	}
	if *revoke {
		if err := newAPIClient(srv).revoke(ctx, st.Token); err != nil {
			return fmt.Errorf("%w\nThe token was not revoked and is still stored. Try again, or revoke it on the CLI tab at %s", err, cliTabURL(srv, st.Org))
		}
	}
	delete(creds.Servers, srv)
	if err := saveCredentials(path, creds); err != nil {
		return err
	}
	if *revoke {
		fmt.Fprintf(stdout, "Revoked the token on %s and removed it from %s.\n", srv, path)
		return nil
	}
	fmt.Fprintf(stdout, "Removed the token for %s from %s.\n", srv, path)
	fmt.Fprintf(stdout, "The token still works until it is revoked. Revoke it with `tokenward logout --revoke` next time, or on the CLI tab at %s.\n",
		cliTabURL(srv, st.Org))
	return nil
}

// revoke revokes token through the revocation endpoint the server's
// metadata names, or /oauth/revoke when it names none (RFC 7009: the answer
// is 200 whether or not the token was valid).
func (c *apiClient) revoke(ctx context.Context, token string) error {
	endpoint := c.server + "/oauth/revoke"
	meta, err := c.discover(ctx)
	var ue *unreachableError
	if errors.As(err, &ue) {
		return err
	}
	if err == nil && meta.RevocationEndpoint != "" {
		endpoint = meta.RevocationEndpoint
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}, "client_id": {cliClientID}}
	return c.call(ctx, http.MethodPost, endpoint, "", form, nil)
}

// tokensCmd is `tokenward tokens SUBCOMMAND`.
func tokensCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("tokens needs a subcommand: list\n\n%s", usage)
	}
	return tokensList(ctx, args[1:], stdout, stderr)
}

// tokensList is `tokenward tokens list`. A CLI token cannot hold api or
// tokens:read, so it shows the calling token and where the full list is;
// a token that may read tokens (one stored by hand) gets the list.
func tokensList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tokens list", stderr)
	server := serverFlag(fs)
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
	st, err := storedFor(srv)
	if err != nil {
		return err
	}
	c := newAPIClient(srv)
	me, err := c.self(ctx, st.Token)
	if err != nil {
		return c.refused(err)
	}
	if slices.Contains(me.Scopes, "tokens:read") || slices.Contains(me.Scopes, "api") {
		return c.listAll(ctx, st.Token, me, stdout)
	}
	fmt.Fprintf(stdout, "Logged in to %s with %s token %q (id %s) of %s in %s, %s.\n\n", srv, me.kindLabel(), me.Name, me.ID,
		me.person(), me.Org, expiresPhrase(me.ExpiresAt))
	fmt.Fprintf(stdout, "A CLI token cannot hold the api scope, so it cannot list, create or change tokens through the API.\n")
	fmt.Fprintf(stdout, "It can show itself (`tokenward whoami`), revoke itself (`tokenward logout --revoke`),\n")
	fmt.Fprintf(stdout, "and do what its scopes allow: %s.\n\n", strings.Join(me.Scopes, ", "))
	fmt.Fprintf(stdout, "See all your CLI tokens, and sign out other devices, on the CLI tab: %s\n", cliTabURL(srv, me.Org))
	return nil
}

// listAll prints every token of every kind the stored token may see.
func (c *apiClient) listAll(ctx context.Context, token string, me tokenInfo, stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKIND\tSTATUS\tOWNER\tSCOPES\tEXPIRES\tLAST USED\tID")
	var more []string
	for _, kind := range []string{"api", "cli", "service"} {
		var page struct {
			Tokens []tokenInfo `json:"tokens"`
			Total  int         `json:"total"`
		}
		if err := c.call(ctx, http.MethodGet, c.server+"/api/v1/tokens?per_page=200&kind="+kind, token, nil, &page); err != nil {
			return c.refused(err)
		}
		for _, t := range page.Tokens {
			name, expires, last := t.Name, "never", "never"
			if t.ID == me.ID {
				name += " (this token)"
			}
			if t.ExpiresAt != nil {
				expires = t.ExpiresAt.UTC().Format("2006-01-02")
			}
			if t.LastUsed != nil {
				last = t.LastUsed.At.UTC().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", printable(name), t.Kind, t.Status, printable(t.person()),
				strings.Join(t.Scopes, ","), expires, last, t.ID)
		}
		if page.Total > len(page.Tokens) {
			more = append(more, fmt.Sprintf("%d of %d %s tokens shown", len(page.Tokens), page.Total, kind))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(more) > 0 {
		fmt.Fprintf(stdout, "\n%s; see the rest on the dashboard: %s/orgs/%s/settings/tokens/api\n", strings.Join(more, "; "), c.server, me.Org)
	}
	return nil
}
