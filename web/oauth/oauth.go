package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/engine"
	"tokenward/web/plumbing"
)

// introspection is an RFC 7662 answer. An inactive token gets {"active":
// false} and nothing else, whatever the reason.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Username  string `json:"username,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Org       string `json:"org,omitempty"`
	TokenID   string `json:"token_id,omitempty"`
}

// introspect is POST /oauth/introspect (RFC 7662). The caller holds the
// introspect scope; it learns about tokens of its own org only. Optional
// client_ip and user_agent fields pass the caller's client through to the
// introspected token's last use, which this counts as.
func (s *Server) introspect(c echo.Context) error {
	if err := formBody(c); err != nil {
		return err
	}
	secret := c.FormValue("token")
	if secret == "" {
		return &fault.Error{Code: fault.Malformed, Title: "Missing token", OAuth: "invalid_request",
			Message: "Send the token to check as the form field token (application/x-www-form-urlencoded)."}
	}
	clientIP, ua := strings.TrimSpace(c.FormValue("client_ip")), c.FormValue("user_agent")
	if clientIP != "" {
		if _, err := netip.ParseAddr(clientIP); err != nil {
			return &fault.Error{Code: fault.Malformed, Title: "Invalid client_ip", OAuth: "invalid_request",
				Message: "client_ip must be an IPv4 or IPv6 address, such as 203.0.113.7."}
		}
	}
	caller := plumbing.Bearer(c)
	ct, cerr, err := s.Check.LookupToken(c.Request().Context(), secret)
	if err != nil {
		return err
	}
	now := s.DB.Now()
	// The token is active for the caller's org only: its own org's, or for a
	// personal token, while that org's grant stands (then seen as in it).
	ct, reaches := ct.ForOrg(caller.Org.Slug)
	if cerr != nil || !reaches || engine.Validate(ct, now) != nil {
		return c.JSON(http.StatusOK, introspection{Active: false})
	}
	t := ct.Token
	if ok, _ := s.Usage.TakeQuota(t, now); !ok {
		return c.JSON(http.StatusOK, introspection{Active: false})
	}
	if clientIP == "" {
		clientIP = c.RealIP()
	}
	s.Usage.Record(store.Use{TokenID: t.ID, At: now, IP: clientIP, UserAgent: ua,
		What: core.IntrospectedPrefix + caller.Token.ID})
	c.Response().Header().Set("Cache-Control", "no-store")
	answer := func() []byte {
		b, _ := json.Marshal(activeIntrospection(ct))
		return append(b, '\n')
	}
	var body []byte
	if ct.Personal() { // its answer depends on the org asking
		body = answer()
	} else {
		body = ct.Active.Get(answer)
	}
	return c.JSONBlob(http.StatusOK, body)
}

// activeIntrospection is an active token's RFC 7662 answer.
func activeIntrospection(ct engine.CheckedToken) introspection {
	t := ct.Token
	out := introspection{Active: true, Scope: strings.Join(t.Scopes, " "), TokenType: "Bearer", Iat: t.CreatedAt.Unix(),
		ClientID: "tokenward", Kind: t.Kind, Org: ct.Org.Slug, TokenID: t.ID}
	if exp := store.EffectiveExpiry(t, ct.Org.Policy.MaxDays); !exp.IsZero() {
		out.Exp = exp.Unix()
	}
	switch {
	case t.Kind == string(auth.KindService):
		out.Sub = t.ServiceName
	case t.OwnerName != "":
		out.Sub, out.Username = t.OwnerName, t.OwnerName
	default:
		out.Sub, out.Username = t.CreatorName, t.CreatorName
	}
	if t.Kind == string(auth.KindCLI) {
		out.ClientID = "tokenward-cli"
	}
	if t.Kind == string(auth.KindPersonal) {
		out.ClientID = "tokenward-personal"
	}
	return out
}

// maxLeakReport is how many tokens one JSON revocation request may carry.
const maxLeakReport = 1000

// revoke is POST /oauth/revoke (RFC 7009): whoever presents a token may
// revoke it, and the answer is 200 whether or not it was a token. It is
// also the leak-report path: a JSON body {"tokens": [...]} revokes up to
// 1,000 at once. Limited per client IP.
func (s *Server) revoke(c echo.Context) error {
	wait, err := s.Revokes.Take(c.RealIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		return &fault.Error{Code: fault.TooMany, Title: "Too many revocation requests", OAuth: "slow_down", RetryAfter: wait,
			Message: fmt.Sprintf("Too many revocation requests from your address. Try again in %d seconds.", fault.RetrySeconds(wait))}
	}
	var secrets []string
	if ctype := c.Request().Header.Get("Content-Type"); strings.HasPrefix(ctype, "application/json") {
		var body struct {
			Tokens []string `json:"tokens"`
		}
		if err := plumbing.DecodeJSON(c, &body); err != nil {
			return err
		}
		if len(body.Tokens) == 0 || len(body.Tokens) > maxLeakReport {
			return &fault.Error{Code: fault.Malformed, Title: "Invalid request", OAuth: "invalid_request",
				Message: fmt.Sprintf("Send between 1 and %d tokens in \"tokens\".", maxLeakReport)}
		}
		secrets = body.Tokens
	} else {
		if err := formBody(c); err != nil {
			return err
		}
		if c.FormValue("token") == "" {
			return &fault.Error{Code: fault.Malformed, Title: "Missing token", OAuth: "invalid_request",
				Message: "Send the token to revoke as the form field token, or a JSON body {\"tokens\": [...]}."}
		}
		secrets = []string{c.FormValue("token")}
	}
	var leaked []store.Revocation
	for _, secret := range secrets {
		ct, cerr, err := s.Check.LookupToken(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		if cerr != nil || !ct.Token.RevokedAt.IsZero() || !ct.Retired.IsZero() {
			// Not a token, already revoked, or a secret a rotation replaced (it is
			// no longer the token, so it cannot end the new one): nothing to do,
			// and nothing to tell.
			continue
		}
		leaked = append(leaked, store.Revocation{OrgID: ct.Org.ID, ID: ct.Token.ID,
			Actor: store.Actor{Label: "revocation endpoint (" + ct.Token.Name + " presented)", IP: c.RealIP()}})
	}
	// One transaction for the whole report: a failure part-way revokes none,
	// so the reporter can simply send it again.
	res, err := s.DB.RevokeEach(c.Request().Context(), leaked, store.ReasonLeakReport)
	if err != nil {
		return err
	}
	if res.Changed > 0 {
		s.Log.Info("tokens revoked through /oauth/revoke", "count", res.Changed, "ip", c.RealIP())
	}
	return c.JSON(http.StatusOK, map[string]int{"received": len(secrets)})
}

// formBody requires a form-encoded body, as RFC 7662 and 7009 do.
func formBody(c echo.Context) error {
	if ct := c.Request().Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return &fault.Error{Code: fault.Unsupported, Title: "Unsupported content type", OAuth: "invalid_request",
			Message: "Send the body as application/x-www-form-urlencoded."}
	}
	return nil
}
