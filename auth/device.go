package auth

import (
	"crypto/rand"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The device flow (RFC 8628): `tokenward login` asks for a user code, and the
// person types it on the /device page. User codes are 8 letters from an
// alphabet of 19 consonants (after RFC 8628 §6.1, less L): no vowels, so no
// words, and no look-alikes such as 0/O or 1/I/L. 19^8 ≈ 2^34 codes, each
// live for ten minutes, with wrong guesses throttled.
const (
	// UserCodeAlphabet are the characters a user code is made of.
	UserCodeAlphabet = "BCDFGHJKMNPQRSTVWXZ"
	// UserCodeLength is how many characters a user code has, without its dash.
	UserCodeLength = 8
	// CLIClientID is the OAuth client id of `tokenward login`, the one client
	// the device flow serves.
	CLIClientID = "tokenward-cli"
)

// NewUserCode returns a fresh random user code in its stored form, without
// the dash ("BCDFGHJK").
func NewUserCode() string {
	// 247 is the largest multiple of 19 that fits in a byte; bytes at or above
	// it are dropped, so every letter is equally likely.
	const limit = 19 * 13
	out := make([]byte, 0, UserCodeLength)
	var pool [32]byte
	for len(out) < UserCodeLength {
		if _, err := rand.Read(pool[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		for _, b := range pool {
			if b < limit && len(out) < UserCodeLength {
				out = append(out, UserCodeAlphabet[b%19])
			}
		}
	}
	return string(out)
}

// NormalizeUserCode reads a user code as a person may type it: any case,
// with or without the dash, with spaces around or inside. It returns the
// stored form and true, or "" and false when it cannot be a user code.
func NormalizeUserCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(UserCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != UserCodeLength {
		return "", false
	}
	return b.String(), true
}

// UserCodeProblem says why s cannot be a user code, naming the characters
// codes never use; "" when NormalizeUserCode accepts it.
func UserCodeProblem(s string) string {
	if _, ok := NormalizeUserCode(s); ok {
		return ""
	}
	if len(s) > 64 {
		return "That is far longer than a code."
	}
	var unused []string
	seen := map[rune]bool{}
	letters := 0
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case r < 128 && strings.IndexByte(UserCodeAlphabet, byte(r)) >= 0:
			letters++
		case !seen[r]:
			seen[r] = true
			unused = append(unused, quoteChar(r))
		}
	}
	if len(unused) > 0 {
		return "Codes never use " + joinAnd(unused) + ": they are made of the consonants " + UserCodeAlphabet +
			" (no vowels, no L or Y, no digits)."
	}
	return "A code has " + strconv.Itoa(UserCodeLength) + " letters; this has " + strconv.Itoa(letters) + "."
}

// quoteChar shows a typed character in a message: “A”, or escaped when it
// does not print.
func quoteChar(r rune) string {
	if unicode.IsPrint(r) && r != utf8.RuneError {
		return "“" + string(r) + "”"
	}
	return strconv.QuoteRune(r)
}

// joinAnd lists items as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// FormatUserCode shows a stored user code as people read it: "BCDF-GHJK".
func FormatUserCode(code string) string {
	if len(code) != UserCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}
