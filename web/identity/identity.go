// Package identity speaks to identity providers: OpenID Connect issuers
// (discovery, the authorization code flow with PKCE, ID token checks through
// coreos/go-oidc) and GitHub's OAuth app with its user and emails API. It
// knows nothing of users or sessions: it turns a provider's answer into
// Claims, and every failure into an error whose message a person can read.
package identity

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Timeout is how long Tokenward waits for a provider, by default: each
// step (discovery, the code's exchange with its checks) is bounded by it.
const Timeout = 10 * time.Second

// The provider kinds, as the store names them.
const (
	KindOIDC   = "oidc"
	KindGitHub = "github"
)

// GitHub's public addresses, the defaults of a GitHub provider.
const (
	GitHubURL    = "https://github.com"
	GitHubAPIURL = "https://api.github.com"
)

// Provider is what it takes to talk to one provider.
type Provider struct {
	Kind         string
	Issuer       string // OIDC issuer, or GitHub's web address
	APIURL       string // GitHub's API address
	ClientID     string
	ClientSecret string
	RedirectURL  string
}

// Flow is one sign-in's secrets, kept server-side (in the encrypted session)
// from the redirect to the provider until its answer.
type Flow struct {
	State    string
	Nonce    string
	Verifier string
}

// Email is an address the provider holds for the person.
type Email struct {
	Address  string
	Verified bool
	Primary  bool
}

// Claims is who the provider says signed in.
type Claims struct {
	Subject string
	Name    string
	Login   string // a username hint: preferred_username, or GitHub's login
	Emails  []Email
}

// Error is a failure talking to a provider, with a message safe to show.
type Error struct {
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func fail(msg string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Message: "The identity provider did not answer in time.", Err: err}
	}
	return &Error{Message: msg, Err: err}
}

// Client is the HTTP client for provider requests: bounded by Timeout, and
// never following a redirect to another scheme.
func Client() *http.Client { return &http.Client{Timeout: Timeout} }

// CheckURL returns "" when raw is an acceptable provider address: HTTPS, or
// plain HTTP on a loopback address (127.0.0.1, ::1, localhost) so tests and
// local providers work; otherwise a message a person can act on.
func CheckURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "Enter an address such as https://accounts.example.com, without a query or fragment."
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return "Use HTTPS: plain HTTP is allowed only for 127.0.0.1 and localhost."
	}
	return ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewFlow makes a sign-in's state, nonce and PKCE verifier.
func NewFlow() Flow {
	return Flow{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
}

// AuthURL is where the browser goes to sign in at the provider.
func AuthURL(ctx context.Context, p Provider, f Flow) (string, error) {
	cfg, err := p.config(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier)}
	if p.Kind == KindOIDC {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", f.Nonce))
	}
	return cfg.AuthCodeURL(f.State, opts...), nil
}

// Exchange trades the code the provider sent back for the person's claims,
// checking what the kind of provider allows checking: for OIDC, the ID
// token's signature, issuer, audience, expiry (by now) and nonce.
func Exchange(ctx context.Context, p Provider, f Flow, code string, now func() time.Time) (Claims, error) {
	ctx = oauth2ClientContext(ctx)
	cfg, err := p.config(ctx)
	if err != nil {
		return Claims{}, err
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Claims{}, fail("The identity provider refused the sign-in code (it may be used already or expired)", err)
	}
	if p.Kind == KindGitHub {
		return gitHubClaims(ctx, p, tok)
	}
	return oidcClaims(ctx, p, f, tok, now)
}

func oauth2ClientContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, Client())
}

// config is the OAuth 2.0 client configuration for p.
func (p Provider) config(ctx context.Context) (*oauth2.Config, error) {
	cfg := &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: p.RedirectURL}
	if p.Kind == KindGitHub {
		base := strings.TrimRight(p.Issuer, "/")
		cfg.Endpoint = oauth2.Endpoint{AuthURL: base + "/login/oauth/authorize", TokenURL: base + "/login/oauth/access_token"}
		cfg.Scopes = []string{"read:user", "user:email"}
		return cfg, nil
	}
	op, err := discover(ctx, p.Issuer)
	if err != nil {
		return nil, err
	}
	cfg.Endpoint = op.Endpoint()
	cfg.Scopes = []string{"openid", "email", "profile"}
	return cfg, nil
}

// Check makes sure the provider can be used before it is saved: an OIDC
// issuer must answer discovery for itself.
func Check(ctx context.Context, p Provider) error {
	if p.Kind != KindOIDC {
		return nil
	}
	_, err := discover(ctx, p.Issuer)
	return err
}
