package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/api"
	"tokenward/web/core"
)

// openAPIFile is the document as kept in the repo; the server embeds it.
const openAPIFile = "api/openapi.json"

// rawOpenAPI is the document's paths, read as plain JSON, for comparing
// with the route table.
type rawOpenAPI struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// readOpenAPI reads the document as served: the file, with the org form of
// each org-scoped path derived from it.
func readOpenAPI(t *testing.T) ([]byte, rawOpenAPI) {
	t.Helper()
	b := api.OpenAPIDocument()
	var doc rawOpenAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s is not JSON: %v", openAPIFile, err)
	}
	return b, doc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// documentedOps lists "METHOD /path/{param}" for every documented operation.
func documentedOps(doc rawOpenAPI) []string {
	var out []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(httpMethods, key) {
				out = append(out, strings.ToUpper(key)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// TestOpenAPIRoutes: every route under /api/ and /oauth/ is documented with
// its method, and every documented operation is a registered route.
func TestOpenAPIRoutes(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	_, doc := readOpenAPI(t)
	registered := map[string]bool{}
	for _, r := range a.srv.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/oauth/") {
			registered[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	documented := map[string]bool{}
	for _, op := range documentedOps(doc) {
		documented[op] = true
		if !registered[op] {
			t.Errorf("%s is in %s but no such route is registered", op, openAPIFile)
		}
	}
	for op := range registered {
		if !documented[op] {
			t.Errorf("route %s is not documented in %s: add it", op, openAPIFile)
		}
	}
	if len(documented) == 0 {
		t.Fatal("no operations documented")
	}
}

// TestOpenAPIDocument: the server serves the file as it is in the repo, and
// it is a valid OpenAPI 3.1 document.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	raw, doc := readOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	res, err := http.Get(a.ts.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	served, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /api/v1/openapi.json: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !bytes.Equal(served, raw) {
		t.Errorf("GET /api/v1/openapi.json serves %d bytes that differ from the document derived from %s (%d bytes)", len(served), openAPIFile, len(raw))
	}
	file, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var written rawOpenAPI
	if err := json.Unmarshal(file, &written); err != nil {
		t.Fatalf("%s is not JSON: %v", openAPIFile, err)
	}
	for path, item := range written.Paths {
		_, marked := item["x-tokenward-org-form"]
		_, derived := doc.Paths["/api/v1/orgs/{org}"+strings.TrimPrefix(path, "/api/v1")]
		if marked != derived || len(doc.Paths[path]) != len(item) {
			t.Errorf("%s: marked for the org form %v, org form served %v", path, marked, derived)
		}
	}
	d, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	if v := d.GetSpecInfo().VersionNumeric; v != 3.1 {
		t.Errorf("the library reads version %v, want 3.1", v)
	}
	v := newOpenAPIValidator(t, raw, false)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("invalid OpenAPI document: %s", e.Error())
		}
	}
}

// newOpenAPIValidator validates with format assertions (date-time, uuid)
// and, when strict, fails any property or header the document does not
// declare, so that a field the server adds or renames shows up here.
func newOpenAPIValidator(t *testing.T, raw []byte, strict bool) validator.Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	opts := []config.Option{config.WithFormatAssertions(), config.WithURLEncodedBodyValidation()}
	if strict {
		opts = append(opts, config.WithStrictMode(),
			config.WithStrictIgnoredHeadersExtra("content-security-policy", "x-content-type-options", "referrer-policy",
				"x-frame-options", "cross-origin-opener-policy", "permissions-policy"))
	}
	v, errs := validator.NewValidator(d, opts...)
	if len(errs) > 0 {
		t.Fatalf("building the validator: %v", errs)
	}
	return v
}

// oapiCall is one sample request and the status it must get.
type oapiCall struct {
	method, path, body, contentType, token string
	want                                   int
	// request: validate the request against the document too (well-formed
	// calls only; bad-input samples are meant to break the request schema).
	request bool
	// lax: not strict (the document itself, whose schema declares only its
	// top-level members).
	lax bool
}

type oapiChecker struct {
	t         *testing.T
	a         *app
	v, lax    validator.Validator
	doc       rawOpenAPI
	templates map[string]*regexp.Regexp
	sampled   map[string]bool
}

// op names the documented operation a call reaches, "" for none.
func (o *oapiChecker) op(method, path string) string {
	for tpl, re := range o.templates {
		if re.MatchString(path) {
			if _, ok := o.doc.Paths[tpl][strings.ToLower(method)]; ok {
				return method + " " + tpl
			}
		}
	}
	return ""
}

func (o *oapiChecker) newRequest(c oapiCall) *http.Request {
	o.t.Helper()
	var body io.Reader
	if c.body != "" || c.method != http.MethodGet && c.method != http.MethodDelete {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, o.a.ts.URL+c.path, body)
	if err != nil {
		o.t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req
}

// call makes the request, checks its status, validates the answer (and the
// request when asked) against the document, and returns the JSON body.
func (o *oapiChecker) call(c oapiCall) map[string]any {
	o.t.Helper()
	res, err := http.DefaultClient.Do(o.newRequest(c))
	if err != nil {
		o.t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	res.Body.Close()
	name := fmt.Sprintf("%s %s", c.method, c.path)
	if res.StatusCode != c.want {
		o.t.Errorf("%s: status %d, want %d\n%.1000s", name, res.StatusCode, c.want, body)
	}
	op := o.op(c.method, strings.SplitN(c.path, "?", 2)[0])
	if op == "" {
		o.t.Errorf("%s: not a documented operation", name)
	}
	o.sampled[op] = true
	res.Body = io.NopCloser(bytes.NewReader(body))
	req := o.newRequest(c) // a fresh body for the validator to read
	v := o.v
	if c.lax {
		v = o.lax
	}
	var ok bool
	var errs []*verrors.ValidationError
	if c.request {
		ok, errs = v.ValidateHttpRequestResponse(req, res)
	} else {
		ok, errs = v.ValidateHttpResponse(req, res)
	}
	if !ok {
		for _, e := range errs {
			o.t.Errorf("%s (%d): %s\n%.1000s", name, res.StatusCode, e.Error(), body)
		}
	}
	var out map[string]any
	if len(body) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(body, &out); err != nil {
			o.t.Errorf("%s: body is not a JSON object: %v", name, err)
		}
	}
	if res.StatusCode == http.StatusUnprocessableEntity || res.StatusCode == http.StatusConflict {
		o.fieldNames(name, c, out)
	}
	return out
}

// fieldNames checks that a problem's errors name fields of the request
// body as the document spells them.
func (o *oapiChecker) fieldNames(name string, c oapiCall, problem map[string]any) {
	o.t.Helper()
	errs, _ := problem["errors"].(map[string]any)
	if len(errs) == 0 {
		return
	}
	op := o.op(c.method, c.path)
	var item struct {
		RequestBody struct {
			Content map[string]struct {
				Schema struct {
					Ref string `json:"$ref"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	method, tpl, _ := strings.Cut(op, " ")
	if err := json.Unmarshal(o.doc.Paths[tpl][strings.ToLower(method)], &item); err != nil {
		o.t.Fatal(err)
	}
	schema := strings.TrimPrefix(item.RequestBody.Content["application/json"].Schema.Ref, "#/components/schemas/")
	props := o.doc.Components.Schemas[schema].Properties
	for field := range errs {
		if _, ok := props[field]; !ok {
			o.t.Errorf("%s: errors names field %q, which is not a field of %s (%s)", name, field, schema, strings.Join(keys(props), ", "))
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIResponses makes real requests with real tokens to a seeded app
// and validates every answer (status, content type, headers, body) against
// the document.
func TestOpenAPIResponses(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	raw, doc := readOpenAPI(t)
	o := &oapiChecker{t: t, a: a, v: newOpenAPIValidator(t, raw, true), lax: newOpenAPIValidator(t, raw, false), doc: doc, templates: map[string]*regexp.Regexp{}, sampled: map[string]bool{}}
	for tpl := range doc.Paths {
		o.templates[tpl] = regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tpl), "[^/]+") + "$")
	}

	ctx := context.Background()
	users := map[string]store.User{}
	for _, u := range []string{"ada", "max", "audra"} {
		user, err := a.db.UserByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		users[u] = user
	}
	// API tokens may be made without expiry, for a token whose expires_at is null.
	pol := store.DefaultPolicy()
	pol.NeverExpire["api"] = true
	org, err := a.db.SetPolicy(ctx, a.org.ID, pol, store.Actor{Label: "openapi test"})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	issue := func(kind auth.Kind, creator, quota, expiry string, scopes ...string) core.Issued {
		t.Helper()
		n++
		r := core.TokenRequest{Org: org, Kind: kind, Name: fmt.Sprintf("openapi-%d", n), Scopes: scopes, Quota: quota, Expiry: expiry,
			CreatorID: users[creator].ID, OwnerUserID: users[creator].ID}
		is, errs, err := core.IssueToken(ctx, a.db, sealer, r, store.Actor{Label: "openapi test"})
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		return is
	}
	js, form := "application/json", "application/x-www-form-urlencoded"
	admin := issue(auth.KindAPI, "ada", "1000", "", "api").Secret // with a quota
	plain := issue(auth.KindAPI, "ada", "", "", "api").Secret     // without

	t.Run("self", func(t *testing.T) {
		o.t = t
		self := o.call(oapiCall{method: "GET", path: "/api/v1/token", token: admin, want: 200, request: true})
		if self["quota"] == nil || self["last_used"] == nil || self["expires_at"] == nil {
			t.Errorf("GET /api/v1/token: want quota, last_used and expires_at set: %v", self)
		}
		q := o.call(oapiCall{method: "GET", path: "/api/v1/quota", token: admin, want: 200, request: true})
		if q["limit"] == nil || q["remaining"] == nil {
			t.Errorf("GET /api/v1/quota with a quota: %v", q)
		}
		q = o.call(oapiCall{method: "GET", path: "/api/v1/quota", token: plain, want: 200, request: true})
		if q["limit"] != nil || q["remaining"] != nil {
			t.Errorf("GET /api/v1/quota without a quota: want null limit and remaining: %v", q)
		}
		o.call(oapiCall{method: "DELETE", path: "/api/v1/token", token: issue(auth.KindAPI, "max", "", "").Secret, want: 204, request: true})
	})

	t.Run("tokens", func(t *testing.T) {
		o.t = t
		never := issue(auth.KindAPI, "ada", "", "never", "tokens:read").Token
		got := o.call(oapiCall{method: "GET", path: "/api/v1/tokens/" + never.ID, token: plain, want: 200, request: true})
		for _, f := range []string{"expires_at", "last_used", "quota"} {
			if v, ok := got[f]; !ok || v != nil {
				t.Errorf("a never-used token without quota or expiry: %s = %v, want null", f, v)
			}
		}
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens?q=openapi&kind=api&status=active&status=disabled&sort=name&dir=asc&page=1&per_page=10",
			token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens?kind=cli", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens?per_page=500", token: plain, want: 400})

		created := o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 201, request: true,
			body: `{"kind":"api","name":"openapi created","scopes":["tokens:read"],"expires":"30","visibility":"org","quota":500}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 201, request: true,
			body: `{"kind":"cli","name":"openapi cli"}`})
		invalid := o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 422,
			body: `{"name":"","scopes":["nope"],"expires":"400","visibility":"everyone","quota":0}`})
		errs, _ := invalid["errors"].(map[string]any)
		if got, want := strings.Join(keys(errs), " "), "expires name quota scopes visibility"; got != want {
			t.Errorf("422 names fields %q, want %q: %v", got, want, invalid)
		}
		o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 400, body: `{"name":`})
		o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 400, body: `{"name":"x","nope":1}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: "text/plain", token: plain, want: 415, body: `{"name":"x"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/tokens", contentType: js, token: plain, want: 413,
			body: `{"name":"` + strings.Repeat("x", 2<<20) + `"}`})

		tok, _ := created["token"].(map[string]any)
		id, _ := tok["id"].(string)
		path := "/api/v1/tokens/" + id
		o.call(oapiCall{method: "GET", path: path, token: plain, want: 200, request: true})
		o.call(oapiCall{method: "PATCH", path: path, contentType: js, token: plain, want: 200, request: true,
			body: `{"name":"openapi renamed","scopes":["tokens:read","audit:read"],"visibility":"org"}`})
		o.call(oapiCall{method: "PATCH", path: path, contentType: js, token: plain, want: 422, body: `{"name":" "}`})
		o.call(oapiCall{method: "PATCH", path: path, contentType: js, token: plain, want: 409, body: `{"name":"openapi-1"}`})
		o.call(oapiCall{method: "POST", path: path + "/rotate", contentType: js, token: plain, want: 200, request: true, body: `{"grace":"1h","visibility":"org"}`})
		o.call(oapiCall{method: "POST", path: path + "/rotate", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: path + "/rotate", contentType: js, token: plain, want: 422, body: `{"grace":"1y"}`})
		o.call(oapiCall{method: "POST", path: path + "/rotate", contentType: js, token: plain, want: 200, request: true, body: `{"expires":"90"}`})
		o.call(oapiCall{method: "POST", path: path + "/rotate", contentType: js, token: plain, want: 422, body: `{"expires":"2001-01-01"}`})
		o.call(oapiCall{method: "POST", path: path + "/disable", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: path + "/enable", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "DELETE", path: path, token: plain, want: 204, request: true})
		o.call(oapiCall{method: "DELETE", path: path, token: plain, want: 204, request: true}) // already revoked: still 204
		o.call(oapiCall{method: "POST", path: path + "/disable", token: plain, want: 409})
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens/00000000-0000-4000-8000-000000000000", token: plain, want: 404})
	})

	t.Run("members", func(t *testing.T) {
		o.t = t
		actor := store.Actor{Label: "openapi test"}
		if _, err := a.db.CreateMember(ctx, a.org.ID, store.NewUser{Username: "oapi-mia", Email: "mia@example.com", PasswordHash: "x"}, "member", actor); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.db.CreateUserInOrg(ctx, store.NewUser{Username: "oapi-out", Email: "out@example.com", PasswordHash: "x"}, "oapi-elsewhere", "admin", actor); err != nil {
			t.Fatal(err)
		}
		o.call(oapiCall{method: "GET", path: "/api/v1/members", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: "/api/v1/members", contentType: js, token: plain, want: 201, request: true, body: `{"username":"oapi-out","role":"auditor"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/members", contentType: js, token: plain, want: 409, body: `{"username":"oapi-out","role":"member"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/members", contentType: js, token: plain, want: 422, body: `{"username":"nobody-at-all","role":"member"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/members", contentType: js, token: plain, want: 422, body: `{"username":"oapi-out","role":"owner"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/members", contentType: js, token: plain, want: 400, body: `{"username":`})
		o.call(oapiCall{method: "PATCH", path: "/api/v1/members/oapi-mia", contentType: js, token: plain, want: 200, request: true, body: `{"role":"auditor"}`})
		o.call(oapiCall{method: "PATCH", path: "/api/v1/members/oapi-mia", contentType: js, token: plain, want: 422, body: `{"role":"boss"}`})
		o.call(oapiCall{method: "PATCH", path: "/api/v1/members/nobody-at-all", contentType: js, token: plain, want: 404, body: `{"role":"member"}`})
		o.call(oapiCall{method: "PATCH", path: "/api/v1/members/ada", contentType: js, token: plain, want: 409, body: `{"role":"member"}`})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/members/oapi-mia", contentType: js, token: plain, want: 422, body: `{"api_tokens":"burn"}`})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/members/oapi-mia", contentType: js, token: plain, want: 200, request: true, body: `{"api_tokens":"revoke"}`})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/members/oapi-out", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/members/oapi-out", token: plain, want: 404})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/members/ada", token: plain, want: 409})
	})

	t.Run("invitations", func(t *testing.T) {
		o.t = t
		o.call(oapiCall{method: "GET", path: "/api/v1/invitations", token: plain, want: 200, request: true})
		inv := o.call(oapiCall{method: "POST", path: "/api/v1/invitations", contentType: js, token: plain, want: 201, request: true,
			body: `{"email":"oapi-invitee@example.com","role":"auditor"}`})
		if inv["emailed"] != false || !strings.HasPrefix(fmt.Sprint(inv["url"]), a.ts.URL+"/invite/") {
			t.Errorf("a new invitation without SMTP: %v", inv)
		}
		o.call(oapiCall{method: "POST", path: "/api/v1/invitations", contentType: js, token: plain, want: 409, body: `{"email":"oapi-invitee@example.com","role":"member"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/invitations", contentType: js, token: plain, want: 409, body: `{"email":"max@example.com","role":"member"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/invitations", contentType: js, token: plain, want: 422, body: `{"email":"not an address","role":"owner"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/invitations", contentType: js, token: plain, want: 400, body: `{"email":`})
		o.call(oapiCall{method: "GET", path: "/api/v1/invitations", token: plain, want: 200, request: true})
		id, _ := inv["id"].(float64)
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("/api/v1/invitations/%d", int64(id)), token: plain, want: 200, request: true})
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("/api/v1/invitations/%d", int64(id)), token: plain, want: 409})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/invitations/999999", token: plain, want: 404})
	})

	t.Run("services and audit", func(t *testing.T) {
		o.t = t
		o.call(oapiCall{method: "GET", path: "/api/v1/services", token: plain, want: 200, request: true})
		svc := o.call(oapiCall{method: "POST", path: "/api/v1/services", contentType: js, token: plain, want: 201, request: true,
			body: `{"name":"acme/openapi","url":"https://example.com/acme/openapi"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/services", contentType: js, token: plain, want: 409, body: `{"name":"acme/openapi"}`})
		o.call(oapiCall{method: "POST", path: "/api/v1/services", contentType: js, token: plain, want: 422, body: `{"name":"not a repo","url":"ftp://x"}`})
		o.call(oapiCall{method: "GET", path: "/api/v1/services", token: plain, want: 200, request: true})
		s, _ := svc["service"].(map[string]any)
		id, _ := s["id"].(float64)
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("/api/v1/services/%d", int64(id)), token: plain, want: 200, request: true})
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("/api/v1/services/%d", int64(id)), token: plain, want: 404})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?limit=20", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?limit=0", token: plain, want: 400})
		audited := issue(auth.KindAPI, "ada", "", "", "report").Token
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?actor=test&action=token.created&token=" + audited.ID + "&from=2020-01-01&to=2100-12-31&limit=5",
			token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?format=csv&action=token.created&from=2020-01-01&limit=50", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?format=csv", token: plain, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?format=xml", token: plain, want: 400})
		o.call(oapiCall{method: "GET", path: "/api/v1/audit?before=999999999", token: plain, want: 400})
	})

	t.Run("org form and personal tokens", func(t *testing.T) {
		o.t = t
		actor := store.Actor{Label: "openapi test"}
		other, err := a.db.CreateOrg(ctx, store.NewOrg{Slug: "oapi-globex", Name: "Globex"}, users["ada"].ID, actor)
		if err != nil {
			t.Fatal(err)
		}
		personal := func(owner string, orgs ...store.Org) core.Issued {
			t.Helper()
			n++
			r := core.TokenRequest{Org: orgs[0], Orgs: orgs, Kind: auth.KindPersonal, Name: fmt.Sprintf("openapi-%d", n), Scopes: []string{"api"},
				CreatorID: users[owner].ID, OwnerUserID: users[owner].ID}
			is, errs, err := core.IssueToken(ctx, a.db, sealer, r, actor)
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			return is
		}
		both := personal("ada", org, other).Secret
		self := o.call(oapiCall{method: "GET", path: "/api/v1/token", token: both, want: 200, request: true})
		if fmt.Sprint(self["orgs"]) != "[acme oapi-globex]" || self["kind"] != "personal" {
			t.Errorf("who am I with a personal token: %v", self)
		}
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens", token: both, want: 400})
		o.call(oapiCall{method: "GET", path: "/api/v1/orgs/elsewhere/tokens", token: both, want: 404})
		o.call(oapiCall{method: "GET", path: "/api/v1/orgs/oapi-globex/tokens", token: plain, want: 404})

		base := "/api/v1/orgs/acme"
		o.call(oapiCall{method: "GET", path: base + "/tokens?kind=api", token: both, want: 200, request: true})
		created := o.call(oapiCall{method: "POST", path: base + "/tokens", contentType: js, token: both, want: 201, request: true,
			body: `{"name":"openapi in org","scopes":["tokens:read"]}`})
		tok, _ := created["token"].(map[string]any)
		path := base + "/tokens/" + fmt.Sprint(tok["id"])
		o.call(oapiCall{method: "GET", path: path, token: plain, want: 200, request: true})
		o.call(oapiCall{method: "PATCH", path: path, contentType: js, token: both, want: 200, request: true, body: `{"name":"openapi in org renamed"}`})
		o.call(oapiCall{method: "POST", path: path + "/rotate", token: both, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: path + "/disable", token: both, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: path + "/enable", token: both, want: 200, request: true})
		o.call(oapiCall{method: "DELETE", path: path, token: both, want: 204, request: true})

		o.call(oapiCall{method: "GET", path: base + "/services", token: both, want: 200, request: true})
		svc := o.call(oapiCall{method: "POST", path: base + "/services", contentType: js, token: both, want: 201, request: true, body: `{"name":"acme/oapi-org"}`})
		sv, _ := svc["service"].(map[string]any)
		id, _ := sv["id"].(float64)
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("%s/services/%d", base, int64(id)), token: both, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: base + "/audit?limit=5", token: both, want: 200, request: true})

		if _, _, err := a.db.CreateUserInOrg(ctx, store.NewUser{Username: "oapi-org-out", Email: "org-out@example.com", PasswordHash: "x"}, "oapi-org-elsewhere", "admin", actor); err != nil {
			t.Fatal(err)
		}
		o.call(oapiCall{method: "GET", path: base + "/members", token: both, want: 200, request: true})
		o.call(oapiCall{method: "POST", path: base + "/members", contentType: js, token: both, want: 201, request: true, body: `{"username":"oapi-org-out","role":"member"}`})
		o.call(oapiCall{method: "PATCH", path: base + "/members/oapi-org-out", contentType: js, token: both, want: 200, request: true, body: `{"role":"auditor"}`})
		o.call(oapiCall{method: "DELETE", path: base + "/members/oapi-org-out", token: both, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: base + "/invitations", token: both, want: 200, request: true})
		inv := o.call(oapiCall{method: "POST", path: base + "/invitations", contentType: js, token: both, want: 201, request: true,
			body: `{"email":"oapi-org-invitee@example.com","role":"member"}`})
		o.call(oapiCall{method: "DELETE", path: fmt.Sprintf("%s/invitations/%v", base, inv["id"]), token: both, want: 200, request: true})

		// Remove organization from token, in both forms.
		maxs := personal("max", org).Token
		o.call(oapiCall{method: "DELETE", path: base + "/tokens/" + maxs.ID + "/access", token: both, want: 204, request: true})
		o.call(oapiCall{method: "DELETE", path: base + "/tokens/" + maxs.ID + "/access", token: both, want: 404})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/tokens/" + personal("max", org).Token.ID + "/access", token: plain, want: 204, request: true})
		o.call(oapiCall{method: "DELETE", path: "/api/v1/tokens/" + personal("ada", org).Token.ID + "/access",
			token: issue(auth.KindCLI, "max", "", "").Secret, want: 403})
	})

	t.Run("oauth", func(t *testing.T) {
		o.t = t
		cli := issue(auth.KindCLI, "max", "", "")
		in := o.call(oapiCall{method: "POST", path: "/oauth/introspect", contentType: form, token: plain, want: 200, request: true,
			body: "token=" + cli.Secret + "&token_type_hint=access_token&client_ip=203.0.113.7&user_agent=curl%2F8"})
		if in["active"] != true {
			t.Errorf("introspect a live token: %v", in)
		}
		in = o.call(oapiCall{method: "POST", path: "/oauth/introspect", contentType: form, token: plain, want: 200, request: true, body: "token=twa_notatoken"})
		if len(in) != 1 || in["active"] != false {
			t.Errorf("introspect garbage: %v, want {\"active\": false} alone", in)
		}
		o.call(oapiCall{method: "POST", path: "/oauth/introspect", contentType: form, token: plain, want: 400, body: "token_type_hint=x"})
		o.call(oapiCall{method: "POST", path: "/oauth/introspect", contentType: js, token: plain, want: 415, body: `{"token":"x"}`})

		o.call(oapiCall{method: "POST", path: "/oauth/revoke", contentType: form, want: 200, request: true,
			body: "token=" + issue(auth.KindAPI, "ada", "", "").Secret})
		o.call(oapiCall{method: "POST", path: "/oauth/revoke", contentType: js, want: 200, request: true,
			body: `{"tokens":["` + issue(auth.KindAPI, "ada", "", "").Secret + `","twa_notatoken"]}`})
		o.call(oapiCall{method: "POST", path: "/oauth/revoke", contentType: js, want: 400, body: `{"tokens":[]}`})
		o.call(oapiCall{method: "POST", path: "/oauth/revoke", contentType: "text/plain", want: 415, body: "token=x"})
	})

	t.Run("device login", func(t *testing.T) {
		o.t = t
		da := o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: form, want: 200, request: true,
			body: "client_id=tokenward-cli&scope=findings%3Alocal+report%3Aread&device_name=openapi+laptop&org=acme"})
		o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: form, want: 200, request: true, body: "client_id=tokenward-cli"})
		o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: form, want: 400, body: "client_id=someone-else"})
		o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: form, want: 400, body: "client_id=tokenward-cli&scope=api"})
		o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: form, want: 401, token: plain, body: "client_id=tokenward-cli"})
		o.call(oapiCall{method: "POST", path: "/oauth/device_authorization", contentType: js, want: 415, body: `{"client_id":"tokenward-cli"}`})

		code, _ := da["device_code"].(string)
		poll := "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=tokenward-cli&device_code=" + code
		o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: form, want: 400, body: poll})
		userCode, ok := auth.NormalizeUserCode(fmt.Sprint(da["user_code"]))
		if !ok {
			t.Fatalf("user code %v does not normalize", da["user_code"])
		}
		if _, err := a.db.ApproveDeviceAuthorization(ctx, userCode, org.ID, store.Actor{UserID: users["max"].ID, Label: "max"}); err != nil {
			t.Fatal(err)
		}
		tok := o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: form, want: 200, request: true, body: poll})
		if tok["scope"] != "findings:local report:read" || tok["expires_in"] == nil {
			t.Errorf("token response %v", tok)
		}
		o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: form, want: 400, body: poll}) // used up
		o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: form, want: 400, body: "grant_type=password&username=max&password=x"})
		o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: form, want: 401, token: plain, body: poll})
		o.call(oapiCall{method: "POST", path: "/oauth/token", contentType: js, want: 415, body: `{}`})
	})

	t.Run("refusals", func(t *testing.T) {
		o.t = t
		revoked := issue(auth.KindAPI, "ada", "", "", "api")
		if _, err := a.db.RevokeToken(ctx, a.org.ID, revoked.Token.ID, "", store.Actor{Label: "openapi test"}); err != nil {
			t.Fatal(err)
		}
		o.call(oapiCall{method: "GET", path: "/api/v1/token", token: revoked.Secret, want: 401})
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens", want: 401})
		o.call(oapiCall{method: "GET", path: "/api/v1/tokens", token: issue(auth.KindAPI, "ada", "", "", "report:read").Secret, want: 403})
		// A token without services:read (a member's API token with api, which
		// this sample once used, acts as the org's and may list services).
		o.call(oapiCall{method: "GET", path: "/api/v1/services", token: issue(auth.KindAPI, "max", "", "", "tokens:read").Secret, want: 403})
		one := issue(auth.KindAPI, "ada", "1", "", "api").Secret
		o.call(oapiCall{method: "GET", path: "/api/v1/quota", token: one, want: 200, request: true})
		o.call(oapiCall{method: "GET", path: "/api/v1/quota", token: one, want: 429})
		o.call(oapiCall{method: "GET", path: "/api/v1/openapi.json", want: 200, request: true, lax: true})
	})

	o.t = t
	for _, op := range documentedOps(doc) {
		if !o.sampled[op] {
			t.Errorf("%s is documented but no sample calls it: add one", op)
		}
	}
}
