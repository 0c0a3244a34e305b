package auth

import (
	"strings"
	"testing"
)

func TestUserCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		code := NewUserCode()
		if len(code) != UserCodeLength || strings.Trim(code, UserCodeAlphabet) != "" {
			t.Fatalf("NewUserCode() = %q, want %d letters of %s", code, UserCodeLength, UserCodeAlphabet)
		}
		seen[code] = true
	}
	if len(seen) < 199 {
		t.Errorf("200 codes, only %d distinct", len(seen))
	}
	if strings.ContainsAny(UserCodeAlphabet, "0O1ILAEIUY") {
		t.Errorf("the alphabet %s holds a look-alike or a vowel", UserCodeAlphabet)
	}
}

func TestNormalizeUserCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"BCDF-GHJK", "BCDFGHJK", true},
		{"bcdf-ghjk", "BCDFGHJK", true},
		{"bcdfghjk", "BCDFGHJK", true},
		{"  BcDf GhJk \t", "BCDFGHJK", true},
		{"BCDF-GHJ", "", false},    // too short
		{"BCDF-GHJKL", "", false},  // too long
		{"BCDF-GHJ0", "", false},   // a digit
		{"ABCD-EFGH", "", false},   // vowels
		{"BCDF_GHJK", "", false},   // another separator
		{"BCDF-GHJK\n", "", false}, // a line break
		{"BCDF-GHJL", "", false},   // L, too like I
		{"ВCDF-GHJK", "", false},   // a Cyrillic В
		{strings.Repeat("-", 70), "", false},
	} {
		got, ok := NormalizeUserCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeUserCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if got := FormatUserCode("BCDFGHJK"); got != "BCDF-GHJK" {
		t.Errorf("FormatUserCode = %q", got)
	}
}
