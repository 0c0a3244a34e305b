package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// openAPIFile is the OpenAPI 3.1 description of /api/v1 and the OAuth
// endpoints, kept in the repo as web/api/openapi.json: each org-scoped
// operation once, in its short form, its path item marked
// "x-tokenward-org-form". TestOpenAPI checks that the served document names
// every API route and that real answers match it.
//
//go:embed openapi.json
var openAPIFile []byte

// openAPIDocument is what GET /api/v1/openapi.json serves: the file with
// the /api/v1/orgs/{org}/… form of every marked path item added.
var openAPIDocument = mustDeriveOpenAPI(openAPIFile)

// OpenAPIDocument returns the served OpenAPI document.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

// orgFormKey marks a path item whose operations also answer in the org form.
const orgFormKey = "x-tokenward-org-form"

func mustDeriveOpenAPI(src []byte) []byte {
	b, err := deriveOpenAPI(src)
	if err != nil {
		panic("web/api/openapi.json: " + err.Error())
	}
	return b
}

// deriveOpenAPI adds, for each path item marked orgFormKey, a copy under
// /api/v1/orgs/{org}/… whose operations take the org path parameter first
// and carry the operationId with "InOrg" appended.
func deriveOpenAPI(src []byte) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no paths")
	}
	short := make([]string, 0, len(paths))
	for path := range paths {
		short = append(short, path)
	}
	for _, path := range short {
		item, ok := paths[path].(map[string]any)
		if !ok || item[orgFormKey] != true {
			continue
		}
		if !strings.HasPrefix(path, "/api/v1/") {
			return nil, fmt.Errorf("%s is marked %s but is not under /api/v1/", path, orgFormKey)
		}
		orgPath := "/api/v1/orgs/{org}" + strings.TrimPrefix(path, "/api/v1")
		if _, taken := paths[orgPath]; taken {
			return nil, fmt.Errorf("%s is written out and also derived from %s", orgPath, path)
		}
		paths[orgPath] = orgForm(item)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// orgForm copies a path item for its org form.
func orgForm(item map[string]any) map[string]any {
	out := make(map[string]any, len(item))
	for key, v := range item {
		op, isOp := v.(map[string]any)
		if !isOp || key == orgFormKey {
			out[key] = v
			continue
		}
		copied := make(map[string]any, len(op))
		for k, x := range op {
			copied[k] = x
		}
		if id, ok := op["operationId"].(string); ok {
			copied["operationId"] = id + "InOrg"
		}
		// Naming an org the token does not reach is 404, whatever else the
		// operation answers.
		if responses, ok := op["responses"].(map[string]any); ok {
			if _, has := responses["404"]; !has {
				withNotFound := make(map[string]any, len(responses)+1)
				for code, r := range responses {
					withNotFound[code] = r
				}
				withNotFound["404"] = map[string]any{"$ref": "#/components/responses/NotFound"}
				copied["responses"] = withNotFound
			}
		}
		params, _ := op["parameters"].([]any)
		copied["parameters"] = append([]any{map[string]any{"$ref": "#/components/parameters/Org"}}, params...)
		out[key] = copied
	}
	return out
}

// openAPI is GET /api/v1/openapi.json.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
