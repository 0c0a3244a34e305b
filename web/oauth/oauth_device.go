package oauth

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// The device flow (RFC 8628), as `tokenward login` uses it.
const (
	deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
	// deviceLifetime is how long a code waits for a person on /device.
	deviceLifetime = 600 // seconds
	// DeviceInterval is the polling interval a login starts with.
	DeviceInterval = 5 // seconds
	// maxPendingPerIP caps the logins one address may have waiting.
	maxPendingPerIP = 10
	// defaultDeviceName names a login whose CLI sent no device name.
	defaultDeviceName = "CLI"
)

// serverMetadata is the RFC 8414 authorization server metadata document.
type serverMetadata struct {
	Issuer                                    string   `json:"issuer"`
	DeviceAuthorizationEndpoint               string   `json:"device_authorization_endpoint"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	ScopesSupported                           []string `json:"scopes_supported"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
}

// metadata is GET /.well-known/oauth-authorization-server (RFC 8414): where
// a standard OAuth client finds every endpoint. There is no authorization
// endpoint, so no response types; the one grant is the device code, for the
// public client tokenward-cli (no client authentication).
func (s *Server) metadata(c echo.Context) error {
	var scopes []string
	for _, info := range auth.Catalog() {
		scopes = append(scopes, string(info.Name))
	}
	return c.JSON(http.StatusOK, serverMetadata{
		Issuer:                            s.Public,
		DeviceAuthorizationEndpoint:       s.Public + "/oauth/device_authorization",
		TokenEndpoint:                     s.Public + "/oauth/token",
		IntrospectionEndpoint:             s.Public + "/oauth/introspect",
		RevocationEndpoint:                s.Public + "/oauth/revoke",
		ScopesSupported:                   scopes,
		ResponseTypesSupported:            []string{},
		GrantTypesSupported:               []string{deviceCodeGrant},
		TokenEndpointAuthMethodsSupported: []string{"none"},
		// Introspection needs a token holding the introspect scope; anyone
		// holding a token may revoke it.
		IntrospectionEndpointAuthMethodsSupported: []string{"bearer"},
		RevocationEndpointAuthMethodsSupported:    []string{"none"},
	})
}

// deviceAuthResponse is RFC 8628 §3.2's answer.
type deviceAuthResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}

// deviceAuthorization is POST /oauth/device_authorization (RFC 8628 §3.1):
// the CLI asks to log in and gets a device code to poll with and a user
// code for the person to enter on /device.
func (s *Server) deviceAuthorization(c echo.Context) error {
	if err := formBody(c); err != nil {
		return err
	}
	if err := cliClient(c); err != nil {
		return err
	}
	scopes, err := deviceScopes(c.FormValue("scope"))
	if err != nil {
		return err
	}
	name := strings.TrimSpace(c.FormValue("device_name"))
	if name == "" {
		name = defaultDeviceName
	}
	if msg := auth.ValidateTokenName(name); msg != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid device_name", OAuth: "invalid_request",
			Message: "device_name names the token this login makes, such as the computer's name. " + msg}
	}
	hint := strings.TrimSpace(c.FormValue("org"))
	if hint != "" && auth.ValidateSlug(hint) != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid org", OAuth: "invalid_request",
			Message: "org is the slug of the organization to log in to, such as acme. " + auth.ValidateSlug(hint)}
	}
	deviceCode := plumbing.NewSecret()
	h := sha256.Sum256([]byte(deviceCode))
	nd := store.NewDeviceAuthorization{DeviceCodeHash: h[:], ClientID: auth.CLIClientID, Scopes: scopes, DeviceName: name, OrgHint: hint,
		IP: c.RealIP(), UserAgent: plumbing.ClipText(c.Request().UserAgent(), 300), Lifetime: deviceLifetime * time.Second, Interval: s.Poll,
		MaxPendingPerIP: maxPendingPerIP}
	// A fresh user code clashes with a pending one about once in 10^9
	// logins; try again with another.
	for range 5 {
		nd.UserCode = auth.NewUserCode()
		d, err := s.DB.CreateDeviceAuthorization(c.Request().Context(), nd)
		if errors.Is(err, store.ErrTooManyPending) {
			return &fault.Error{Code: fault.TooMany, Title: "Too many pending logins", OAuth: "slow_down", RetryAfter: time.Minute,
				Message: fmt.Sprintf("%d logins from your address are waiting to be activated. Finish one in the browser, or wait for them to expire (after %d minutes).",
					maxPendingPerIP, deviceLifetime/60)}
		}
		if fault.FieldsOf(err).Has("user_code") {
			continue
		}
		if err != nil {
			return err
		}
		code := auth.FormatUserCode(d.UserCode)
		return c.JSON(http.StatusOK, deviceAuthResponse{DeviceCode: deviceCode, UserCode: code,
			VerificationURI: s.Public + "/device", VerificationURIComplete: s.Public + "/device?code=" + code,
			ExpiresIn: deviceLifetime, Interval: d.Interval})
	}
	return errors.New("no free user code after 5 tries")
}

// deviceScopes reads the space-separated scope parameter: scopes a CLI
// token may hold, findings:local when none are asked for.
func deviceScopes(scope string) ([]string, error) {
	if strings.TrimSpace(scope) == "" {
		return core.DefaultScopeNames(auth.KindCLI), nil
	}
	set, err := auth.ParseScopes(auth.KindCLI, []string{scope})
	if err != nil {
		msg := err.Error()
		return nil, &fault.Error{Code: fault.Malformed, Title: "Invalid scope", OAuth: "invalid_scope",
			Message: strings.ToUpper(msg[:1]) + msg[1:] + "."}
	}
	return set.Strings(), nil
}

// cliClient checks the request's client. tokenward-cli is a public client
// (RFC 6749 §2.1): it names itself with client_id in the form and does not
// authenticate. A client that tries (an Authorization header) gets 401
// invalid_client before anything is read or written, so a library that
// tries the header first and the form second (golang.org/x/oauth2) costs
// one poll, not two.
func cliClient(c echo.Context) error {
	if h := c.Request().Header.Get("Authorization"); h != "" {
		scheme, _, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			scheme = "Basic"
		}
		c.Response().Header().Set("WWW-Authenticate", scheme+` realm="tokenward"`)
		return &fault.Error{Code: fault.Unauthorized, Title: "Client authentication not supported", OAuth: "invalid_client",
			Message: "tokenward-cli is a public client: send client_id=tokenward-cli in the form and no Authorization header."}
	}
	switch c.FormValue("client_id") {
	case auth.CLIClientID:
		return nil
	case "":
		return &fault.Error{Code: fault.Malformed, Title: "Missing client_id", OAuth: "invalid_client",
			Message: "Send client_id=tokenward-cli: the Tokenward command line is the one client of this endpoint."}
	}
	return &fault.Error{Code: fault.Malformed, Title: "Unknown client", OAuth: "invalid_client",
		Message: "Unknown client_id: the Tokenward command line, client_id=tokenward-cli, is the one client of this endpoint."}
}

// tokenResponse is RFC 6749 §5.1's answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expires_in,omitempty"`
}

// oauthError is an RFC 6749 §5.2 error: 400 with the error code.
func oauthError(code, title, msg string) *fault.Error {
	return &fault.Error{Code: fault.Malformed, Title: title, OAuth: code, Message: msg}
}

// token is POST /oauth/token with the device-code grant (RFC 8628 §3.4):
// the CLI polls until the person approves or denies, then gets its token.
func (s *Server) token(c echo.Context) error {
	if err := formBody(c); err != nil {
		return err
	}
	switch gt := c.FormValue("grant_type"); gt {
	case deviceCodeGrant:
	case "":
		return oauthError("invalid_request", "Missing grant_type", "Send grant_type="+deviceCodeGrant+".")
	default:
		return oauthError("unsupported_grant_type", "Unsupported grant type",
			"Tokenward's token endpoint serves the device-code grant only: grant_type="+deviceCodeGrant+".")
	}
	if err := cliClient(c); err != nil {
		return err
	}
	code := c.FormValue("device_code")
	if code == "" {
		return oauthError("invalid_request", "Missing device_code", "Send the device_code from the device authorization answer.")
	}
	h := sha256.Sum256([]byte(code))
	d, outcome, err := s.DB.PollDeviceAuthorization(c.Request().Context(), h[:])
	if err != nil {
		return err
	}
	switch outcome {
	case store.PollApproved:
		return s.issueDeviceToken(c, d, h[:])
	case store.PollPending:
		return oauthError("authorization_pending", "Waiting for activation",
			"Nobody has activated this login yet: open "+s.Public+"/device, enter "+auth.FormatUserCode(d.UserCode)+" and click Activate.")
	case store.PollSlowDown:
		return oauthError("slow_down", "Polling too fast", fmt.Sprintf("Poll at most every %d seconds.", d.Interval))
	case store.PollDenied:
		return oauthError("access_denied", "Login denied", "The login was denied in the browser. No token was made.")
	case store.PollExpired:
		return oauthError("expired_token", "Code expired", "The code expired before it was activated. Run tokenward login again.")
	}
	// An unknown device code is a failed authentication, limited per IP as
	// bearer tokens are.
	wait, err := s.Fails.Take(c.RealIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		return &fault.Error{Code: fault.TooMany, Title: "Too many failed attempts", OAuth: "slow_down", RetryAfter: wait,
			Message: fmt.Sprintf("Too many requests from your address used unknown device codes. Try again in %d seconds.", fault.RetrySeconds(wait))}
	}
	return oauthError("invalid_grant", "Unknown device code",
		"This device code is unknown or was already used. Run tokenward login again.")
}

// issueDeviceToken makes the CLI token of an approved login, through
// IssueToken's validation, consuming the login in the same transaction.
// The token is the approving person's, in the org they chose, named after
// the device, with the org's default expiry.
func (s *Server) issueDeviceToken(c echo.Context, d store.DeviceAuthorization, hash []byte) error {
	ctx := c.Request().Context()
	org, err := s.DB.OrgByID(ctx, d.OrgID)
	if err != nil {
		return err
	}
	u, err := s.DB.UserByID(ctx, d.UserID)
	if err != nil {
		return err
	}
	m, err := s.DB.Membership(ctx, org.ID, u.ID)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	me := auth.Principal{UserID: u.ID, Role: auth.Role(m.Role)}
	if err != nil || u.Disabled() || !auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: auth.KindCLI, OwnerUserID: u.ID}) {
		return oauthError("access_denied", "Login no longer allowed",
			u.Username+" activated this login but can no longer create CLI tokens in "+views.EndSentence(org.Name)+" Run tokenward login again.")
	}
	actor := store.Actor{UserID: u.ID, Label: u.Username, IP: c.RealIP()}
	// The name is made unique first; should another login take it meanwhile,
	// the transaction fails whole and the next try picks another.
	for try := 0; ; try++ {
		name, err := s.freeCLIName(c, org.ID, u.ID, d.DeviceName)
		if err != nil {
			return err
		}
		r := core.TokenRequest{Org: org, Kind: auth.KindCLI, Name: name, Scopes: d.Scopes, Expiry: strconv.Itoa(org.Policy.DefaultDays),
			Visibility: auth.VisibilityAdmins, CreatorID: u.ID, OwnerUserID: u.ID, DeviceName: d.DeviceName}
		issued, errs, err := core.IssueWith(s.DB, s.Sealer, r, func(nt store.NewToken) (store.Token, error) {
			return s.DB.ConsumeDeviceAuthorization(ctx, hash, nt, actor)
		})
		switch {
		case store.IsNotFound(err):
			return oauthError("invalid_grant", "Unknown device code", "This device code was already used, or it expired. Run tokenward login again.")
		case err != nil:
			return err
		case errs["name"] != "" && try < 3:
			continue
		case len(errs) > 0:
			return fmt.Errorf("device token for %s in %s: %v", u.Username, org.Slug, errs)
		}
		t := issued.Token
		out := tokenResponse{AccessToken: issued.Secret, TokenType: "Bearer", Scope: strings.Join(t.Scopes, " ")}
		if exp := store.EffectiveExpiry(t, org.Policy.MaxDays); !exp.IsZero() {
			out.ExpiresIn = int64(exp.Sub(s.DB.Now()).Seconds())
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// freeCLIName is base, or base with " (2)", " (3)"… when the user already
// has a live CLI token of that name in the org, shortened to stay within
// the longest name allowed.
func (s *Server) freeCLIName(c echo.Context, orgID, userID int64, base string) (string, error) {
	live, err := s.DB.LiveTokensOwnedBy(c.Request().Context(), orgID, userID, 0)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, t := range live {
		if t.Kind == string(auth.KindCLI) {
			taken[t.Name] = true
		}
	}
	if !taken[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		name := strings.TrimSpace(plumbing.ClipRunes(base, auth.MaxTokenName-len(suffix))) + suffix
		if !taken[name] {
			return name, nil
		}
	}
}
