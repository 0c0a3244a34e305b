package auth

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzTokenChecksumCatchesEveryTypo adds to FuzzParseToken what it leaves
// out: a refusal is one of ParseToken's four errors and never quotes the
// input; a token laid out from any input's bytes (its kind, 43 base62
// characters, their checksum) is accepted as that kind, and the same token
// with any one character after the prefix changed is refused by its
// checksum, so a typo never reaches the database.
func FuzzTokenChecksumCatchesEveryTypo(f *testing.F) {
	for _, s := range []string{"", "twa_", "twx_" + strings.Repeat("a", 49), "twa_" + strings.Repeat("0", 49),
		"TWA_" + strings.Repeat("A", 49), "twa_" + strings.Repeat("a", 48) + "\x00", "twc_" + strings.Repeat("é", 25),
		"tws_" + strings.Repeat("z", 50), "twa_" + strings.Repeat("a", 43) + "000000", "\xff\xfe"} {
		f.Add(s)
	}
	sentinels := []error{ErrTokenPrefix, ErrTokenLength, ErrTokenAlphabet, ErrTokenChecksum}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseToken(s); err != nil {
			if !slices.Contains(sentinels, err) {
				t.Fatalf("ParseToken(%q): unexpected error %v", s, err)
			}
			if len(s) >= 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("the error quotes the input: %v", err)
			}
		}
		want := Kinds[len(s)%len(Kinds)]
		tok := tokenFrom(want, s)
		if k, err := ParseToken(tok); err != nil || k != want {
			t.Fatalf("a well-formed token %q: %s, %v", tok, k, err)
		}
		if hint := TokenHint(tok); hint != tok[:8]+"…"+tok[len(tok)-4:] {
			t.Fatalf("hint %q of %q", hint, tok)
		}
		for i := tokenPrefixLen; i < TokenLength; i++ {
			b := []byte(tok)
			b[i] = base62Alphabet[(int(base62Value[b[i]])+1+len(s)%61)%62] // any other digit
			if _, err := ParseToken(string(b)); !errors.Is(err, ErrTokenChecksum) {
				t.Fatalf("%q with character %d changed to %q: %v, want a checksum error", tok, i, b[i], err)
			}
		}
	})
}

// tokenFrom lays out a token of kind from s's bytes, with its checksum.
func tokenFrom(kind Kind, s string) string {
	b := []byte(kind.Prefix())
	for i := range tokenRandomLen {
		c := byte(i)
		if len(s) > 0 {
			c += s[i%len(s)]
		}
		b = append(b, base62Alphabet[int(c)%62])
	}
	return withChecksum(string(b) + "000000")
}
