package web

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
)

// plainText returns s when it is valid UTF-8 of a sane length for echoing
// back into a form, and "" otherwise.
func plainText(s string) string {
	if !utf8.ValidString(s) || len(s) > 1024 {
		return ""
	}
	return s
}

// formText reads a trimmed form value.
func formText(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }

// pathID parses a numeric path parameter; anything else is a 404, since no
// such page exists.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound()
	}
	return id, nil
}

// validSlugParam checks an org slug from a query string.
func validSlugParam(s string) string {
	if msg := auth.ValidateSlug(s); msg != "" {
		return "Choose an organization from the list. " + msg
	}
	return ""
}

func utf8Text(s string) bool { return utf8.ValidString(s) }
