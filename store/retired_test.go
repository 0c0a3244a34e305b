package store_test

import (
	"testing"
	"time"

	"tokenward/store"
)

func TestRetiredSecret(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, first := w.mint(store.NewToken{Name: "ci"})
	if _, _, err := w.db.RetiredSecret(w.ctx, hashOf(first)); !store.IsNotFound(err) {
		t.Fatalf("a current secret is retired: %v", err)
	}
	w.at(time.Hour)
	next := rotation(w, time.Time{})
	if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor); err != nil {
		t.Fatal(err)
	}
	w.at(2 * time.Hour)
	if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, rotation(w, w.start.Add(3*time.Hour)).Rotation, w.actor); err != nil {
		t.Fatal(err)
	}
	for secret, want := range map[string]time.Time{first: w.start.Add(time.Hour), next.secret: w.start.Add(2 * time.Hour)} {
		got, at, err := w.db.RetiredSecret(w.ctx, hashOf(secret))
		if err != nil || got.ID != tok.ID || !at.Equal(want) {
			t.Errorf("retired secret: %s at %v, %v; want %s at %v", got.ID, at, err, tok.ID, want)
		}
	}
	if _, _, err := w.db.RetiredSecret(w.ctx, hashOf("twa_nothing")); !store.IsNotFound(err) {
		t.Errorf("unknown hash: %v", err)
	}
}

func TestRevokeEachAcrossOrgs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, _ := w.mint(store.NewToken{Name: "acme one"})
	b, _ := w.mint(store.NewToken{Name: "globex one", OrgID: w.other.ID})
	gone, _ := w.mint(store.NewToken{Name: "gone"})
	if _, err := w.db.RevokeToken(w.ctx, w.org.ID, gone.ID, "", w.actor); err != nil {
		t.Fatal(err)
	}
	reporter := store.Actor{Label: "revocation endpoint"}
	res, err := w.db.RevokeEach(w.ctx, []store.Revocation{{OrgID: w.org.ID, ID: a.ID, Actor: reporter},
		{OrgID: w.other.ID, ID: b.ID, Actor: reporter}, {OrgID: w.org.ID, ID: gone.ID, Actor: reporter},
		{OrgID: w.org.ID, ID: b.ID, Actor: reporter}}, store.ReasonLeakReport)
	if err != nil || res.Changed != 2 || res.Skipped != 2 {
		t.Fatalf("result %+v, %v; want 2 changed, 2 skipped (revoked already, other org's id)", res, err)
	}
	for _, tt := range []struct {
		org int64
		id  string
	}{{w.org.ID, a.ID}, {w.other.ID, b.ID}} {
		got, err := w.db.TokenByID(w.ctx, tt.org, tt.id)
		if err != nil || got.RevokedAt.IsZero() || got.RevokedReason != store.ReasonLeakReport {
			t.Errorf("%s: revoked %v reason %q, %v", got.Name, got.RevokedAt, got.RevokedReason, err)
		}
	}
	if res, err := w.db.RevokeEach(w.ctx, nil, store.ReasonLeakReport); err != nil || res != (store.BulkResult{}) {
		t.Errorf("empty: %+v, %v", res, err)
	}
}
