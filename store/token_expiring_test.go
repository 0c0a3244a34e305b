package store_test

import (
	"strings"
	"testing"
	"time"

	"tokenward/store"
)

func TestExpiringOwnTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	day := 24 * time.Hour
	w.at(-85 * day)
	w.mint(store.NewToken{Name: "old-no-expiry"}) // cut by a 90-day policy in 5 days
	w.mint(store.NewToken{Name: "old-far", ExpiresAt: w.start.Add(30 * day)})
	w.at(-time.Hour)
	w.mint(store.NewToken{Name: "gone", ExpiresAt: w.start.Add(-time.Minute)})
	w.at(0)
	w.mint(store.NewToken{Name: "in-3-days", ExpiresAt: w.start.Add(3 * day)})
	w.mint(store.NewToken{Name: "in-20-hours", Kind: "cli", ExpiresAt: w.start.Add(20 * time.Hour)})
	w.mint(store.NewToken{Name: "in-10-days", ExpiresAt: w.start.Add(10 * day)})
	w.mint(store.NewToken{Name: "never"})
	revoked, _ := w.mint(store.NewToken{Name: "revoked", ExpiresAt: w.start.Add(2 * day)})
	disabled, _ := w.mint(store.NewToken{Name: "disabled", ExpiresAt: w.start.Add(2 * day)})
	w.mint(store.NewToken{Name: "mias", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(2 * day)})
	w.mint(store.NewToken{Name: "elsewhere", OrgID: w.other.ID, ExpiresAt: w.start.Add(2 * day)})
	if _, err := w.db.RevokeToken(w.ctx, w.org.ID, revoked.ID, "", w.actor); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, disabled.ID, true, w.actor); err != nil {
		t.Fatal(err)
	}
	names := func(maxDays int) string {
		t.Helper()
		got, err := w.db.ExpiringOwnTokens(w.ctx, w.org.ID, w.root.ID, 7*day, maxDays)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tok := range got {
			out = append(out, tok.Name)
		}
		return strings.Join(out, " ")
	}
	t.Run("own expiry within the week, soonest first", func(t *testing.T) {
		if got, want := names(0), "in-20-hours in-3-days"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("the policy's maximum lifetime counts", func(t *testing.T) {
		if got, want := names(90), "in-20-hours in-3-days old-no-expiry old-far"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		// With a 60-day maximum the old tokens are already expired.
		if got, want := names(60), "in-20-hours in-3-days"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("another member sees only their own", func(t *testing.T) {
		got, err := w.db.ExpiringOwnTokens(w.ctx, w.org.ID, w.mia.ID, 7*day, 0)
		if err != nil || len(got) != 1 || got[0].Name != "mias" || got[0].Kind != "api" || !got[0].ExpiresAt.Equal(w.start.Add(2*day)) {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}
