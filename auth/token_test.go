package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"regexp"
	"strings"
	"testing"
)

// mustNewToken makes a token or stops the test.
func mustNewToken(tb testing.TB, kind Kind) string {
	tb.Helper()
	tok, err := NewToken(kind)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// withChecksum replaces the last six characters of tok with a correct checksum, so a test
// can build a token that is wrong only in the way it means to be.
func withChecksum(tok string) string {
	buf := []byte(tok)
	putChecksum(buf[tokenCheckedLen:], crc32.ChecksumIEEE(buf[:tokenCheckedLen]))
	return string(buf)
}

func TestKind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind          Kind
		prefix, label string
	}{
		{KindAPI, "twa_", "API"},
		{KindCLI, "twc_", "CLI"},
		{KindService, "tws_", "Service"},
		{KindPersonal, "twp_", "Personal"},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			if got := tt.kind.Prefix(); got != tt.prefix {
				t.Errorf("Prefix: got %q, want %q", got, tt.prefix)
			}
			if got := tt.kind.Label(); got != tt.label {
				t.Errorf("Label: got %q, want %q", got, tt.label)
			}
			got, err := ParseKind(" " + strings.ToUpper(string(tt.kind)) + " ")
			if err != nil || got != tt.kind {
				t.Errorf("ParseKind: got %q, %v, want %q", got, err, tt.kind)
			}
		})
	}
	if got, want := len(Kinds), 3; got != want {
		t.Errorf("len(Kinds): got %d, want %d", got, want)
	}
	if _, err := ParseKind("user"); err == nil || !strings.Contains(err.Error(), "api, cli, service") {
		t.Errorf("ParseKind(user): got %v, want an error listing the kinds", err)
	}
	if _, err := NewToken("user"); err == nil {
		t.Error("NewToken(user): got no error")
	}
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for _, kind := range Kinds {
		for range 200 {
			tok := mustNewToken(t, kind)
			if got, want := len(tok), 53; got != want {
				t.Fatalf("len(%q): got %d, want %d", tok, got, want)
			}
			if !strings.HasPrefix(tok, kind.Prefix()) {
				t.Fatalf("%q does not start with %q", tok, kind.Prefix())
			}
			if seen[tok] {
				t.Fatalf("token %q made twice", tok)
			}
			seen[tok] = true
			got, err := ParseToken(tok)
			if err != nil || got != kind {
				t.Fatalf("ParseToken(%q): got %q, %v, want %q", tok, got, err, kind)
			}
		}
	}
}

func TestChecksumEncoding(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sum  uint32
		want string
	}{
		{0, "000000"},
		{61, "00000z"},
		{62, "000010"},
		{0xFFFFFFFF, "4gfFC3"},
	} {
		buf := make([]byte, tokenChecksumLen)
		putChecksum(buf, tt.sum)
		if got := string(buf); got != tt.want {
			t.Errorf("putChecksum(%d): got %q, want %q", tt.sum, got, tt.want)
		}
	}
	for _, s := range []string{"", "twa_", "twa_abc", strings.Repeat("xyz", 40)} {
		if got, want := crc32OfString(s), crc32.ChecksumIEEE([]byte(s)); got != want {
			t.Errorf("crc32OfString(%q): got %08x, want %08x", s, got, want)
		}
	}
}

// TestBase62Uniform checks that no character is grossly over- or under-represented, as a
// modulo bias would make the first few characters of the alphabet.
func TestBase62Uniform(t *testing.T) {
	t.Parallel()
	const n = 62 * 2000
	buf := make([]byte, n)
	if err := fillBase62(buf); err != nil {
		t.Fatal(err)
	}
	var counts [256]int
	for _, b := range buf {
		counts[b]++
	}
	for i := range len(base62Alphabet) {
		c := base62Alphabet[i]
		// Expected 2000 each; the standard deviation is about 44.
		if counts[c] < 1750 || counts[c] > 2250 {
			t.Errorf("character %q appeared %d times, want about 2000", c, counts[c])
		}
	}
}

func TestParseTokenErrors(t *testing.T) {
	t.Parallel()
	good := mustNewToken(t, KindAPI)
	body := good[tokenPrefixLen:tokenCheckedLen]
	for _, tt := range []struct {
		name  string
		token string
		want  error
	}{
		{"Empty", "", ErrTokenPrefix},
		{"Short", "tw", ErrTokenPrefix},
		{"PrefixOnly", "twa_", ErrTokenLength},
		{"UnknownKindLetter", withChecksum("twx_" + good[4:]), ErrTokenPrefix},
		{"UpperCasePrefix", "TWA_" + good[4:], ErrTokenPrefix},
		{"OtherVendor", "ghp_" + good[4:], ErrTokenPrefix},
		{"Truncated", good[:len(good)-1], ErrTokenLength},
		{"ExtraChar", good + "a", ErrTokenLength},
		{"Whitespace", good + "\n", ErrTokenLength},
		{"Dash", withChecksum("twa_" + body[:10] + "-" + body[11:] + "000000"), ErrTokenAlphabet},
		{"Underscore", withChecksum("twa_" + body[:10] + "_" + body[11:] + "000000"), ErrTokenAlphabet},
		{"NonASCII", "twa_" + body[:41] + "é" + good[tokenCheckedLen:], ErrTokenAlphabet},
		{"BadChecksumChar", good[:len(good)-1] + "!", ErrTokenAlphabet},
		{"KindSwapped", "twc_" + good[4:], ErrTokenChecksum},
		{"ChecksumOverflow", good[:tokenCheckedLen] + "zzzzzz", ErrTokenChecksum},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kind, err := ParseToken(tt.token)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseToken(%q): got %q, %v, want %v", tt.token, kind, err, tt.want)
			}
			if kind != "" {
				t.Errorf("ParseToken(%q): got kind %q with an error", tt.token, kind)
			}
		})
	}
}

// TestParseTokenMutations changes one character at a time, at every position after the
// prefix, to every other letter and digit and a few other bytes; every change must be caught.
func TestParseTokenMutations(t *testing.T) {
	t.Parallel()
	replacements := base62Alphabet + "-_+/=. \x00\xff"
	for _, kind := range Kinds {
		for range 10 {
			tok := mustNewToken(t, kind)
			for i := tokenPrefixLen; i < len(tok); i++ {
				for j := range len(replacements) {
					c := replacements[j]
					if c == tok[i] {
						continue
					}
					mutated := tok[:i] + string([]byte{c}) + tok[i+1:]
					_, err := ParseToken(mutated)
					if !errors.Is(err, ErrTokenChecksum) && !errors.Is(err, ErrTokenAlphabet) {
						t.Fatalf("ParseToken(%q) (position %d changed): got %v, want checksum or alphabet error", mutated, i, err)
					}
				}
			}
		}
	}
}

func TestParseTokenDoesNotAllocate(t *testing.T) {
	// Serial: testing.AllocsPerRun refuses to run in a parallel test.
	tok := mustNewToken(t, KindService)
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseToken(tok) }); n != 0 {
		t.Errorf("ParseToken allocated %v times per run, want 0", n)
	}
}

func BenchmarkParseToken(b *testing.B) {
	tok := mustNewToken(b, KindAPI)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseToken(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	for _, kind := range Kinds {
		tok := mustNewToken(f, kind)
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(tok + "x")
		f.Add(strings.Replace(tok, "_", "-", 1))
	}
	f.Add("")
	f.Add("twa_")
	re := regexp.MustCompile(`^` + GitleaksRegex + `$`)
	f.Fuzz(func(t *testing.T, s string) {
		kind, err := ParseToken(s)
		if err != nil {
			if kind != "" {
				t.Fatalf("ParseToken(%q): kind %q returned with error %v", s, kind, err)
			}
			return
		}
		if len(s) != TokenLength || !strings.HasPrefix(s, kind.Prefix()) {
			t.Fatalf("ParseToken(%q) accepted a string of the wrong shape as %q", s, kind)
		}
		if !re.MatchString(s) {
			t.Fatalf("ParseToken(%q) accepted a string the gitleaks regex rejects", s)
		}
		if withChecksum(s) != s {
			t.Fatalf("ParseToken(%q) accepted a string with a wrong checksum", s)
		}
	})
}

func TestHashToken(t *testing.T) {
	t.Parallel()
	tok := mustNewToken(t, KindCLI)
	want := sha256.Sum256([]byte(tok))
	if got := HashToken(tok); got != want {
		t.Errorf("HashToken: got %x, want %x", got, want)
	}
	if got, want := HashTokenHex(tok), hex.EncodeToString(want[:]); got != want {
		t.Errorf("HashTokenHex: got %q, want %q", got, want)
	}
	if HashToken(tok) == HashToken(mustNewToken(t, KindCLI)) {
		t.Error("two tokens hash alike")
	}
}

func TestTokenHint(t *testing.T) {
	t.Parallel()
	tok := "twa_7Hq2" + strings.Repeat("A", 41) + "9xKd"
	if got, want := TokenHint(tok), "twa_7Hq2…9xKd"; got != want {
		t.Errorf("TokenHint: got %q, want %q", got, want)
	}
	for _, s := range []string{"", "twa_short", tok + "x"} {
		if got, want := TokenHint(s), "…"; got != want {
			t.Errorf("TokenHint(%q): got %q, want %q", s, got, want)
		}
	}
}

func TestEqualSecret(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
	} {
		if got := EqualSecret([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("EqualSecret(%q, %q): got %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestGitleaksRule(t *testing.T) {
	t.Parallel()
	if !strings.Contains(GitleaksRule, "regex = '''"+GitleaksRegex+"'''") {
		t.Errorf("GitleaksRule does not hold GitleaksRegex:\n%s", GitleaksRule)
	}
	for _, want := range []string{"[[rules]]", `id = "tokenward-token"`, "description = ", `keywords = ["twa_", "twc_", "tws_"]`} {
		if !strings.Contains(GitleaksRule, want) {
			t.Errorf("GitleaksRule lacks %q", want)
		}
	}
	re := regexp.MustCompile(GitleaksRegex)

	t.Run("MatchesTokens", func(t *testing.T) {
		for _, kind := range Kinds {
			for range 1000 {
				tok := mustNewToken(t, kind)
				for _, text := range []string{
					tok,
					"export TOKENWARD_TOKEN=" + tok,
					`{"token": "` + tok + `"}`,
					"Authorization: Bearer " + tok + "\n",
				} {
					if got := re.FindString(text); got != tok {
						t.Fatalf("in %q: got match %q, want %q", text, got, tok)
					}
				}
			}
		}
	})

	t.Run("RejectsNearMisses", func(t *testing.T) {
		tok := mustNewToken(t, KindAPI)
		body := tok[tokenPrefixLen:]
		for name, text := range map[string]string{
			"WrongPrefix":  "twx_" + body,
			"NoUnderscore": "twa" + body,
			"UpperPrefix":  "TWA_" + body,
			"OneShort":     "twa_" + body[1:],
			"OneLong":      "twa_" + body + "Q",
			"Dash":         "twa_" + body[:20] + "-" + body[21:],
			"Dot":          "twa_" + body[:20] + "." + body[21:],
			"InsideWord":   "xtwa_" + body,
			"Underscored":  "twa_" + body + "_",
			"ShortInJSON":  `{"token": "twa_` + body[1:] + `"}`,
			"LongInEnv":    "export TOKENWARD_TOKEN=twa_" + body + "Q",
		} {
			if m := re.FindString(text); m != "" {
				t.Errorf("%s: %q matched %q", name, text, m)
			}
		}
	})
}
