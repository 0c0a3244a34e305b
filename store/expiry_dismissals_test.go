package store_test

import (
	"testing"
	"time"

	"tokenward/store"
)

func TestDismissExpiryWarning(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	day := 24 * time.Hour
	deploy, _ := w.mint(store.NewToken{Name: "deploy", ExpiresAt: w.start.Add(3 * day)})
	w.mint(store.NewToken{Name: "backup", ExpiresAt: w.start.Add(5 * day)})
	mias, _ := w.mint(store.NewToken{Name: "mias", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(2 * day)})
	names := func() []string {
		t.Helper()
		got, err := w.db.ExpiringOwnTokens(w.ctx, w.org.ID, w.root.ID, 7*day, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range got {
			out = append(out, tok.Name)
		}
		return out
	}
	t.Run("a dismissed warning stays away, another token's still shows", func(t *testing.T) {
		ok, err := w.db.DismissExpiryWarning(w.ctx, w.org.ID, w.root.ID, deploy.ID)
		if err != nil || !ok {
			t.Fatalf("got %v, %v", ok, err)
		}
		if got := names(); len(got) != 1 || got[0] != "backup" {
			t.Errorf("got %q, want [backup]", got)
		}
		// Dismissing twice is no error.
		if ok, err := w.db.DismissExpiryWarning(w.ctx, w.org.ID, w.root.ID, deploy.ID); err != nil || !ok {
			t.Errorf("again: got %v, %v", ok, err)
		}
	})
	t.Run("someone else's token is left alone", func(t *testing.T) {
		ok, err := w.db.DismissExpiryWarning(w.ctx, w.org.ID, w.root.ID, mias.ID)
		if err != nil || ok {
			t.Errorf("got %v, %v; want false, nil", ok, err)
		}
		got, err := w.db.ExpiringOwnTokens(w.ctx, w.org.ID, w.mia.ID, 7*day, 0)
		if err != nil || len(got) != 1 {
			t.Errorf("mia's warning: got %d, %v", len(got), err)
		}
	})
	t.Run("a new expiry warns again", func(t *testing.T) {
		r := rotation(w, time.Time{}).Rotation
		r.SetExpiry, r.ExpiresAt = true, w.start.Add(6*day)
		if _, err := w.db.RotateToken(w.ctx, w.org.ID, deploy.ID, r, w.actor); err != nil {
			t.Fatal(err)
		}
		if got := names(); len(got) != 2 || got[0] != "backup" || got[1] != "deploy" {
			t.Errorf("got %q, want [backup deploy]", got)
		}
	})
}
