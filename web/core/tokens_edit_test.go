package core_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

// newCore is the rules over a fresh database file with org acme and its
// first admin.
func newCore(t *testing.T) (*core.Core, store.Org, store.User) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tokenward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key := make([]byte, auth.MasterKeySize)
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	u, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "ada@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return &core.Core{DB: db, Sealer: sealer}, org, u
}

func issue(t *testing.T, c *core.Core, org store.Org, u store.User, kind auth.Kind, name string) store.Token {
	t.Helper()
	issued, errs, err := core.IssueToken(context.Background(), c.DB, c.Sealer,
		core.TokenRequest{Org: org, Kind: kind, Name: name, CreatorID: u.ID, OwnerUserID: u.ID}, store.Actor{UserID: u.ID})
	if err != nil || errs.Any() {
		t.Fatal(errs, err)
	}
	return issued.Token
}

// The sharing rules hold whichever surface asks: a hash-only token is
// shared only with a new secret, a CLI token never, and an unshared token
// keeps no encrypted copy.
func TestSharingRules(t *testing.T) {
	t.Parallel()
	c, org, ada := newCore(t)
	ctx, actor := context.Background(), store.Actor{UserID: ada.ID}
	org1, admins := auth.VisibilityOrg, auth.VisibilityAdmins
	api := issue(t, c, org, ada, auth.KindAPI, "deploy")

	_, err := c.EditToken(ctx, api, core.TokenChange{Visibility: &org1, ShareHow: "Rotate it first."}, actor)
	if msg := fault.FieldsOf(err)["visibility"]; !fault.Is(err, fault.Invalid) || !strings.Contains(msg, "new secret") || !strings.HasSuffix(msg, "Rotate it first.") {
		t.Fatalf("sharing a hash-only token without a rotation: %v %q", err, msg)
	}
	shared, err := c.EditToken(ctx, api, core.TokenChange{Visibility: &org1, RotateToShare: true}, actor)
	if err != nil || shared.Secret == "" || shared.Token.Visibility != org1 || len(shared.Token.Sealed) == 0 {
		t.Fatalf("rotate and share: %+v, %v", shared, err)
	}
	if got, err := c.Sealer.Open(shared.Token.ID, shared.Token.Sealed); err != nil || got != shared.Secret {
		t.Errorf("the shared copy opens to %q, %v; want the new secret", got, err)
	}
	unshared, err := c.EditToken(ctx, shared.Token, core.TokenChange{Visibility: &admins}, actor)
	if err != nil || unshared.Token.Visibility != admins || len(unshared.Token.Sealed) != 0 || unshared.Secret != "" {
		t.Fatalf("made admins-only: %+v, %v", unshared.Token, err)
	}

	cli := issue(t, c, org, ada, auth.KindCLI, "laptop")
	for _, ch := range []core.TokenChange{{Visibility: &org1}, {Visibility: &org1, RotateToShare: true}} {
		if _, err := c.EditToken(ctx, cli, ch, actor); !strings.Contains(fault.FieldsOf(err)["visibility"], "personal") {
			t.Errorf("sharing a CLI token (%+v): %v", ch, err)
		}
	}
	if _, err := c.RotateToken(ctx, cli, core.Rotation{Org: org, Grace: "now", Visibility: org1}, actor); !strings.Contains(fault.FieldsOf(err)["visibility"], "personal") {
		t.Errorf("rotating a CLI token to share it: %v", err)
	}
}

// A rotation's grace is one of the offered choices, and a bad one changes
// nothing.
func TestRotationGrace(t *testing.T) {
	t.Parallel()
	c, org, ada := newCore(t)
	ctx, actor := context.Background(), store.Actor{UserID: ada.ID}
	tok := issue(t, c, org, ada, auth.KindAPI, "deploy")
	if _, err := c.RotateToken(ctx, tok, core.Rotation{Org: org, Grace: "2d"}, actor); !fault.FieldsOf(err).Has("grace") {
		t.Fatalf("grace 2d: %v, want a message on grace", err)
	}
	same, err := c.DB.TokenByID(ctx, org.ID, tok.ID)
	if err != nil || same.Hint != tok.Hint {
		t.Fatalf("a refused rotation changed the token: %v, %v", same.Hint, err)
	}
	for _, g := range core.Graces {
		r, err := c.RotateToken(ctx, same, core.Rotation{Org: org, Grace: g.Value}, actor)
		if err != nil || r.Secret == "" || r.Token.Hint == same.Hint {
			t.Fatalf("grace %s: %+v, %v", g.Value, r.Token, err)
		}
		if want := g.Wait > 0; r.Token.PrevValidUntil.IsZero() == want {
			t.Errorf("grace %s: old secret valid until %v", g.Value, r.Token.PrevValidUntil)
		}
		same = r.Token
	}
}
