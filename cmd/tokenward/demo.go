package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"

	"tokenward/auth"
	"tokenward/store"
)

// demoUsers are the people of the demo org, each with a role.
var demoUsers = []struct {
	username, email, display string
	role                     auth.Role
}{
	{"ada", "ada@acme.example", "Ada Admin", auth.RoleAdmin},
	{"max", "max@acme.example", "Max Member", auth.RoleMember},
	{"audra", "audra@acme.example", "Audra Auditor", auth.RoleAuditor},
}

// seedDemo fills an empty deployment with the demo org `acme` and prints
// the generated passwords. A deployment that already has users is left as
// it is.
func seedDemo(ctx context.Context, db *store.DB, key []byte, clock *store.ManualClock, out io.Writer) error {
	has, err := db.HasSiteAdmin(ctx)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintln(out, "--demo: this deployment already has users; no demo data added.")
		return nil
	}
	fmt.Fprintln(out, "\nDemo organization acme created. Sign in as:")
	var admin store.User
	var org store.Org
	for i, d := range demoUsers {
		password := rand.Text()
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		nu := store.NewUser{Username: d.username, Email: d.email, DisplayName: d.display, PasswordHash: hash}
		if i == 0 {
			admin, org, err = db.SetupFirstAdmin(ctx, nu, store.NewOrg{Slug: "acme", Name: "Acme Inc."}, "")
		} else {
			_, err = db.CreateMember(ctx, org.ID, nu, string(d.role), store.Actor{UserID: admin.ID, Label: admin.Username})
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", d.username, err)
		}
		fmt.Fprintf(out, "    %-7s %-6s password %s\n", d.role, d.username, password)
	}
	fmt.Fprintln(out, "(ada is also a site admin.)")
	n, err := seedDemoTokens(ctx, db, key, clock, org)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d demo tokens of every kind and state, with usage history, in acme.\n", n)
	return nil
}
