package store_test

import (
	"context"
	"testing"
	"time"

	"tokenward/store"
)

// MustOpen opens a fresh database file in a temp dir with a fixed clock.
func MustOpen(t testing.TB) *store.DB {
	t.Helper()
	db, _ := MustOpenClock(t)
	return db
}

// MustOpenClock opens a fresh database file in a temp dir over a clock
// standing at 2026-11-22 12:00 UTC, which the test may move.
func MustOpenClock(t testing.TB) (*store.DB, *store.ManualClock) {
	t.Helper()
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	db, err := store.Open(context.Background(), testLocation(t), store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clock
}

// setup creates the first admin and org and returns them.
func setup(t *testing.T, db *store.DB) (store.User, store.Org) {
	t.Helper()
	u, o, err := db.SetupFirstAdmin(context.Background(),
		store.NewUser{Username: "root", Email: "root@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return u, o
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testLocation(t)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	t.Run("reopen applies no migration twice", func(t *testing.T) {
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer db.Close()
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPragmas(t *testing.T) {
	onSQLite(t)
	t.Parallel()
	db := MustOpen(t)
	got := db.Pragmas(context.Background())
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestSetupFirstAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	if has, err := db.HasSiteAdmin(ctx); err != nil {
		t.Fatal(err)
	} else if has {
		t.Fatal("fresh database has a site admin")
	}
	u, o := setup(t, db)
	if !u.SiteAdmin {
		t.Error("first user is not a site admin")
	}
	m, err := db.Membership(ctx, o.ID, u.ID)
	if err != nil || m.Role != "admin" {
		t.Errorf("membership = %+v, %v; want admin", m, err)
	}
	_, _, err = db.SetupFirstAdmin(ctx, store.NewUser{Username: "other", Email: "o@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "other", Name: "Other"}, "")
	if store.ErrorCode(err) != store.EConflict {
		t.Errorf("second setup: err = %v, want conflict", err)
	}
	if _, err := db.UserByUsername(ctx, "other"); !store.IsNotFound(err) {
		t.Errorf("second setup wrote a user: %v", err)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, _ := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: root.Username}

	t.Run("duplicate username ignores case", func(t *testing.T) {
		_, err := db.CreateUser(ctx, store.NewUser{Username: "ROOT", Email: "r@example.com", PasswordHash: "x"}, actor)
		if store.ErrorCode(err) != store.EConflict {
			t.Fatalf("err = %v, want conflict", err)
		}
	})

	t.Run("disabling ends sessions", func(t *testing.T) {
		u, err := db.CreateUser(ctx, store.NewUser{Username: "bob", Email: "b@example.com", PasswordHash: "x"}, actor)
		if err != nil {
			t.Fatal(err)
		}
		lim := store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}
		if err := db.CreateSession(ctx, "h1", u.ID, "1.2.3.4", "test", lim); err != nil {
			t.Fatal(err)
		}
		if _, got, err := db.SessionUser(ctx, "h1", lim); err != nil || got.ID != u.ID {
			t.Fatalf("session user = %v, %v", got, err)
		}
		if _, err := db.SetUserDisabled(ctx, u.ID, true, actor); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "h1", lim); !store.IsNotFound(err) {
			t.Errorf("session of disabled user still valid: %v", err)
		}
	})

	t.Run("site admin cannot disable self", func(t *testing.T) {
		_, err := db.SetUserDisabled(ctx, root.ID, true, actor)
		if store.ErrorCode(err) != store.EInvalid {
			t.Errorf("err = %v, want invalid", err)
		}
	})
}

func TestSessionLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := MustOpenClock(t)
	root, _ := setup(t, db)
	lim := store.SessionLimits{Idle: time.Hour, Absolute: 3 * time.Hour}
	start := db.Now()
	if err := db.CreateSession(ctx, "h", root.ID, "", "", lim); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) { clock.Set(start.Add(d)) }

	at(59 * time.Minute)
	if _, _, err := db.SessionUser(ctx, "h", lim); err != nil {
		t.Fatalf("within idle limit: %v", err)
	}
	if err := db.TouchSession(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	at(118 * time.Minute)
	if _, _, err := db.SessionUser(ctx, "h", lim); err != nil {
		t.Fatalf("touched session expired: %v", err)
	}
	at(3*time.Hour + time.Minute)
	if err := db.TouchSession(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionUser(ctx, "h", lim); !store.IsNotFound(err) {
		t.Errorf("session past absolute limit: err = %v", err)
	}
	at(5 * time.Hour)
	if _, _, err := db.SessionUser(ctx, "h", lim); !store.IsNotFound(err) {
		t.Errorf("idle session: err = %v", err)
	}
	if err := db.DeleteSession(ctx, "h"); err != nil {
		t.Fatal(err)
	}
}

func TestMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: root.Username}

	m, err := db.CreateMember(ctx, org.ID, store.NewUser{Username: "mia", Email: "mia@example.com", PasswordHash: "x"}, "member", actor)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("adding twice conflicts", func(t *testing.T) {
		_, err := db.AddMember(ctx, org.ID, m.User.ID, "auditor", actor)
		if store.ErrorCode(err) != store.EConflict {
			t.Errorf("err = %v, want conflict", err)
		}
	})
	t.Run("failed create writes nothing", func(t *testing.T) {
		_, err := db.CreateMember(ctx, 9999, store.NewUser{Username: "ghost", Email: "g@example.com", PasswordHash: "x"}, "member", actor)
		if err == nil {
			t.Fatal("added to a missing org")
		}
		if _, err := db.UserByUsername(ctx, "ghost"); !store.IsNotFound(err) {
			t.Errorf("user left behind: %v", err)
		}
	})
	t.Run("last admin cannot be demoted or removed", func(t *testing.T) {
		if _, err := db.ChangeRole(ctx, org.ID, root.ID, "member", actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("demote: err = %v", err)
		}
		if _, err := db.RemoveMember(ctx, org.ID, root.ID, store.RemoveOptions{}, actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("remove: err = %v", err)
		}
	})
	t.Run("with a second admin the first can go", func(t *testing.T) {
		if _, err := db.ChangeRole(ctx, org.ID, m.User.ID, "admin", actor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ChangeRole(ctx, org.ID, root.ID, "auditor", actor); err != nil {
			t.Errorf("demote with another admin: %v", err)
		}
		if _, err := db.RemoveMember(ctx, org.ID, root.ID, store.RemoveOptions{}, actor); err != nil {
			t.Errorf("remove: %v", err)
		}
		members, err := db.Members(ctx, org.ID)
		if err != nil || len(members) != 1 || members[0].User.Username != "mia" {
			t.Errorf("members = %+v, %v", members, err)
		}
	})
	t.Run("events recorded newest first", func(t *testing.T) {
		events, err := db.OrgEvents(ctx, org.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if len(actions) < 3 || actions[0] != "member.removed" || actions[1] != "member.role_changed" {
			t.Errorf("actions = %v", actions)
		}
	})
}

func TestAuditAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	setup(t, db)
	for _, stmt := range []string{"UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"} {
		if err := db.ExecForTest(ctx, stmt); err == nil {
			t.Errorf("%s: succeeded on the append-only audit trail", stmt)
		}
	}
}
