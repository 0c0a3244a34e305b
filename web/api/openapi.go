package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument is the OpenAPI 3.1 description of /api/v1 and the OAuth
// endpoints, kept in the repo as web/openapi.json. TestOpenAPI checks that
// it names every API route and that real answers match it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI is GET /api/v1/openapi.json: the document, as it is in the repo.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
