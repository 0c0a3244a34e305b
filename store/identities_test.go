package store_test

import (
	"bytes"
	"context"
	"testing"

	"tokenward/auth/fault"
	"tokenward/store"
)

func newProvider(name, issuer string) store.ProviderInput {
	return store.ProviderInput{Kind: store.ProviderOIDC, Name: name, Issuer: issuer, ClientID: "tokenward",
		SecretSealed: []byte("sealed-1"), Domains: []string{"example.com"}}
}

func TestIdentityProviders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: "root"}
	in := newProvider("Okta", "https://okta.example.com")
	in.JoinOrgID, in.JoinRole = org.ID, "member"
	p, err := db.CreateProvider(ctx, in, actor)
	if err != nil {
		t.Fatal(err)
	}
	if p.JoinOrgSlug != "acme" || p.JoinRole != "member" || len(p.Domains) != 1 {
		t.Errorf("created %+v", p)
	}

	t.Run("a taken name is a conflict on name", func(t *testing.T) {
		_, err := db.CreateProvider(ctx, newProvider("okta", "https://other.example.com"), actor)
		if got := store.ErrorCode(err); got != store.EConflict {
			t.Fatalf("got %v, want a conflict", err)
		}
		if fields := fault.FieldsOf(err); fields["name"] == "" {
			t.Errorf("fields %v, want name", fields)
		}
	})
	t.Run("the same issuer and client id twice is a conflict", func(t *testing.T) {
		_, err := db.CreateProvider(ctx, newProvider("Okta again", "https://okta.example.com"), actor)
		if fields := fault.FieldsOf(err); fields["client_id"] == "" {
			t.Errorf("got %v, want a conflict on client_id", err)
		}
	})
	t.Run("an update without a secret keeps the saved one", func(t *testing.T) {
		up := in
		up.Name, up.SecretSealed, up.JoinOrgID = "Okta SSO", nil, 0
		got, err := db.UpdateProvider(ctx, p.ID, up, actor)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Okta SSO" || !bytes.Equal(got.SecretSealed, []byte("sealed-1")) || got.JoinRole != "" || got.JoinOrgID != 0 {
			t.Errorf("updated %+v", got)
		}
	})
	t.Run("deleting removes the provider and its links", func(t *testing.T) {
		other, err := db.CreateProvider(ctx, newProvider("Gone", "https://gone.example.com"), actor)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LinkIdentity(ctx, root.ID, store.Identity{ProviderID: other.ID, Subject: "s1"}, "Gone", actor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteProvider(ctx, other.ID, actor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IdentityUser(ctx, other.ID, "s1"); !store.IsNotFound(err) {
			t.Errorf("link after delete: %v, want not found", err)
		}
		list, err := db.Providers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != p.ID {
			t.Errorf("providers %+v, want only %d", list, p.ID)
		}
	})
}

func TestIdentityLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: "root"}
	p, err := db.CreateProvider(ctx, newProvider("Okta", "https://okta.example.com"), actor)
	if err != nil {
		t.Fatal(err)
	}
	id := store.Identity{ProviderID: p.ID, Subject: "sub-root", Email: "root@example.com"}
	if err := db.LinkIdentity(ctx, root.ID, id, p.Name, actor); err != nil {
		t.Fatal(err)
	}

	t.Run("the linked identity finds its user", func(t *testing.T) {
		u, err := db.IdentityUser(ctx, p.ID, "sub-root")
		if err != nil || u.ID != root.ID {
			t.Fatalf("got %v %v, want root", u.Username, err)
		}
	})
	t.Run("an identity linked elsewhere is refused", func(t *testing.T) {
		m, err := db.CreateMember(ctx, org.ID, store.NewUser{Username: "max", Email: "max@example.com", PasswordHash: "x"}, "member", actor)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LinkIdentity(ctx, m.User.ID, id, p.Name, actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("got %v, want a conflict", err)
		}
	})
	t.Run("joining with an email that has an account is refused", func(t *testing.T) {
		_, err := db.JoinThroughProvider(ctx, store.Join{Usernames: []string{"newroot"}, Email: "ROOT@example.com",
			Identity: store.Identity{ProviderID: p.ID, Subject: "sub-x"}, Provider: p.Name, OrgID: org.ID, Role: "member"}, actor)
		if store.ErrorCode(err) != store.EConflict {
			t.Fatalf("got %v, want a conflict", err)
		}
		if _, err := db.UserByUsername(ctx, "newroot"); !store.IsNotFound(err) {
			t.Errorf("user written: %v", err)
		}
	})
	var joined store.User
	t.Run("joining takes the first free username and links the identity", func(t *testing.T) {
		joined, err = db.JoinThroughProvider(ctx, store.Join{Usernames: []string{"max", "max-2"}, Email: "max@corp.example",
			Identity: store.Identity{ProviderID: p.ID, Subject: "sub-max2", Email: "max@corp.example"}, Provider: p.Name, OrgID: org.ID, Role: "auditor"}, actor)
		if err != nil {
			t.Fatal(err)
		}
		if joined.Username != "max-2" || joined.PasswordHash != "" {
			t.Errorf("joined %+v", joined)
		}
		m, err := db.Membership(ctx, org.ID, joined.ID)
		if err != nil || m.Role != "auditor" {
			t.Errorf("membership %+v %v", m, err)
		}
	})
	t.Run("the only way in of a user without a password stays", func(t *testing.T) {
		if err := db.UnlinkIdentity(ctx, joined.ID, p.ID, actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("got %v, want a conflict", err)
		}
		if err := db.UnlinkIdentity(ctx, root.ID, p.ID, actor); err != nil {
			t.Errorf("root has a password: %v", err)
		}
	})
	t.Run("members show how they sign in and when they last did", func(t *testing.T) {
		if err := db.RecordSignIn(ctx, joined, p.Name, p.ID, actor); err != nil {
			t.Fatal(err)
		}
		methods, err := db.OrgSignInMethods(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := methods[joined.ID]
		if got.Password || len(got.Providers) != 1 || got.Providers[0] != "Okta" || got.LastVia != "Okta" || got.LastSignInAt.IsZero() {
			t.Errorf("joined signs in %+v", got)
		}
		if r := methods[root.ID]; !r.Password || len(r.Providers) != 0 || !r.LastSignInAt.IsZero() {
			t.Errorf("root signs in %+v", r)
		}
	})
}
