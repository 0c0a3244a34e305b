package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
)

func TestCreateTokenPersonal(t *testing.T) {
	t.Parallel()
	data := tokenData(t)
	ctx := context.Background()
	db, err := store.Open(ctx, data+"/tokenward.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	globex, err := db.OrgBySlug(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	audra, err := db.UserByUsername(ctx, "audra")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMember(ctx, globex.ID, audra.ID, "member", store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}

	t.Run("a personal token for two orgs", func(t *testing.T) {
		stdout, stderr, err := createTokenIn(data, "--kind", "personal", "--orgs", "acme, globex", "--owner", "audra", "--name", "audra automation")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		secret := strings.SplitN(stdout, "\n", 2)[0]
		if !strings.HasPrefix(secret, "twp_") || !strings.Contains(stderr, "for acme, globex") {
			t.Fatalf("stdout %q, stderr %q", stdout, stderr)
		}
		h := auth.HashToken(secret)
		tok, _, err := db.TokenBySecretHash(ctx, h[:])
		if err != nil || tok.Kind != "personal" || tok.OwnerName != "audra" || strings.Join(tok.Scopes, " ") != "api" {
			t.Fatalf("stored %+v, %v", tok, err)
		}
		grants, err := db.TokenGrants(ctx, tok.ID)
		if err != nil || len(grants) != 2 || grants[0].OrgSlug != "acme" || grants[1].OrgSlug != "globex" {
			t.Errorf("grants = %+v, %v", grants, err)
		}
	})
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no orgs", []string{"--kind", "personal", "--name", "x", "--owner", "ada"}, "--orgs: give the slugs"},
		{"an empty org list", []string{"--kind", "personal", "--orgs", " , ", "--name", "x", "--owner", "ada"}, "--orgs: give the slugs"},
		{"--org instead of --orgs", []string{"--kind", "personal", "--org", "acme", "--name", "x", "--owner", "ada"}, "--orgs a,b instead"},
		{"an org the owner is not a member of", []string{"--kind", "personal", "--orgs", "acme,globex", "--name", "x", "--owner", "max"}, "max is not a member of globex"},
		{"an unknown org", []string{"--kind", "personal", "--orgs", "acme,initech", "--name", "x", "--owner", "ada"}, `--orgs: unknown organization "initech"`},
		{"no owner", []string{"--kind", "personal", "--orgs", "acme", "--name", "x"}, "--owner:"},
		{"--orgs on an api token", []string{"--kind", "api", "--org", "acme", "--orgs", "acme", "--name", "x", "--owner", "ada"}, "only personal tokens"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := createTokenIn(data, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || stdout != "" {
				t.Errorf("err = %v, stdout %q; want %q", err, stdout, tt.wantErr)
			}
		})
	}
}

func TestWhoamiPersonal(t *testing.T) {
	dir := useConfigDir(t)
	as := newFakeAS(t)
	as.tokens["twp_personal"] = map[string]any{"id": "0b5f4c3e-8d2a-4f6b-9c1d-2e3f4a5b6c7d", "kind": "personal", "name": "everywhere",
		"org": "", "orgs": []string{"acme", "globex"}, "scopes": []string{"api"}, "status": "active", "creator": "ada", "owner": "ada",
		"created_at": "2026-12-01T10:00:00Z", "expires_at": nil, "last_used": nil}
	path := filepath.Join(dir, "tokenward", "credentials.json")
	if err := saveCredentials(path, credentials{Servers: map[string]storedToken{as.URL: {Token: "twp_personal"}}}); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runClient(t, "whoami", "--server", as.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "Orgs:") || !strings.Contains(stdout, "acme, globex") || strings.Contains(stdout, "Org: ") {
		t.Errorf("whoami:\n%s", stdout)
	}
}
