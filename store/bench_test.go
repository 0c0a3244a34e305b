package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"tokenward/store"
)

// BenchmarkTokens100k runs the tab's queries on an org with 100,000 API
// tokens, without HTTP or rendering.
//
//	go test -run '^$' -bench Tokens100k ./store/
func BenchmarkTokens100k(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	u, o, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "a@example.com", PasswordHash: "x"}, store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		b.Fatal(err)
	}
	m, err := db.CreateMember(ctx, o.ID, store.NewUser{Username: "max", Email: "m@example.com", PasswordHash: "x"}, "member", store.Actor{UserID: u.ID})
	if err != nil {
		b.Fatal(err)
	}
	now := db.Now()
	var batch []store.ImportedToken
	for i := range 100_000 {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		creator := u.ID
		if i%2 == 1 {
			creator = m.User.ID
		}
		t := store.ImportedToken{NewToken: store.NewToken{ID: fmt.Sprintf("id-%06d", i), Kind: "api", Name: fmt.Sprintf("deploy-%06d", i),
			CreatorID: creator, OwnerUserID: creator, Scopes: []string{"api"}, Visibility: "admins", SecretHash: h[:],
			Hint: fmt.Sprintf("twa_%04d…abcd", i%10000), ExpiresAt: now.AddDate(0, 0, 30-i%60)}, CreatedAt: now.Add(-time.Duration(i) * time.Minute)}
		if i%10 == 9 {
			t.RevokedAt = now
		}
		batch = append(batch, t)
	}
	if err := db.ImportTokens(ctx, o.ID, batch, store.Actor{}); err != nil {
		b.Fatal(err)
	}
	base := store.TokenQuery{OrgID: o.ID, Kind: "api", Sort: "created", Desc: true, Page: 1, PerPage: 25}
	for _, sc := range []struct {
		name string
		edit func(*store.TokenQuery)
	}{
		{"default", func(*store.TokenQuery) {}},
		{"search-100", func(q *store.TokenQuery) { q.Search = "deploy-0421" }},
		{"search-1k", func(q *store.TokenQuery) { q.Search = "deploy-042" }},
		{"search-10k", func(q *store.TokenQuery) { q.Search = "deploy-04" }},
		{"search-user", func(q *store.TokenQuery) { q.Search = "max" }},
		{"role", func(q *store.TokenQuery) { q.CreatorRole = "member" }},
		{"active", func(q *store.TokenQuery) { q.Statuses = []string{"active"} }},
		{"sort-last-used", func(q *store.TokenQuery) { q.Sort = "last_used" }},
		{"page-200", func(q *store.TokenQuery) { q.Page = 200 }},
	} {
		q := base
		sc.edit(&q)
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Tokens(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
