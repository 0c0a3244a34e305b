package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// apiListTokens is GET /api/v1/tokens: the dashboard's search and filters
// (q, role, service, status, sort, dir, page) for one kind, plus per_page,
// narrowed to what the calling token may see (auth.TokenPrincipal).
func (s *Server) apiListTokens(c echo.Context) error {
	kind := auth.KindAPI
	if k := c.QueryParam("kind"); k != "" {
		var err error
		if kind, err = auth.ParseKind(k); err != nil || kind == auth.KindPersonal {
			return &fault.Error{Code: fault.Malformed, Title: "Unknown kind", Message: "kind is api, cli or service (an organization's tokens; " +
				"personal tokens are their owners')."}
		}
	}
	q, problem := core.ParseTokenQuery(c.QueryParams(), kind)
	per := 50
	if v := c.QueryParam("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			problem = strings.TrimSpace(problem + " per_page is a whole number from 1 to 200.")
		}
		per = n
	}
	if problem != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid query", Message: problem}
	}
	ct := plumbing.Bearer(c)
	page, err := s.Core.ListTokens(c.Request().Context(), plumbing.APIPrincipal(c), ct.Org, kind, q, per)
	if err != nil {
		return err
	}
	out := struct {
		Tokens  []apiToken `json:"tokens"`
		Total   int        `json:"total"`
		Page    int        `json:"page"`
		PerPage int        `json:"per_page"`
		Pages   int        `json:"pages"` // a page past it lists nothing
	}{Tokens: []apiToken{}, Total: page.Total, Page: q.Page, PerPage: per, Pages: core.PageCount(page.Total, per)}
	now := s.DB.Now()
	for _, t := range page.Tokens {
		out.Tokens = append(out.Tokens, s.tokenJSON(t, ct.Org, now))
	}
	return c.JSON(http.StatusOK, out)
}

// createTokenJSON is POST /api/v1/tokens's body.
type createTokenJSON struct {
	Kind       string   `json:"kind"`    // api (default) or cli
	Name       string   `json:"name"`    // required
	Scopes     []string `json:"scopes"`  // default: the kind's defaults
	Expires    string   `json:"expires"` // days ("30"), a date (YYYY-MM-DD) or "never"; default: the org's
	Visibility string   `json:"visibility"`
	Quota      *int64   `json:"quota"`
}

// apiCreateToken is POST /api/v1/tokens. The new token is created by, and
// (for API and CLI tokens) owned by, the person the calling token acts
// under (auth.TokenPrincipal), and the calling token must be allowed to
// create it.
func (s *Server) apiCreateToken(c echo.Context) error {
	var body createTokenJSON
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	ct := plumbing.Bearer(c)
	kind := auth.KindAPI
	if body.Kind != "" {
		var err error
		if kind, err = auth.ParseKind(body.Kind); err != nil {
			return fault.InvalidFields(fault.Fields{"kind": "kind is api or cli."})
		}
	}
	if kind == auth.KindService {
		return fault.InvalidFields(fault.Fields{"kind": "Service tokens are made by onboarding a service: POST /api/v1/services."})
	}
	if kind == auth.KindPersonal {
		return fault.InvalidFields(fault.Fields{"kind": "Personal tokens are made by their owner at /me/tokens, or with tokenward admin create-token --kind personal."})
	}
	me := plumbing.APIPrincipal(c)
	if !auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: kind, OwnerUserID: me.UserID}) {
		return apiForbidden(me, "create "+kind.Label()+" tokens")
	}
	r := core.TokenRequest{Org: ct.Org, Kind: kind, Name: body.Name, Scopes: body.Scopes, Visibility: body.Visibility,
		CreatorID: me.UserID, OwnerUserID: me.UserID, Expiry: strconv.Itoa(ct.Org.Policy.DefaultDays)}
	if body.Expires != "" {
		r.Expiry = body.Expires
		if _, err := time.Parse("2006-01-02", body.Expires); err == nil {
			r.Expiry, r.ExpiresOn = "custom", body.Expires
		}
	}
	if body.Quota != nil {
		r.Quota = strconv.FormatInt(*body.Quota, 10)
	}
	if body.Scopes != nil && len(body.Scopes) == 0 {
		r.Scopes = []string{""} // an explicit empty list is an error, not the defaults
	}
	issued, errs, err := core.IssueToken(c.Request().Context(), s.DB, s.Sealer, r, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	if msg, ok := errs["expiry"]; ok { // the API calls the field "expires"
		delete(errs, "expiry")
		errs["expires"] = msg
	}
	if len(errs) > 0 {
		return fault.InvalidFields(errs)
	}
	return sendSecret(c, http.StatusCreated, issuedJSON{Token: s.tokenJSON(issued.Token, ct.Org, s.DB.Now()), Secret: issued.Secret, EnvVar: "TOKENWARD_TOKEN"})
}

// apiTokenFor loads the token in the path for an action by the calling
// token: 404 for what they may not see, 403 for what they see but
// may not change.
func (s *Server) apiTokenFor(c echo.Context, a auth.Action, verb string) (store.Token, error) {
	ct := plumbing.Bearer(c)
	t, err := s.DB.TokenByID(c.Request().Context(), ct.Org.ID, c.Param("id"))
	if err != nil {
		return store.Token{}, err
	}
	// A personal token is its owner's, not the org's: the org may only
	// remove itself from it (DELETE …/tokens/{id}/access).
	if t.Kind == string(auth.KindPersonal) {
		return store.Token{}, plumbing.NotFound()
	}
	me := plumbing.APIPrincipal(c)
	if !auth.Authorize(me, auth.ViewToken, core.TokenFacts(t)) {
		return store.Token{}, plumbing.NotFound()
	}
	if !auth.Authorize(me, a, core.TokenFacts(t)) {
		return store.Token{}, apiForbidden(me, verb)
	}
	return t, nil
}

func apiForbidden(me auth.Principal, verb string) *fault.Error {
	if me.OrgCredential {
		return &fault.Error{Code: fault.Forbidden, Title: "Not allowed", OAuth: "insufficient_scope",
			Message: "This token is the organization's and may not " + verb + "."}
	}
	role := string(me.Role)
	if role == "" {
		role = "no longer a member"
	}
	return &fault.Error{Code: fault.Forbidden, Title: "Not allowed", OAuth: "insufficient_scope",
		Message: "This token acts for its owner, whose role (" + role + ") does not allow them to " + verb + "."}
}

// apiGetToken is GET /api/v1/tokens/{id}.
func (s *Server) apiGetToken(c echo.Context, t store.Token) error {
	return c.JSON(http.StatusOK, s.tokenJSON(t, plumbing.Bearer(c).Org, s.DB.Now()))
}

// patchTokenJSON is PATCH /api/v1/tokens/{id}'s body; absent fields stay.
type patchTokenJSON struct {
	Name       *string  `json:"name"`
	Scopes     []string `json:"scopes"`
	Visibility *string  `json:"visibility"`
}

// apiPatchToken is PATCH /api/v1/tokens/{id}: name, scopes, visibility.
// Sharing an admins-only token needs a new secret: rotate with visibility.
func (s *Server) apiPatchToken(c echo.Context, t store.Token) error {
	var body patchTokenJSON
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	changed, err := s.Core.EditToken(c.Request().Context(), t, core.TokenChange{Name: body.Name, Scopes: body.Scopes,
		Visibility: body.Visibility, ShareHow: `Rotate it to share it: POST /api/v1/tokens/{id}/rotate with {"visibility": "org"}.`}, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	updated := changed.Token
	return c.JSON(http.StatusOK, s.tokenJSON(updated, plumbing.Bearer(c).Org, s.DB.Now()))
}

// apiRevokeToken is DELETE /api/v1/tokens/{id}.
func (s *Server) apiRevokeToken(c echo.Context, t store.Token) error {
	if _, err := s.DB.RevokeToken(c.Request().Context(), plumbing.Bearer(c).Org.ID, t.ID, "", plumbing.APIActor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateJSON is POST /api/v1/tokens/{id}/rotate's optional body.
type rotateJSON struct {
	Grace      string `json:"grace"`      // now (default), 1h, 1d or 7d
	Visibility string `json:"visibility"` // org to share while rotating
	// Expires is the new expiry: days ("30"), a date (YYYY-MM-DD) or
	// "never"; default: the same lifetime from now, within the policy.
	Expires string `json:"expires"`
}

// apiRotateToken is POST /api/v1/tokens/{id}/rotate: a new secret, shown
// once; the old one works for the grace asked for.
func (s *Server) apiRotateToken(c echo.Context, t store.Token) error {
	var body rotateJSON
	if c.Request().ContentLength != 0 {
		if err := plumbing.DecodeJSON(c, &body); err != nil {
			return err
		}
	}
	if body.Grace == "" {
		body.Grace = "now"
	}
	r := core.Rotation{Org: plumbing.Bearer(c).Org, Grace: body.Grace, Visibility: body.Visibility, Expiry: body.Expires}
	if _, err := time.Parse(time.DateOnly, body.Expires); err == nil {
		r.Expiry, r.ExpiresOn = "custom", body.Expires
	}
	changed, err := s.Core.RotateToken(c.Request().Context(), t, r, plumbing.APIActor(c))
	if fe := fault.FieldsOf(err); fe.Has("expiry") { // the API calls the field "expires"
		fe["expires"] = fe["expiry"]
		delete(fe, "expiry")
		return fault.InvalidFields(fe)
	}
	if err != nil {
		return err
	}
	rotated, secret := changed.Token, changed.Secret
	return sendSecret(c, http.StatusOK, issuedJSON{Token: s.tokenJSON(rotated, plumbing.Bearer(c).Org, s.DB.Now()), Secret: secret, EnvVar: "TOKENWARD_TOKEN"})
}

// apiSetDisabled is POST /api/v1/tokens/{id}/disable and /enable.
func (s *Server) apiSetDisabled(disabled bool) tokenHandler {
	return func(c echo.Context, t store.Token) error {
		t, err := s.DB.SetTokenDisabled(c.Request().Context(), plumbing.Bearer(c).Org.ID, t.ID, disabled, plumbing.APIActor(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, s.tokenJSON(t, plumbing.Bearer(c).Org, s.DB.Now()))
	}
}
