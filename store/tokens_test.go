package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// world is an org acme with root (admin) and mia (member), and a second org
// globex, over a database with a clock the test moves.
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	root  store.User
	mia   store.User
	org   store.Org
	other store.Org
	actor store.Actor
	start time.Time
	clock *store.ManualClock
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db, clock := MustOpenClock(t)
	return worldOn(t, db, clock)
}

// worldOn makes the world in db, whose clock is clock.
func worldOn(t *testing.T, db *store.DB, clock *store.ManualClock) *world {
	t.Helper()
	ctx := context.Background()
	root, org := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: root.Username}
	m, err := db.CreateMember(ctx, org.ID, store.NewUser{Username: "mia", Email: "mia@example.com", PasswordHash: "x"}, "member", actor)
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateOrg(ctx, store.NewOrg{Slug: "globex", Name: "Globex"}, root.ID, actor)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, ctx: ctx, db: db, root: root, mia: m.User, org: org, other: other, actor: actor, start: db.Now(), clock: clock}
}

// at moves the store's clock to d after the world's start.
func (w *world) at(d time.Duration) {
	w.clock.Set(w.start.Add(d))
}

// prepare fills in what a test leaves out of nt, including a fresh secret,
// and returns the secret.
func (w *world) prepare(nt *store.NewToken) string {
	w.t.Helper()
	if nt.OrgID == 0 {
		nt.OrgID = w.org.ID
	}
	if nt.Kind == "" {
		nt.Kind = "api"
	}
	if nt.CreatorID == 0 {
		nt.CreatorID = w.root.ID
	}
	if nt.OwnerUserID == 0 && nt.Kind != "service" {
		nt.OwnerUserID = nt.CreatorID
	}
	if len(nt.Scopes) == 0 {
		nt.Scopes = []string{"report"}
	}
	if nt.Visibility == "" {
		nt.Visibility = auth.VisibilityAdmins
	}
	secret, err := auth.NewToken(auth.Kind(nt.Kind))
	if err != nil {
		w.t.Fatal(err)
	}
	h := auth.HashToken(secret)
	nt.ID, nt.SecretHash, nt.Hint = uuid.NewString(), h[:], auth.TokenHint(secret)
	if nt.Visibility == auth.VisibilityOrg && nt.Sealed == nil {
		nt.Sealed = []byte("sealed:" + nt.ID)
	}
	return secret
}

// mint stores a token and returns it with its secret.
func (w *world) mint(nt store.NewToken) (store.Token, string) {
	w.t.Helper()
	secret := w.prepare(&nt)
	tok, err := w.db.CreateToken(w.ctx, nt, w.actor)
	if err != nil {
		w.t.Fatalf("create %s %q: %v", nt.Kind, nt.Name, err)
	}
	return tok, secret
}

// actions lists the actions of a token's audit events, newest first.
func (w *world) actions(id string) []string {
	w.t.Helper()
	events, err := w.db.TokenEvents(w.ctx, w.org.ID, id, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Action)
	}
	return out
}

func hashOf(secret string) []byte { h := auth.HashToken(secret); return h[:] }

func wantConflictOn(t *testing.T, err error, field string) {
	t.Helper()
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.EConflict {
		t.Fatalf("err = %v, want conflict", err)
	}
	if !se.Fields.Has(field) {
		t.Errorf("conflict on %v, want %q", se.Fields, field)
	}
}

func TestCreateTokenNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deploy, _ := w.mint(store.NewToken{Name: "deploy"})
	if deploy.CreatorName != "root" || deploy.CreatorRole != "admin" || deploy.Hint == "" || !deploy.CreatedAt.Equal(w.start) {
		t.Errorf("token = %+v", deploy)
	}
	if got := w.actions(deploy.ID); len(got) != 1 || got[0] != "token.created" {
		t.Errorf("events = %v", got)
	}

	t.Run("duplicate live name of a kind conflicts", func(t *testing.T) {
		nt := store.NewToken{Name: "deploy"}
		w.prepare(&nt)
		_, err := w.db.CreateToken(w.ctx, nt, w.actor)
		wantConflictOn(t, err, "name")
	})
	t.Run("same name, other kind or other org", func(t *testing.T) {
		w.mint(store.NewToken{Name: "deploy", Kind: "cli"})
		w.mint(store.NewToken{Name: "deploy", OrgID: w.other.ID})
	})
	t.Run("CLI names are unique per owner", func(t *testing.T) {
		w.mint(store.NewToken{Name: "laptop", Kind: "cli"})
		w.mint(store.NewToken{Name: "laptop", Kind: "cli", CreatorID: w.mia.ID})
		nt := store.NewToken{Name: "laptop", Kind: "cli", CreatorID: w.mia.ID}
		w.prepare(&nt)
		_, err := w.db.CreateToken(w.ctx, nt, w.actor)
		wantConflictOn(t, err, "name")
	})
	t.Run("a revoked token frees its name", func(t *testing.T) {
		if _, err := w.db.RevokeToken(w.ctx, w.org.ID, deploy.ID, "", w.actor); err != nil {
			t.Fatal(err)
		}
		again, _ := w.mint(store.NewToken{Name: "deploy"})
		if again.ID == deploy.ID {
			t.Error("same id")
		}
	})
}

func TestTokenLookups(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, secret := w.mint(store.NewToken{Name: "ci"})

	t.Run("by id is scoped to the org", func(t *testing.T) {
		if got, err := w.db.TokenByID(w.ctx, w.org.ID, tok.ID); err != nil || got.Name != "ci" {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := w.db.TokenByID(w.ctx, w.other.ID, tok.ID); !store.IsNotFound(err) {
			t.Errorf("other org: err = %v", err)
		}
		if _, err := w.db.TokenByID(w.ctx, w.org.ID, uuid.NewString()); !store.IsNotFound(err) {
			t.Errorf("unknown id: err = %v", err)
		}
	})
	t.Run("by hash, with the previous secret only in its grace", func(t *testing.T) {
		if got, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(secret)); err != nil || prev || got.ID != tok.ID {
			t.Fatalf("current: %v %v %v", got.ID, prev, err)
		}
		next := rotation(w, w.start.Add(time.Hour))
		if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor); err != nil {
			t.Fatal(err)
		}
		if got, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(secret)); err != nil || !prev || got.ID != tok.ID {
			t.Errorf("old secret in grace: %v %v %v", got.ID, prev, err)
		}
		if got, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(next.secret)); err != nil || prev || got.ID != tok.ID {
			t.Errorf("new secret: %v %v %v", got.ID, prev, err)
		}
		w.at(time.Hour)
		if _, _, err := w.db.TokenBySecretHash(w.ctx, hashOf(secret)); !store.IsNotFound(err) {
			t.Errorf("old secret after its grace: err = %v", err)
		}
		if _, _, err := w.db.TokenBySecretHash(w.ctx, hashOf("twa_nothing")); !store.IsNotFound(err) {
			t.Errorf("unknown hash: err = %v", err)
		}
	})
}

// nextSecret is a rotation and the secret it installs.
type nextSecret struct {
	store.Rotation
	secret string
}

func rotation(w *world, oldUntil time.Time) nextSecret {
	secret, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		w.t.Fatal(err)
	}
	return nextSecret{store.Rotation{SecretHash: hashOf(secret), Hint: auth.TokenHint(secret),
		Visibility: auth.VisibilityAdmins, OldValidUntil: oldUntil}, secret}
}

func TestUpdateToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, _ := w.mint(store.NewToken{Name: "ci", Scopes: []string{"report"}, Visibility: auth.VisibilityOrg})
	w.mint(store.NewToken{Name: "taken"})

	same := store.TokenEdit{Name: "ci", Scopes: []string{"report"}, Visibility: auth.VisibilityOrg, Sealed: tok.Sealed}
	if _, err := w.db.UpdateToken(w.ctx, w.org.ID, tok.ID, same, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := w.actions(tok.ID); len(got) != 1 {
		t.Errorf("an edit that changed nothing was recorded: %v", got)
	}

	edit := store.TokenEdit{Name: "ci-2", Scopes: []string{"repo", "report"}, Visibility: auth.VisibilityAdmins}
	got, err := w.db.UpdateToken(w.ctx, w.org.ID, tok.ID, edit, w.actor)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "ci-2" || len(got.Scopes) != 2 || got.Visibility != auth.VisibilityAdmins || got.Sealed != nil {
		t.Errorf("after edit: %+v", got)
	}
	events, err := w.db.TokenEvents(w.ctx, w.org.ID, tok.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != "token.edited" || events[0].Details["name"] != "ci → ci-2" ||
		events[0].Details["scopes"] != "report → repo report" || events[0].Details["visibility"] != "org → admins" {
		t.Errorf("edit event = %+v", events)
	}

	t.Run("rename onto a live name conflicts", func(t *testing.T) {
		_, err := w.db.UpdateToken(w.ctx, w.org.ID, tok.ID, store.TokenEdit{Name: "taken", Scopes: []string{"report"}, Visibility: "admins"}, w.actor)
		wantConflictOn(t, err, "name")
	})
	t.Run("another org's token is not found", func(t *testing.T) {
		if _, err := w.db.UpdateToken(w.ctx, w.other.ID, tok.ID, edit, w.actor); !store.IsNotFound(err) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRotateToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, old := w.mint(store.NewToken{Name: "ci"})

	t.Run("immediate", func(t *testing.T) {
		next := rotation(w, time.Time{})
		got, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor)
		if err != nil {
			t.Fatal(err)
		}
		if got.Hint != next.Hint || !got.PrevValidUntil.IsZero() || !got.RotatedAt.Equal(w.start) || got.Name != "ci" {
			t.Errorf("after rotation: %+v", got)
		}
		if _, _, err := w.db.TokenBySecretHash(w.ctx, hashOf(old)); !store.IsNotFound(err) {
			t.Errorf("old secret still works: %v", err)
		}
		events, err := w.db.TokenEvents(w.ctx, w.org.ID, tok.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if events[0].Action != "token.rotated" || events[0].Details["old_secret"] != "stopped at once" {
			t.Errorf("event = %+v", events[0])
		}
		old = next.secret
	})
	t.Run("with a grace period", func(t *testing.T) {
		until := w.start.Add(24 * time.Hour)
		next := rotation(w, until)
		got, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor)
		if err != nil {
			t.Fatal(err)
		}
		if !got.PrevValidUntil.Equal(until) {
			t.Errorf("prev valid until %v, want %v", got.PrevValidUntil, until)
		}
		if _, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(old)); err != nil || !prev {
			t.Errorf("old secret in grace: %v %v", prev, err)
		}
	})
	t.Run("a grace in the past stops the old secret at once", func(t *testing.T) {
		next := rotation(w, w.start.Add(-time.Minute))
		got, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor)
		if err != nil || !got.PrevValidUntil.IsZero() {
			t.Errorf("got %v, %v", got.PrevValidUntil, err)
		}
	})
}

func TestSetTokenDisabled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, _ := w.mint(store.NewToken{Name: "ci"})
	got, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor)
	if err != nil || got.DisabledAt.IsZero() || got.DisabledBy != w.root.ID {
		t.Fatalf("disable: %+v, %v", got, err)
	}
	if store.TokenStatus(got, w.start, 0) != store.StatusDisabled {
		t.Errorf("status = %s", store.TokenStatus(got, w.start, 0))
	}
	if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor); err != nil {
		t.Fatal(err)
	}
	got, err = w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, false, w.actor)
	if err != nil || !got.DisabledAt.IsZero() || got.DisabledBy != 0 {
		t.Fatalf("enable: %+v, %v", got, err)
	}
	want := []string{"token.enabled", "token.disabled", "token.created"}
	if got := w.actions(tok.ID); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("events = %v, want %v (disabling twice records once)", got, want)
	}
	if _, err := w.db.SetTokenDisabled(w.ctx, w.other.ID, tok.ID, true, w.actor); !store.IsNotFound(err) {
		t.Errorf("other org: err = %v", err)
	}
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, old := w.mint(store.NewToken{Name: "shared", Visibility: auth.VisibilityOrg})
	if tok.Sealed == nil {
		t.Fatal("org-visible token stored no sealed copy")
	}
	next := rotation(w, w.start.Add(time.Hour))
	next.Visibility, next.Sealed = auth.VisibilityOrg, []byte("sealed again")
	if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor); err != nil {
		t.Fatal(err)
	}
	w.at(time.Minute)
	got, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "leaked", w.actor)
	if err != nil {
		t.Fatal(err)
	}
	if got.RevokedAt.IsZero() || got.RevokedBy != w.root.ID || got.RevokedReason != "leaked" || got.Sealed != nil || !got.PrevValidUntil.IsZero() {
		t.Errorf("revoked token = %+v", got)
	}
	if _, _, err := w.db.TokenBySecretHash(w.ctx, hashOf(old)); !store.IsNotFound(err) {
		t.Errorf("grace secret of a revoked token still found: %v", err)
	}
	// The current secret still finds the token, so a check can say "revoked".
	if cur, _, err := w.db.TokenBySecretHash(w.ctx, hashOf(next.secret)); err != nil || cur.RevokedAt.IsZero() {
		t.Errorf("current secret: %+v, %v", cur.RevokedAt, err)
	}

	w.at(time.Hour)
	again, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "twice", w.actor)
	if err != nil || !again.RevokedAt.Equal(got.RevokedAt) || again.RevokedReason != "leaked" {
		t.Errorf("second revoke: %+v, %v", again, err)
	}
	if n := count(w.actions(tok.ID), "token.revoked"); n != 1 {
		t.Errorf("%d revoke events, want 1", n)
	}
	t.Run("a revoked token cannot change", func(t *testing.T) {
		edit := store.TokenEdit{Name: "x", Scopes: []string{"report"}, Visibility: "admins"}
		if _, err := w.db.UpdateToken(w.ctx, w.org.ID, tok.ID, edit, w.actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("edit: %v", err)
		}
		if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, rotation(w, time.Time{}).Rotation, w.actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("rotate: %v", err)
		}
		if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor); store.ErrorCode(err) != store.EConflict {
			t.Errorf("disable: %v", err)
		}
	})
	if _, err := w.db.RevokeToken(w.ctx, w.other.ID, tok.ID, "", w.actor); !store.IsNotFound(err) {
		t.Errorf("other org: err = %v", err)
	}
}

func count(list []string, want string) int {
	n := 0
	for _, s := range list {
		if s == want {
			n++
		}
	}
	return n
}

func TestTokenGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	actor := store.Actor{UserID: root.ID, Label: "root"}
	tok, err := db.CreateToken(ctx, store.NewToken{ID: "gen-1", OrgID: org.ID, Kind: "api", Name: "gen", CreatorID: root.ID,
		OwnerUserID: root.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: []byte("h1"), Hint: "x"}, actor)
	if err != nil {
		t.Fatal(err)
	}
	g0 := db.TokenGeneration()
	if _, err := db.CreateToken(ctx, store.NewToken{ID: "gen-2", OrgID: org.ID, Kind: "api", Name: "gen2", CreatorID: root.ID,
		OwnerUserID: root.ID, Scopes: []string{"api"}, Visibility: "admins", SecretHash: []byte("h2"), Hint: "x"}, actor); err != nil {
		t.Fatal(err)
	}
	if db.TokenGeneration() != g0 {
		t.Error("creating a token moved the generation")
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"disable", func() error { _, err := db.SetTokenDisabled(ctx, org.ID, tok.ID, true, actor); return err }},
		{"enable", func() error { _, err := db.SetTokenDisabled(ctx, org.ID, tok.ID, false, actor); return err }},
		{"edit", func() error {
			_, err := db.UpdateToken(ctx, org.ID, tok.ID, store.TokenEdit{Name: "gen", Scopes: []string{"report"}, Visibility: "admins"}, actor)
			return err
		}},
		{"policy", func() error {
			_, err := db.SetPolicy(ctx, org.ID, store.Policy{MaxDays: 10, DefaultDays: 7}, actor)
			return err
		}},
		{"revoke", func() error { _, err := db.RevokeToken(ctx, org.ID, tok.ID, "", actor); return err }},
	}
	for _, st := range steps {
		before := db.TokenGeneration()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if db.TokenGeneration() == before {
			t.Errorf("%s did not move the generation", st.name)
		}
	}
}
