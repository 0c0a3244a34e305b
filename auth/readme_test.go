package auth

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGitleaksRule keeps the rule documented in README.md identical to
// the one in code, and checks the documented expression itself.
func TestReadmeGitleaksRule(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```toml\n(\\[\\[rules\\]\\].*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no gitleaks TOML block")
	}
	if got := string(block[1]); got != GitleaksRule {
		t.Fatalf("README rule differs from GitleaksRule:\n%s\nwant:\n%s", got, GitleaksRule)
	}
	m := regexp.MustCompile(`regex = '''(.*)'''`).FindStringSubmatch(string(block[1]))
	documented := regexp.MustCompile(m[1])
	for _, k := range Kinds {
		tok, err := NewToken(k)
		if err != nil {
			t.Fatal(err)
		}
		if !documented.MatchString("TOKENWARD_TOKEN=" + tok + "\n") {
			t.Errorf("documented regex misses %s", tok)
		}
		for _, miss := range []string{tok[:len(tok)-1], tok + "x", "twx" + tok[3:], strings.Replace(tok, tok[10:11], "-", 1)} {
			if documented.MatchString(miss) {
				t.Errorf("documented regex matches near miss %q", miss)
			}
		}
	}
}
