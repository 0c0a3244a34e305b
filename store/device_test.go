package store_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"tokenward/store"
)

// startLogin makes a pending device authorization from ip with the given
// user code; the device code's hash comes back with it.
func (w *world) startLogin(code, ip string) (store.DeviceAuthorization, []byte) {
	w.t.Helper()
	h := sha256.Sum256([]byte("device code " + code + ip + w.db.Now().String()))
	d, err := w.db.CreateDeviceAuthorization(w.ctx, store.NewDeviceAuthorization{DeviceCodeHash: h[:], UserCode: code,
		ClientID: "tokenward-cli", Scopes: []string{"findings:local"}, DeviceName: "laptop", IP: ip, UserAgent: "tokenward/1",
		Lifetime: 10 * time.Minute, Interval: 5, MaxPendingPerIP: 10})
	if err != nil {
		w.t.Fatalf("start login %s: %v", code, err)
	}
	return d, h[:]
}

// poll polls and checks the outcome.
func (w *world) poll(hash []byte, want store.PollOutcome) store.DeviceAuthorization {
	w.t.Helper()
	d, got, err := w.db.PollDeviceAuthorization(w.ctx, hash)
	if err != nil {
		w.t.Fatal(err)
	}
	if got != want {
		w.t.Fatalf("poll at %s: %s, want %s", w.db.Now().Format(time.TimeOnly), got, want)
	}
	return d
}

// cliToken is the CLI token a device login of mia's in acme makes.
func (w *world) cliToken(name string) store.NewToken {
	nt := store.NewToken{Kind: "cli", Name: name, CreatorID: w.mia.ID, OwnerUserID: w.mia.ID, Scopes: []string{"findings:local"}, DeviceName: name}
	w.prepare(&nt)
	return nt
}

func TestDeviceAuthorizationLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	mia := store.Actor{UserID: w.mia.ID, Label: "mia", IP: "198.51.100.9"}
	d, hash := w.startLogin("BCDFGHJK", "203.0.113.5")
	if d.Status != store.DevicePending || d.Interval != 5 || !d.ExpiresAt.Equal(w.start.Add(10*time.Minute)) || d.IP != "203.0.113.5" {
		t.Fatalf("new device authorization: %+v", d)
	}

	t.Run("found by its user code while pending", func(t *testing.T) {
		got, err := w.db.PendingDeviceAuthorization(w.ctx, "BCDFGHJK")
		if err != nil || got.ID != d.ID || got.DeviceName != "laptop" || got.UserAgent != "tokenward/1" {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := w.db.PendingDeviceAuthorization(w.ctx, "BCDFGHJM"); !store.IsNotFound(err) {
			t.Errorf("unknown code: %v, want not found", err)
		}
	})

	t.Run("pending, then slow_down raises the interval", func(t *testing.T) {
		w.poll(hash, store.PollPending)
		if got := w.poll(hash, store.PollSlowDown); got.Interval != 10 {
			t.Errorf("interval after slow_down = %d, want 10", got.Interval)
		}
		w.at(5 * time.Second) // keeps to the old interval, not the new one
		if got := w.poll(hash, store.PollSlowDown); got.Interval != 15 {
			t.Errorf("interval after a second slow_down = %d, want 15", got.Interval)
		}
		w.at(5*time.Second + 14*time.Second) // a second early is within the grace
		w.poll(hash, store.PollPending)
		w.at(5*time.Second + 29*time.Second)
		if got := w.poll(hash, store.PollPending); got.Interval != 15 || !got.LastPolledAt.Equal(w.db.Now().Truncate(time.Second)) {
			t.Errorf("after polling at the interval: %+v", got)
		}
	})

	t.Run("approve, consume once", func(t *testing.T) {
		if _, err := w.db.ApproveDeviceAuthorization(w.ctx, "BCDFGHJK", w.org.ID, mia); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.PendingDeviceAuthorization(w.ctx, "BCDFGHJK"); !store.IsNotFound(err) {
			t.Errorf("an approved code is still pending: %v", err)
		}
		if _, err := w.db.DenyDeviceAuthorization(w.ctx, "BCDFGHJK", 0, mia); !store.IsNotFound(err) {
			t.Errorf("deny after approve: %v, want not found", err)
		}
		got := w.poll(hash, store.PollApproved)
		if got.UserID != w.mia.ID || got.OrgID != w.org.ID {
			t.Errorf("approved by %d for org %d", got.UserID, got.OrgID)
		}
		w.poll(hash, store.PollApproved) // an approved login is never told to slow down

		wrong := w.cliToken("laptop")
		wrong.OrgID = w.other.ID
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, wrong, mia); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("consume into another org: %v, want invalid", err)
		}
		tok, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, w.cliToken("laptop"), mia)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind != "cli" || tok.OwnerUserID != w.mia.ID || tok.CreatorID != w.mia.ID || tok.DeviceName != "laptop" {
			t.Errorf("token %+v", tok)
		}
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, w.cliToken("laptop again"), mia); !store.IsNotFound(err) {
			t.Errorf("second consume: %v, want not found", err)
		}
		w.poll(hash, store.PollUnknown)
		if got := w.actions(tok.ID); len(got) != 1 || got[0] != "token.created" {
			t.Errorf("token events %q", got)
		}
		events, err := w.db.OrgEvents(w.ctx, w.org.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) < 2 || events[1].Action != "device.approved" || events[1].ActorUserID != w.mia.ID || events[1].Details["device_ip"] != "203.0.113.5" {
			t.Errorf("events %+v", events)
		}
	})
}

func TestDeviceAuthorizationDenyAndExpiry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	mia := store.Actor{UserID: w.mia.ID, Label: "mia"}

	t.Run("denied", func(t *testing.T) {
		_, hash := w.startLogin("CDFGHJKM", "203.0.113.5")
		if _, err := w.db.DenyDeviceAuthorization(w.ctx, "CDFGHJKM", w.org.ID, mia); err != nil {
			t.Fatal(err)
		}
		w.poll(hash, store.PollDenied)
		if _, err := w.db.ApproveDeviceAuthorization(w.ctx, "CDFGHJKM", w.org.ID, mia); !store.IsNotFound(err) {
			t.Errorf("approve after deny: %v", err)
		}
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, w.cliToken("denied"), mia); !store.IsNotFound(err) {
			t.Errorf("consume a denied login: %v", err)
		}
		events, err := w.db.OrgEvents(w.ctx, w.org.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "device.denied" || events[0].ActorUserID != w.mia.ID {
			t.Errorf("events %+v", events)
		}
	})

	t.Run("expires after its lifetime", func(t *testing.T) {
		w.at(time.Hour)
		_, pending := w.startLogin("DFGHJKMN", "203.0.113.5")
		_, approved := w.startLogin("FGHJKMNP", "203.0.113.5")
		if _, err := w.db.ApproveDeviceAuthorization(w.ctx, "FGHJKMNP", w.org.ID, mia); err != nil {
			t.Fatal(err)
		}
		w.at(time.Hour + 10*time.Minute - time.Second)
		w.poll(pending, store.PollPending)
		w.at(time.Hour + 10*time.Minute)
		w.poll(pending, store.PollExpired)
		w.poll(approved, store.PollExpired)
		if _, err := w.db.PendingDeviceAuthorization(w.ctx, "DFGHJKMN"); !store.IsNotFound(err) {
			t.Errorf("an expired code is still found: %v", err)
		}
		if _, err := w.db.ApproveDeviceAuthorization(w.ctx, "DFGHJKMN", w.org.ID, mia); !store.IsNotFound(err) {
			t.Errorf("approve an expired code: %v", err)
		}
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, approved, w.cliToken("late"), mia); !store.IsNotFound(err) {
			t.Errorf("consume an expired approval: %v", err)
		}
		// A day later a new login clears the old ones away.
		w.at(time.Hour + 10*time.Minute + 25*time.Hour)
		w.startLogin("GHJKMNPQ", "203.0.113.5")
		w.poll(pending, store.PollUnknown)
	})

	w.poll([]byte("no such code"), store.PollUnknown)
}

func TestDeviceAuthorizationLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	t.Run("pending logins are capped per IP", func(t *testing.T) {
		for i := range 10 {
			w.startLogin(fmt.Sprintf("BBBBBBB%c", "BCDFGHJKMN"[i]), "203.0.113.5")
		}
		h := sha256.Sum256([]byte("eleventh"))
		_, err := w.db.CreateDeviceAuthorization(w.ctx, store.NewDeviceAuthorization{DeviceCodeHash: h[:], UserCode: "CCCCCCCC",
			ClientID: "tokenward-cli", Scopes: []string{"findings:local"}, DeviceName: "x", IP: "203.0.113.5", Lifetime: 10 * time.Minute, Interval: 5, MaxPendingPerIP: 10})
		if !errors.Is(err, store.ErrTooManyPending) {
			t.Fatalf("eleventh pending login: %v, want ErrTooManyPending", err)
		}
		w.startLogin("CCCCCCCC", "203.0.113.6") // another address is not affected
		w.at(10 * time.Minute)                  // once they expire, the address may start again
		w.startLogin("DDDDDDDD", "203.0.113.5")
	})
	t.Run("a user code is unique among pending logins", func(t *testing.T) {
		h := sha256.Sum256([]byte("clash"))
		_, err := w.db.CreateDeviceAuthorization(w.ctx, store.NewDeviceAuthorization{DeviceCodeHash: h[:], UserCode: "DDDDDDDD",
			ClientID: "tokenward-cli", Scopes: []string{"findings:local"}, DeviceName: "x", IP: "203.0.113.7", Lifetime: 10 * time.Minute, Interval: 5})
		if store.ErrorCode(err) != store.EConflict || errors.Is(err, store.ErrTooManyPending) {
			t.Fatalf("a pending code again: %v, want a conflict", err)
		}
		if _, err := w.db.DenyDeviceAuthorization(w.ctx, "DDDDDDDD", 0, store.Actor{UserID: w.mia.ID, Label: "mia"}); err != nil {
			t.Fatal(err)
		}
		w.startLogin("DDDDDDDD", "203.0.113.7") // free again once decided
	})
	t.Run("a failed consume changes nothing", func(t *testing.T) {
		mia := store.Actor{UserID: w.mia.ID, Label: "mia"}
		w.mint(store.NewToken{Kind: "cli", Name: "desk", CreatorID: w.mia.ID, OwnerUserID: w.mia.ID})
		_, hash := w.startLogin("FFFFFFFF", "203.0.113.8")
		if _, err := w.db.ApproveDeviceAuthorization(w.ctx, "FFFFFFFF", w.org.ID, mia); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, w.cliToken("desk"), mia); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("consume with a taken name: %v, want a conflict", err)
		}
		w.poll(hash, store.PollApproved) // still approved, ready for another try
		if _, err := w.db.ConsumeDeviceAuthorization(w.ctx, hash, w.cliToken("desk (2)"), mia); err != nil {
			t.Fatal(err)
		}
	})
}
