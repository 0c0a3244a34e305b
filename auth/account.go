package auth

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on account and org names. Usernames and slugs appear in URLs and
// audit lines, so they are short and plain.
const (
	MaxUsername    = 64
	MaxEmail       = 254
	MaxDisplayName = 100
	MaxSlug        = 40
	MaxOrgName     = 100
)

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	slugPattern     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)
)

// NormalizeUsername lowercases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUsername returns "" for a good (normalized) username, or a message
// a person can act on.
func ValidateUsername(s string) string {
	switch {
	case s == "":
		return "Enter a username."
	case !utf8.ValidString(s):
		return "The username must be plain text."
	case len(s) > MaxUsername:
		return fmt.Sprintf("Use at most %d characters (this has %d).", MaxUsername, utf8.RuneCountInString(s))
	case !usernamePattern.MatchString(s):
		return "Use lowercase letters, digits, dots, dashes and underscores, starting with a letter or digit."
	}
	return ""
}

// ValidateEmail returns "" for a plain address such as ana@example.com, or a
// message a person can act on.
func ValidateEmail(s string) string {
	switch {
	case s == "":
		return "Enter an email address."
	case !utf8.ValidString(s):
		return "The email address must be plain text."
	case len(s) > MaxEmail:
		return fmt.Sprintf("Use at most %d characters.", MaxEmail)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || strings.ContainsAny(s, "<>\"'` ") {
		return "Enter an address such as ana@example.com."
	}
	return ""
}

// ValidateSlug returns "" for a good org slug, or a message.
func ValidateSlug(s string) string {
	switch {
	case s == "":
		return "Enter a slug, such as acme."
	case !utf8.ValidString(s):
		return "The slug must be plain text."
	case len(s) > MaxSlug:
		return fmt.Sprintf("Use at most %d characters.", MaxSlug)
	case !slugPattern.MatchString(s):
		return "Use lowercase letters, digits and dashes, starting and ending with a letter or digit."
	}
	return ""
}

// ValidateDisplayName returns "" for an acceptable display name (empty is
// fine), or a message.
func ValidateDisplayName(s string) string { return validateLabel(s, MaxDisplayName, false) }

// ValidateOrgName returns "" for an acceptable org name, or a message.
func ValidateOrgName(s string) string { return validateLabel(s, MaxOrgName, true) }

// validateLabel checks free text shown to people: valid UTF-8, no control
// characters and no angle brackets (names are escaped wherever they are
// shown, but markup in a name is never intended).
func validateLabel(s string, maxRunes int, required bool) string {
	switch {
	case s == "" && required:
		return "Enter a name."
	case !utf8.ValidString(s):
		return "The name must be plain text."
	case utf8.RuneCountInString(s) > maxRunes:
		return fmt.Sprintf("Use at most %d characters.", maxRunes)
	case strings.ContainsAny(s, "<>"):
		return "Names cannot contain < or >."
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "Names cannot contain control characters such as tabs or line breaks."
	}
	return ""
}
