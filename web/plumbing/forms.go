package plumbing

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
)

// PlainText returns s when it is valid UTF-8 of a sane length for echoing
// back into a form, and "" otherwise.
func PlainText(s string) string {
	if !utf8.ValidString(s) || len(s) > 1024 {
		return ""
	}
	return s
}

// FormText reads a trimmed form value.
func FormText(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }

// PathID parses a numeric path parameter; anything else is a 404, since no
// such page exists.
func PathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound()
	}
	return id, nil
}

// ValidSlugParam checks an org slug from a query string.
func ValidSlugParam(s string) string {
	if msg := auth.ValidateSlug(s); msg != "" {
		return "Choose an organization from the list. " + msg
	}
	return ""
}

// ClipRunes cuts s to at most n characters.
func ClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ClipText keeps the start of a free text such as a user agent, as valid
// UTF-8 of at most n bytes.
func ClipText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
