package auth

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxDomains is how many email domains a provider may allow.
const MaxDomains = 50

var domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// ParseDomains reads email domains separated by spaces, commas or lines,
// lowercased and without repeats. A bad one is a message a person can act on.
func ParseDomains(text string) ([]string, string) {
	var out []string
	seen := map[string]bool{}
	for _, d := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.TrimPrefix(d, "@")
		if len(d) > 253 || !domainPattern.MatchString(d) {
			return nil, fmt.Sprintf("%q is not an email domain: write domains such as example.com, separated by spaces or commas.", clip(d, 60))
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) > MaxDomains {
		return nil, fmt.Sprintf("Allow at most %d domains.", MaxDomains)
	}
	return out, ""
}

// EmailDomain is the lowercase domain of an email address, or "".
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(email[i+1:])
}

// DomainAllowed reports whether email's domain is one of domains.
func DomainAllowed(email string, domains []string) bool {
	d := EmailDomain(email)
	for _, a := range domains {
		if d != "" && d == a {
			return true
		}
	}
	return false
}

var usernameJunk = regexp.MustCompile(`[^a-z0-9._-]+`)

// UsernameCandidates are usernames to try, in order, for a person who joins
// through a provider: their login there, their email's local part, then
// numbered forms of the first that is valid.
func UsernameCandidates(login, email string) []string {
	var base []string
	for _, s := range []string{login, strings.SplitN(email, "@", 2)[0]} {
		s = strings.Trim(usernameJunk.ReplaceAllString(NormalizeUsername(s), "-"), "-._")
		if len(s) > MaxUsername-3 {
			s = s[:MaxUsername-3]
		}
		if ValidateUsername(s) == "" {
			base = append(base, s)
		}
	}
	if len(base) == 0 {
		base = []string{"user"}
	}
	out := append([]string{}, base...)
	for i := 2; i <= 20; i++ {
		out = append(out, fmt.Sprintf("%s-%d", base[0], i))
	}
	return out
}

// clip shortens s to at most n runes, for quoting input in a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ClipDisplayName makes a provider's name for a person fit as a display
// name: plain text of at most MaxDisplayName characters, or "" when it is
// not usable.
func ClipDisplayName(name string) string {
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > MaxDisplayName {
		name = string(r[:MaxDisplayName])
	}
	if ValidateDisplayName(name) != "" {
		return ""
	}
	return name
}
