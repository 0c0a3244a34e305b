package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// searchNames are the token names FuzzTokenSearch searches among.
var searchNames = []string{"deploy alpha", `quote"d "name"`, "Ünïcödé ✓ naïve", "percent 100% under_score back\\slash", "ab"}

// FuzzTokenSearch: whatever is typed into the search box, the query the
// store builds runs on a real SQLite database without error (no invalid
// FTS5 expression, LIKE pattern or SQL), and a search for part of a
// token's name finds that token.
func FuzzTokenSearch(f *testing.F) {
	for _, s := range []string{"alpha", "a\x00b", `"`, `""`, `"quote`, "d \"n", "NEAR(a b)", "a OR b", "*", "^ab", "ab*", "-x",
		"ünï", "\xff\xfe\xfd", "a\x00", "\x00\x00\x00", "%", "_", "\\", "100%", "✓ n", "()", "{col}: x", "a\tb\nc", "\u2028\u2029x"} {
		f.Add(s)
	}
	ctx := context.Background()
	db := MustOpen(f)
	root, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "root", Email: "root@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "127.0.0.1")
	if err != nil {
		f.Fatal(err)
	}
	ids := map[string]string{}
	for _, name := range searchNames {
		secret, err := auth.NewToken(auth.KindAPI)
		if err != nil {
			f.Fatal(err)
		}
		h := auth.HashToken(secret)
		tok, err := db.CreateToken(ctx, store.NewToken{ID: uuid.NewString(), OrgID: org.ID, Kind: "api", Name: name, CreatorID: root.ID,
			OwnerUserID: root.ID, Scopes: []string{"report"}, Visibility: auth.VisibilityAdmins, SecretHash: h[:], Hint: auth.TokenHint(secret)},
			store.Actor{UserID: root.ID, Label: "root"})
		if err != nil {
			f.Fatal(err)
		}
		ids[name] = tok.ID
	}
	f.Fuzz(func(t *testing.T, s string) {
		page, err := db.Tokens(ctx, store.TokenQuery{OrgID: org.ID, Kind: "api", Search: s, PerPage: 50})
		if err != nil {
			t.Fatalf("search %q: %v", s, err)
		}
		if _, err := db.AuditTokens(ctx, store.AuditTokenQuery{OrgID: org.ID, Hint: s, PerPage: 10}); err != nil {
			t.Fatalf("audit hint %q: %v", s, err)
		}
		q := strings.TrimSpace(s)
		if q == "" || !utf8.ValidString(q) {
			return
		}
		for _, name := range searchNames {
			if !strings.Contains(name, q) {
				continue
			}
			if !slices.ContainsFunc(page.Tokens, func(t store.Token) bool { return t.ID == ids[name] }) {
				t.Errorf("search %q does not find the token named %q", s, name)
			}
		}
	})
}
