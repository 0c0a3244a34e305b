package plumbing

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"tokenward/auth/fault"
	"unicode"

	"github.com/labstack/echo/v4"
)

// Control characters (C0, DEL and C1: a NUL byte, a tab, a line break, an
// escape) are refused in every text input: the URL query, form fields,
// JSON strings and the headers Tokenward reads. No field of Tokenward's
// holds more than one line, so none of them is allowed anywhere. The rule
// is here once: refuseControls applies it to the query, forms and headers
// of every request before any handler reads them, and decodeJSON to every
// string of a JSON body.

// controlAt returns the first control character of s and its position in
// characters (from 1), or ok false when there is none.
func controlAt(s string) (r rune, pos int, ok bool) {
	for _, c := range s {
		pos++
		if unicode.IsControl(c) {
			return c, pos, true
		}
	}
	return 0, 0, false
}

// HasControl reports whether s holds a control character.
func HasControl(s string) bool { _, _, ok := controlAt(s); return ok }

// controlProblem is the 400 for a control character in what names
// describes, such as `The query parameter "q"`.
func controlProblem(what string, r rune, pos int) *fault.Error {
	return &fault.Error{Code: fault.Malformed, Title: "Control characters are not accepted", OAuth: "invalid_request",
		Message: fmt.Sprintf("%s holds control characters (%U at character %d), such as a NUL byte, a tab or a line break. Remove them and try again.", what, r, pos)}
}

// formChecked are the browser form fields whose forms refuse control
// characters themselves, with the message next to the field (names,
// usernames, addresses, URLs, host names, passwords); refuseControls leaves
// them to those forms. A field added to this list must be checked by every
// form that has it.
var formChecked = map[string]bool{
	"name": true, "display_name": true, "org_name": true, "username": true, "email": true, "from": true,
	"slug": true, "org_slug": true, "url": true, "host": true, "password": true,
}

// readHeaders are the request headers Tokenward reads as text, by their
// canonical names (the keys of http.Header).
var readHeaders = map[string]bool{"Authorization": true, "User-Agent": true, http.CanonicalHeaderKey(csrfHeader): true,
	"Hx-Request": true, "Hx-Target": true, "X-Forwarded-For": true, "X-Forwarded-Proto": true}

// refuseControls answers 400 to a request whose query, form body or read
// headers hold a control character. (Go's HTTP server already refuses most
// of them in headers; a tab gets through.)
func refuseControls(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		// A walk over the headers sent is cheaper on the token-check path
		// than looking each read header up by name.
		for h, vs := range req.Header {
			if !readHeaders[h] || len(vs) == 0 {
				continue
			}
			if r, pos, ok := controlAt(vs[0]); ok {
				return controlProblem("The header "+h, r, pos)
			}
		}
		if err := firstControl(c.QueryParams(), "The query parameter", nil); err != nil {
			return err
		}
		ctype := req.Header.Get(echo.HeaderContentType)
		if strings.HasPrefix(ctype, echo.MIMEApplicationForm) || strings.HasPrefix(ctype, echo.MIMEMultipartForm) {
			if _, err := c.FormParams(); err == nil {
				skip := formChecked
				if machinePath(req.URL.Path) {
					skip = nil // API clients get the one answer for every field
				}
				if err := firstControl(req.PostForm, "The field", skip); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}

// machinePath reports whether a path is for API and OAuth clients, which
// get problem documents rather than forms shown again.
func machinePath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/oauth/")
}

// firstControl finds the first name or value (by name, so the answer is
// the same each time) with a control character, skipping the values of
// the names in skip.
func firstControl(vals map[string][]string, what string, skip map[string]bool) *fault.Error {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if r, pos, ok := controlAt(k); ok {
			return controlProblem(fmt.Sprintf("%s name %q", what, k), r, pos)
		}
		if skip[k] {
			continue
		}
		for _, v := range vals[k] {
			if r, pos, ok := controlAt(v); ok {
				label := fmt.Sprintf("%s %q", what, k)
				if k == "q" {
					label = "The search (" + label + ")"
				}
				return controlProblem(label, r, pos)
			}
		}
	}
	return nil
}

// jsonControl returns the problem for the first string (key or value) of
// a JSON document with a control character, named by its path such as
// tokens[3] or scopes[0]; nil when there is none.
func jsonControl(body []byte) *fault.Error {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil // not JSON: the decoder has said so already
	}
	path, r, pos, ok := walkJSON(doc, "")
	if !ok {
		return nil
	}
	e := controlProblem(fmt.Sprintf("The field %q", path), r, pos)
	e.Fields = map[string]string{path: "Remove the control characters (such as a NUL byte, a tab or a line break)."}
	return e
}

func walkJSON(v any, path string) (string, rune, int, bool) {
	switch v := v.(type) {
	case string:
		r, pos, ok := controlAt(v)
		return path, r, pos, ok
	case []any:
		for i, e := range v {
			if p, r, pos, ok := walkJSON(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, r, pos, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if r, pos, ok := controlAt(k); ok {
				return p, r, pos, true
			}
			if p, r, pos, ok := walkJSON(v[k], p); ok {
				return p, r, pos, true
			}
		}
	}
	return "", 0, 0, false
}
