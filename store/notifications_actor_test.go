package store_test

import (
	"context"
	"testing"

	"tokenward/store"
)

// TestNotificationsRememberTheActingToken: a change made with a token
// records which token on the owner's notification, and notifications made
// before that was recorded learn it from the audit trail (migration 0007).
func TestNotificationsRememberTheActingToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testLocation(t)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	admin, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "ada@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.CreateMember(ctx, org.ID, store.NewUser{Username: "max", Email: "max@example.com", PasswordHash: "x"}, "member",
		store.Actor{UserID: admin.ID, Label: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id, kind, name string, owner int64, hash byte) store.Token {
		tok, err := db.CreateToken(ctx, store.NewToken{ID: id, OrgID: org.ID, Kind: kind, Name: name, CreatorID: owner, OwnerUserID: owner,
			Visibility: "admins", SecretHash: []byte{hash}, Hint: "h"}, store.Actor{UserID: owner, Label: "setup"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	hidden := mk("00000000-0000-4000-8000-000000000001", "api", "zz-hidden", admin.ID, 1)
	laptop := mk("00000000-0000-4000-8000-000000000002", "cli", "max-laptop", m.User.ID, 2)
	label := "token zz-hidden (created by ada)"
	if _, err := db.RevokeToken(ctx, org.ID, laptop.ID, "", store.Actor{TokenID: hidden.ID, Label: label}); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, db *store.DB) {
		t.Helper()
		list, err := db.Notifications(ctx, m.User.ID, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("notifications %+v, %v", list, err)
		}
		if n := list[0]; n.ActorTokenID != hidden.ID || n.ActorLabel != label {
			t.Errorf("acting token %q label %q, want %q %q", n.ActorTokenID, n.ActorLabel, hidden.ID, label)
		}
	}
	t.Run("recorded", func(t *testing.T) { check(t, db) })
	t.Run("learnt by notifications made before", func(t *testing.T) {
		_, w := db.Pools()
		for _, q := range []string{`ALTER TABLE notifications DROP COLUMN actor_token_id`, `ALTER TABLE notifications DROP COLUMN actor_label`,
			`DELETE FROM schema_migrations WHERE version = 7`} {
			if _, err := w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		again, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		check(t, again)
	})
}
