package store_test

import (
	"slices"
	"testing"
	"time"

	"tokenward/store"
)

func TestEndGrace(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, first := w.mint(store.NewToken{Name: "ci"})
	next := rotation(w, w.start.Add(24*time.Hour))
	if _, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, next.Rotation, w.actor); err != nil {
		t.Fatal(err)
	}
	if got, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(first)); err != nil || !prev || got.ID != tok.ID {
		t.Fatalf("during the grace the old secret finds %q prev %v, %v", got.ID, prev, err)
	}
	ended, err := w.db.EndGrace(w.ctx, w.org.ID, tok.ID, w.actor)
	if err != nil || !ended.PrevValidUntil.IsZero() {
		t.Fatalf("end grace: until %v, %v", ended.PrevValidUntil, err)
	}
	if _, _, err := w.db.TokenBySecretHash(w.ctx, hashOf(first)); !store.IsNotFound(err) {
		t.Errorf("after ending the grace the old secret still finds the token: %v", err)
	}
	if got, prev, err := w.db.TokenBySecretHash(w.ctx, hashOf(next.secret)); err != nil || prev || got.ID != tok.ID {
		t.Errorf("the current secret: %q prev %v, %v", got.ID, prev, err)
	}
	if got := w.actions(tok.ID); len(got) == 0 || got[0] != "token.grace_ended" {
		t.Errorf("events %q, want token.grace_ended first", got)
	}
	// Again, with no grace running: nothing changes, nothing is recorded.
	if _, err := w.db.EndGrace(w.ctx, w.org.ID, tok.ID, w.actor); err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(w.actions(tok.ID), func(a string) bool { return a != "token.grace_ended" })); n != 1 {
		t.Errorf("%d grace_ended events, want 1", n)
	}
}
