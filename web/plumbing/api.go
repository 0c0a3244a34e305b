package plumbing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/engine"
)

const bearerKey = "tokenward.bearer"

// requireBearer authenticates an API request by its bearer token and, when
// scope is set, requires the token to hold it (or a parent of it). A good
// token's use is counted against its quota and gathered for last use.
//
// On an org-scoped route the request is for one org (see requestOrg), whose
// policy bounds the token and, for a personal token, in which its owner's
// role counts.
func (s *Site) requireBearer(scope auth.Scope, orgScoped bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ct, err := s.authenticate(c, orgScoped)
			if err != nil {
				return err
			}
			if scope != "" && !auth.ScopeSet(core.Scopes(ct.Token)).Grants(scope) {
				s.Metrics.check("insufficient_scope")
				c.Response().Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="tokenward", error="insufficient_scope", scope="%s"`, scope))
				return &fault.Error{Code: fault.Forbidden, Title: "Missing scope", OAuth: "insufficient_scope",
					Message: fmt.Sprintf("This token does not hold the %s scope, which this request needs. An admin can add it.", scope)}
			}
			now := s.DB.Now()
			if ok, _ := s.Usage.TakeQuota(ct.Token, now); !ok {
				s.Metrics.check("quota_exceeded")
				next := NextMonth(now)
				return &fault.Error{Code: fault.TooMany, Title: "Quota used up", OAuth: "quota_exceeded", RetryAfter: next.Sub(now),
					Message: fmt.Sprintf("This token has used its %d requests for this month. It can make requests again from %s.",
						ct.Token.QuotaMonthly, next.Format(time.RFC3339))}
			}
			s.Metrics.check("ok")
			s.Usage.Record(store.Use{TokenID: ct.Token.ID, At: now, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
				What: c.Request().Method + " " + c.Request().URL.Path})
			c.Set(bearerKey, &ct)
			return next(c)
		}
	}
}

// The two headers that carry a token as ZeroPath's API does: the token's
// id, which proxies may log, and its secret.
const (
	HeaderTokenID     = "X-Tokenward-Token-Id"
	HeaderTokenSecret = "X-Tokenward-Token-Secret"
)

// authenticate checks the request's token: the Authorization header's
// bearer token, or the two X-Tokenward-Token-* headers. Failures from one
// IP beyond its allowance answer 429 instead of 401.
func (s *Site) authenticate(c echo.Context, orgScoped bool) (engine.CheckedToken, error) {
	secret, wantID, cerr, err := presentedToken(c.Request().Header)
	if err != nil {
		return engine.CheckedToken{}, err
	}
	var ct engine.CheckedToken
	if cerr == nil {
		var err error
		if ct, cerr, err = s.Check.LookupToken(c.Request().Context(), secret); err != nil {
			return engine.CheckedToken{}, err
		}
		if cerr == nil && wantID != "" && ct.Token.ID != wantID {
			cerr = &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_token", Title: "Token id does not match", Reason: "id_mismatch",
				Message: HeaderTokenID + " is not the id of the token in " + HeaderTokenSecret + ": send that token's id, shown on its page."}
		}
		if cerr == nil {
			if ct, err = requestOrg(ct, orgScoped, c.Param("org")); err != nil {
				return engine.CheckedToken{}, err
			}
			cerr = engine.Validate(ct, s.DB.Now())
		}
	}
	if cerr == nil {
		return ct, nil
	}
	s.Metrics.check(cerr.Reason)
	wait, err := s.Fails.Take(c.RealIP())
	if err != nil {
		return engine.CheckedToken{}, err
	}
	if wait > 0 {
		return engine.CheckedToken{}, &fault.Error{Code: fault.TooMany, Title: "Too many failed attempts", OAuth: "slow_down", RetryAfter: wait,
			Message: fmt.Sprintf("Too many requests from your address failed to authenticate. Try again in %d seconds.", fault.RetrySeconds(wait))}
	}
	c.Response().Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="tokenward", error="%s", error_description="%s"`,
		cerr.OAuth, strings.ReplaceAll(cerr.Message, `"`, `'`)))
	return engine.CheckedToken{}, cerr
}

// requestOrg settles which org a request is for. On an org-scoped route
// that is the org of the /api/v1/orgs/{org}/… form, or without it the
// token's own org: a single-org token may name only its own (404
// otherwise, as for an org that does not exist), a personal token any org
// granted to it, and a personal token with several grants must name one
// (400 listing them). Elsewhere (who am I, quota) a personal token stands
// for no org, and only its own expiry counts.
func requestOrg(ct engine.CheckedToken, orgScoped bool, slug string) (engine.CheckedToken, error) {
	if !orgScoped {
		if ct.Personal() {
			ct.Org = store.Org{}
		}
		return ct, nil
	}
	if slug == "" && ct.Personal() {
		switch len(ct.Grants) {
		case 0:
			return ct, &fault.Error{Code: fault.Forbidden, Title: "No organization",
				Message: "This personal token reaches no organization now. Its owner can add one at /me/tokens."}
		case 1:
			slug = ct.Grants[0].Org.Slug
		default:
			orgs := strings.Join(ct.GrantSlugs(), ", ")
			return ct, &fault.Error{Code: fault.Malformed, Title: "Which organization?",
				Message: "This personal token reaches several organizations (" + orgs + "): say which one this request is for with " +
					"the /api/v1/orgs/{org}/… form of the path, such as /api/v1/orgs/" + ct.Grants[0].Org.Slug + "/tokens."}
		}
	}
	if slug == "" {
		return ct, nil
	}
	forOrg, ok := ct.ForOrg(slug)
	if !ok {
		return ct, &fault.Error{Code: fault.NotFound, Title: "Not found",
			Message: "This token does not reach an organization named " + strconv.Quote(slug) + "."}
	}
	return forOrg, nil
}

// presentedToken reads the token a request presents and, for the two-header
// form, the id it claims. A missing or half-sent token is a 401 (cerr); a
// request that cannot be read as one token (both forms, a header twice, an
// id that is not one) is a 400 (err).
func presentedToken(h http.Header) (secret, id string, cerr *fault.Error, err error) {
	ids, secrets := h.Values(HeaderTokenID), h.Values(HeaderTokenSecret)
	authz := h.Values("Authorization")
	malformed := func(msg string) (string, string, *fault.Error, error) {
		return "", "", nil, &fault.Error{Code: fault.Malformed, OAuth: "invalid_request", Title: "Ambiguous credentials", Message: msg}
	}
	if len(ids) == 0 && len(secrets) == 0 {
		if len(authz) > 1 {
			return malformed("Send the Authorization header once.")
		}
		bearer, ok := bearerSecret(h.Get("Authorization"))
		if !ok {
			return "", "", &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_request", Title: "No token", Reason: "missing",
				Message: "Send a token in the Authorization header (Authorization: Bearer <token>), or its id and secret in " +
					HeaderTokenID + " and " + HeaderTokenSecret + "."}, nil
		}
		return bearer, "", nil, nil
	}
	switch {
	case len(authz) > 0:
		return malformed("Send the token either in Authorization: Bearer or in " + HeaderTokenID + " and " + HeaderTokenSecret + ", not both.")
	case len(ids) > 1:
		return malformed("Send " + HeaderTokenID + " once.")
	case len(secrets) > 1:
		return malformed("Send " + HeaderTokenSecret + " once.")
	case len(secrets) == 0 || strings.TrimSpace(secrets[0]) == "":
		return "", "", &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_request", Title: "No token secret", Reason: "missing",
			Message: HeaderTokenSecret + " is missing: send the token itself there, with its id in " + HeaderTokenID + "."}, nil
	case len(ids) == 0 || strings.TrimSpace(ids[0]) == "":
		return "", "", &fault.Error{Code: fault.Unauthorized, OAuth: "invalid_request", Title: "No token id", Reason: "missing",
			Message: HeaderTokenID + " is missing: send the token's id (a UUID, shown on its page) with " + HeaderTokenSecret + "."}, nil
	}
	id = strings.TrimSpace(ids[0])
	if looksLikeSecret(id) {
		return malformed(HeaderTokenID + " holds a token secret: put the token's id (a UUID) there and the secret in " + HeaderTokenSecret + ". Revoke this token if the header was logged.")
	}
	u, perr := uuid.Parse(id)
	if perr != nil || u.String() != strings.ToLower(id) {
		return malformed(HeaderTokenID + " is not a token id: it must be a UUID such as 0b5f4c3e-8d2a-4f6b-9c1d-2e3f4a5b6c7d.")
	}
	return strings.TrimSpace(secrets[0]), u.String(), nil, nil
}

// Bearer is the token that authenticated an API request.
func Bearer(c echo.Context) *engine.CheckedToken {
	ct, _ := c.Get(bearerKey).(*engine.CheckedToken)
	return ct
}

// apiActor is the calling token as the audit trail names it: the token,
// showing its creator.
func APIActor(c echo.Context) store.Actor {
	t := Bearer(c).Token
	return store.Actor{TokenID: t.ID, Label: fmt.Sprintf("token %s (created by %s)", t.Name, t.CreatorName), IP: c.RealIP()}
}

// apiPrincipal is who the calling token acts as: auth.TokenPrincipal
// decides (the org, for API and service tokens; the owner with their
// current role, for CLI tokens).
func APIPrincipal(c echo.Context) auth.Principal {
	p, _ := auth.TokenPrincipal(core.TokenBearer(Bearer(c).Token))
	return p
}

func NextMonth(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// DecodeJSON reads a JSON object body into v strictly: the right content
// type, no unknown fields, one object, no control characters in its
// strings. Its errors say what to fix.
func DecodeJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return &fault.Error{Code: fault.Unsupported, Title: "Unsupported content type",
			Message: fmt.Sprintf("Send the body as JSON with Content-Type: application/json (got %q).", ct)}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || strings.Contains(err.Error(), "too large") {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return &fault.Error{Code: fault.Malformed, Title: "Unreadable body", Message: "The request body could not be read."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid JSON", Message: jsonProblem(err, v)}
	}
	if dec.More() {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid JSON", Message: "Send one JSON object; there is more after it."}
	}
	if e := jsonControl(body); e != nil {
		return e
	}
	return nil
}

// jsonProblem explains a decoding error into v in terms of the request.
func jsonProblem(err error, v any) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("The body is not valid JSON (at byte %d): %v.", syntax.Offset, err)
	case errors.As(err, &typ):
		return jsonTypeProblem(typ, reflect.TypeOf(v))
	case errors.Is(err, io.EOF):
		return "The body is empty: send a JSON object."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("Unknown field %s: check the spelling against /api/v1/openapi.json.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "The body could not be read as the expected JSON object: " + err.Error()
}

// looksLikeSecret reports whether s is (or starts like) a Tokenward token.
func looksLikeSecret(s string) bool {
	if _, err := auth.ParseToken(s); err == nil {
		return true
	}
	return len(s) > 4 && s[:2] == "tw" && s[3] == '_'
}

// bearerSecret reads "Bearer <token>" (the scheme in any case, RFC 6750).
func bearerSecret(h string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}
