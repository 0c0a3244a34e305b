package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"tokenward/auth"
	"tokenward/store"
)

// TestSearchSameOnBothEngines fills an SQLite database and a PostgreSQL one
// with the same tokens and people, then asks both the same searches: the
// tokens tab's search box (trigram index from three characters, LIKE below)
// and the audit page's hint and user filters must find the same tokens, in
// the same order.
func TestSearchSameOnBothEngines(t *testing.T) {
	if pg == nil {
		t.Skip("runs in the PostgreSQL round, against SQLite alongside")
	}
	t.Parallel()
	ctx := context.Background()
	lite, err := store.Open(ctx, filepath.Join(t.TempDir(), "tokenward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pgdb, err := store.Open(ctx, testLocation(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pgdb.Close()
	names := []string{"deploy alpha", "Deploy Beta", `quote"d "name"`, "Ünïcödé ✓ naïve", "percent 100% under_score back\\slash",
		"ab", "AB-prod", "staging_db", "ci: release", "naïve-ci"}
	fill := func(db *store.DB) int64 {
		root, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "Root", Email: "root@example.com", PasswordHash: "x"},
			store.NewOrg{Slug: "acme", Name: "Acme"}, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		mia, _, err := db.CreateUserInOrg(ctx, store.NewUser{Username: "mia_ops", Email: "mia@example.com", PasswordHash: "x"}, "acme", "member", store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range names {
			owner := root.ID
			if i%3 == 1 {
				owner = mia.ID
			}
			hint := fmt.Sprintf("twa_%04dAb…x%dZ", i, i)
			h := auth.HashToken(hint)
			if _, err := db.CreateToken(ctx, store.NewToken{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), OrgID: org.ID, Kind: "api",
				Name: name, CreatorID: root.ID, OwnerUserID: owner, Scopes: []string{[]string{"report", "tokens:read", "api"}[i%3]},
				Visibility: auth.VisibilityAdmins, SecretHash: h[:], Hint: hint}, store.Actor{UserID: root.ID}); err != nil {
				t.Fatal(err)
			}
		}
		return org.ID
	}
	liteOrg, pgOrg := fill(lite), fill(pgdb)
	found := func(db *store.DB, org int64, s string) (tab, hint, user []string) {
		page, err := db.Tokens(ctx, store.TokenQuery{OrgID: org, Kind: "api", Search: s, PerPage: 50, Sort: "name"})
		if err != nil {
			t.Fatalf("search %q: %v", s, err)
		}
		for _, tok := range page.Tokens {
			tab = append(tab, tok.Name)
		}
		for _, q := range []store.AuditTokenQuery{{OrgID: org, Hint: s, PerPage: 50}, {OrgID: org, User: s, PerPage: 50}} {
			ap, err := db.AuditTokens(ctx, q)
			if err != nil {
				t.Fatalf("audit %+v: %v", q, err)
			}
			var got []string
			for _, tok := range ap.Tokens {
				got = append(got, tok.Name)
			}
			if q.Hint != "" {
				hint = got
			} else {
				user = got
			}
		}
		return tab, hint, user
	}
	matched := 0
	for _, s := range []string{"deploy", "DEPLOY", "Deploy B", "ab", "AB", "a", "b", "alp", "ci", "CI:", "naïve", "Ünï", "✓",
		`"`, `quote"d`, "%", "100%", "_", "under_", `\`, "back\\s", "mia", "MIA_", "root", "report", "tokens:read", "api",
		"twa_0003", "twa_0003Ab…x3Z", "x1Z", "00000000-0000-4000-8000-000000000004", "nothing-like-it", " ", "a\x00b"} {
		lt, lh, lu := found(lite, liteOrg, s)
		pt, ph, pu := found(pgdb, pgOrg, s)
		if !slices.Equal(lt, pt) {
			t.Errorf("search %q: SQLite finds %q, PostgreSQL %q", s, lt, pt)
		}
		if !slices.Equal(lh, ph) {
			t.Errorf("audit hint %q: SQLite finds %q, PostgreSQL %q", s, lh, ph)
		}
		if !slices.Equal(lu, pu) {
			t.Errorf("audit user %q: SQLite finds %q, PostgreSQL %q", s, lu, pu)
		}
		if len(lt) > 0 {
			matched++
		}
	}
	if matched < 20 {
		t.Errorf("only %d searches found anything: the comparison proves little", matched)
	}
}
