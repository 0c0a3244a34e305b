package core_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
)

// newClockedCore is newCore with a clock the test moves.
func newClockedCore(t *testing.T) (*core.Core, store.Org, store.User, *store.ManualClock) {
	t.Helper()
	ctx := context.Background()
	clock := &store.ManualClock{}
	clock.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "tokenward.db"), store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	u, org, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "ada", Email: "ada@example.com", PasswordHash: "x"},
		store.NewOrg{Slug: "acme", Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return &core.Core{DB: db, Sealer: sealer}, org, u, clock
}

// Rotating renews: the new secret gets the same lifetime from now by
// default, or the expiry asked for, within the policy; an expired token
// works again.
func TestRotationRenewsTheExpiry(t *testing.T) {
	t.Parallel()
	c, org, ada, clock := newClockedCore(t)
	ctx, actor := context.Background(), store.Actor{UserID: ada.ID}
	mk := func(name, expiry string) store.Token {
		is, errs, err := core.IssueToken(ctx, c.DB, c.Sealer, core.TokenRequest{Org: org, Kind: auth.KindAPI, Name: name, Scopes: []string{"api"},
			Expiry: expiry, CreatorID: ada.ID, OwnerUserID: ada.ID}, actor)
		if err != nil || len(errs) > 0 {
			t.Fatal(errs, err)
		}
		return is.Token
	}
	seven, fortyFive := mk("seven", "7"), mk("forty-five", "45")
	clock.Add(10 * 24 * time.Hour) // both now expired... the 45-day one not yet
	now := clock.Now()
	if got := store.TokenStatus(seven, now, 0); got != store.StatusExpired {
		t.Fatalf("the 7-day token is %s after 10 days", got)
	}
	if choice, date := core.RenewedExpiry(seven, org, now); choice != "7" || date != "" {
		t.Errorf("default renewal of a 7-day token: %q %q, want 7", choice, date)
	}
	if choice, date := core.RenewedExpiry(fortyFive, org, now); choice != "custom" || date != now.AddDate(0, 0, 45).Format(time.DateOnly) {
		t.Errorf("default renewal of a 45-day token: %q %q, want custom in 45 days", choice, date)
	}

	r, err := c.RotateToken(ctx, seven, core.Rotation{Org: org, Grace: "now"}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(7 * 24 * time.Hour); !r.Token.ExpiresAt.Equal(want) {
		t.Errorf("renewed expiry %v, want %v", r.Token.ExpiresAt, want)
	}
	if got := store.TokenStatus(r.Token, now, 0); got != store.StatusActive {
		t.Errorf("after rotating, the expired token is %s, want active", got)
	}
	if got, _, err := c.DB.TokenBySecretHash(ctx, hashOf(r.Secret)); err != nil || got.ID != seven.ID {
		t.Errorf("the new secret finds %q, %v", got.ID, err)
	}

	r, err = c.RotateToken(ctx, fortyFive, core.Rotation{Org: org, Grace: "now", Expiry: "90"}, actor)
	if err != nil || !r.Token.ExpiresAt.Equal(now.Add(90*24*time.Hour)) {
		t.Errorf("rotate with 90 days: %v, %v", r.Token.ExpiresAt, err)
	}

	for _, bad := range []core.Rotation{
		{Expiry: "custom", ExpiresOn: now.AddDate(0, 0, -1).Format(time.DateOnly)},
		{Expiry: "400"},
		{Expiry: "never"},
		{Expiry: "custom", ExpiresOn: "soon"},
	} {
		bad.Org, bad.Grace = org, "now"
		if _, err := c.RotateToken(ctx, r.Token, bad, actor); !fault.FieldsOf(err).Has("expiry") {
			t.Errorf("rotate with expiry %q %q: %v, want a message on expiry", bad.Expiry, bad.ExpiresOn, err)
		}
	}
	if same, err := c.DB.TokenByID(ctx, org.ID, r.Token.ID); err != nil || same.Hint != r.Token.Hint {
		t.Errorf("a refused rotation changed the token: %v", err)
	}

	// Under a 30-day maximum, counted from creation, the default stays
	// within 30 days; a token past its maximum cannot be renewed.
	org, err = c.DB.SetPolicy(ctx, org.ID, store.Policy{MaxDays: 30, DefaultDays: 30, NeverExpire: map[string]bool{}}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RotateToken(ctx, r.Token, core.Rotation{Org: org, Grace: "now", Expiry: "60"}, actor); !strings.Contains(fault.FieldsOf(err)["expiry"], "at most 30 days") {
		t.Errorf("60 days under a 30-day policy: %v", err)
	}
	clock.Add(25 * 24 * time.Hour) // 35 days since creation
	_, err = c.RotateToken(ctx, r.Token, core.Rotation{Org: org, Grace: "now"}, actor)
	if msg := fault.FieldsOf(err)["expiry"]; !strings.Contains(msg, "past the organization's maximum lifetime of 30 days") {
		t.Errorf("renewing a token past the maximum: %q, want it refused", msg)
	}
}

func hashOf(secret string) []byte {
	h := auth.HashToken(secret)
	return h[:]
}
