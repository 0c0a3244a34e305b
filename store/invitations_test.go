package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

func invite(t *testing.T, db *store.DB, org store.Org, by store.User, email, role string) (store.Invitation, string) {
	t.Helper()
	code, hash := auth.NewInviteCode()
	inv, err := db.CreateInvitation(context.Background(), store.NewInvitation{OrgID: org.ID, Email: email, Role: role,
		LinkHash: hash, InvitedBy: by.ID, TTL: auth.InvitationTTL}, store.Actor{UserID: by.ID, Label: by.Username})
	if err != nil {
		t.Fatal(err)
	}
	return inv, code
}

func TestInvitationLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := MustOpenClock(t)
	root, org := setup(t, db)
	start := clock.Now()
	inv, code := invite(t, db, org, root, "Ana@Example.com", "auditor")
	if inv.Status(start) != store.InvitationPending || !inv.ExpiresAt.Equal(start.Add(7*24*time.Hour)) || inv.InviterName != "root" || inv.OrgName != "Acme" {
		t.Fatalf("created %+v", inv)
	}

	t.Run("only the hash is stored", func(t *testing.T) {
		got, err := db.InvitationByLink(ctx, auth.HashInviteCode(code))
		if err != nil || got.ID != inv.ID {
			t.Fatalf("by link: %+v %v", got, err)
		}
		if _, err := db.InvitationByLink(ctx, code); !store.IsNotFound(err) {
			t.Errorf("the plain code found an invitation: %v", err)
		}
	})
	t.Run("a second pending invitation for the address is refused", func(t *testing.T) {
		_, hash := auth.NewInviteCode()
		_, err := db.CreateInvitation(ctx, store.NewInvitation{OrgID: org.ID, Email: "ana@example.com", Role: "member", LinkHash: hash,
			InvitedBy: root.ID, TTL: auth.InvitationTTL}, store.Actor{UserID: root.ID})
		if !fault.FieldsOf(err).Has("email") || !strings.Contains(err.Error(), "resend it") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("expires on the clock", func(t *testing.T) {
		clock.Set(inv.ExpiresAt)
		got, _ := db.Invitation(ctx, org.ID, inv.ID)
		if got.Status(db.Now()) != store.InvitationExpired {
			t.Fatalf("status %s at the expiry", got.Status(db.Now()))
		}
		u, err := db.CreateUser(ctx, store.NewUser{Username: "ana", Email: "ana@example.com", PasswordHash: "x"}, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AcceptInvitation(ctx, inv.ID, u.ID, "127.0.0.1"); !store.IsConflict(err) {
			t.Errorf("accepted an expired invitation: %v", err)
		}
		if _, err := db.Membership(ctx, org.ID, u.ID); !store.IsNotFound(err) {
			t.Errorf("membership after a refused acceptance: %v", err)
		}
	})
	var newCode string
	t.Run("resend gives a new link and 7 more days", func(t *testing.T) {
		var hash string
		newCode, hash = auth.NewInviteCode()
		got, err := db.ResendInvitation(ctx, org.ID, inv.ID, hash, auth.InvitationTTL, store.Actor{UserID: root.ID, Label: "root"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Resent != 1 || !got.ExpiresAt.Equal(db.Now().Truncate(time.Second).Add(auth.InvitationTTL)) || got.Status(db.Now()) != store.InvitationPending {
			t.Errorf("resent %+v", got)
		}
		if _, err := db.InvitationByLink(ctx, auth.HashInviteCode(code)); !store.IsNotFound(err) {
			t.Errorf("the old link still works: %v", err)
		}
	})
	t.Run("accept once", func(t *testing.T) {
		ana, _ := db.UserByUsername(ctx, "ana")
		a, err := db.AcceptInvitation(ctx, inv.ID, ana.ID, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Member.Role != "auditor" || a.Invitation.Status(db.Now()) != store.InvitationAccepted {
			t.Errorf("accepted %+v", a)
		}
		m, err := db.Membership(ctx, org.ID, ana.ID)
		if err != nil || m.Role != "auditor" {
			t.Fatalf("membership %+v %v", m, err)
		}
		if _, err := db.AcceptInvitation(ctx, inv.ID, ana.ID, "127.0.0.1"); !store.IsConflict(err) {
			t.Errorf("accepted twice: %v", err)
		}
		byLink, _ := db.InvitationByLink(ctx, auth.HashInviteCode(newCode))
		if byLink.Status(db.Now()) != store.InvitationAccepted || byLink.AcceptedName != "ana" {
			t.Errorf("after acceptance %+v", byLink)
		}
		list, _ := db.Invitations(ctx, org.ID)
		if len(list) != 0 {
			t.Errorf("still listed: %+v", list)
		}
		if _, err := db.RevokeInvitation(ctx, org.ID, inv.ID, store.Actor{}); !store.IsConflict(err) {
			t.Errorf("revoked an accepted invitation: %v", err)
		}
		notes, _ := db.Notifications(ctx, root.ID, 10)
		if len(notes) != 1 || notes[0].Kind != store.NoticeInvitationAccepted || notes[0].TokenID != "" ||
			!strings.Contains(notes[0].Message, "ana accepted your invitation of Ana@Example.com and joined Acme as an auditor") {
			t.Errorf("inviter's notifications %+v", notes)
		}
	})
	t.Run("an address of a member is refused", func(t *testing.T) {
		_, hash := auth.NewInviteCode()
		_, err := db.CreateInvitation(ctx, store.NewInvitation{OrgID: org.ID, Email: "ANA@example.com", Role: "member", LinkHash: hash,
			InvitedBy: root.ID, TTL: auth.InvitationTTL}, store.Actor{UserID: root.ID})
		if !fault.FieldsOf(err).Has("email") || !strings.Contains(err.Error(), "already the email address of a member") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("every step is audited", func(t *testing.T) {
		events, err := db.OrgEvents(ctx, org.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			if strings.HasPrefix(e.Action, "invitation.") {
				got = append(got, e.Action)
			}
		}
		if strings.Join(got, " ") != "invitation.accepted invitation.resent invitation.created" {
			t.Errorf("invitation events %v", got)
		}
	})
}

func TestInvitationRevokeAndNewAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	inv, _ := invite(t, db, org, root, "bo@example.com", "member")
	if _, err := db.RevokeInvitation(ctx, org.ID, inv.ID, store.Actor{UserID: root.ID, Label: "root"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcceptInvitationAsNewUser(ctx, inv.ID, store.NewUser{Username: "bo", Email: "bo@example.com", PasswordHash: "x"}, "127.0.0.1"); !store.IsConflict(err) {
		t.Errorf("accepted a revoked invitation: %v", err)
	}
	if _, err := db.UserByUsername(ctx, "bo"); !store.IsNotFound(err) {
		t.Errorf("the refused acceptance left an account: %v", err)
	}
	if _, err := db.ResendInvitation(ctx, org.ID, inv.ID, "h", auth.InvitationTTL, store.Actor{}); !store.IsConflict(err) {
		t.Errorf("resent a revoked invitation: %v", err)
	}

	again, _ := invite(t, db, org, root, "bo@example.com", "member")
	a, err := db.AcceptInvitationAsNewUser(ctx, again.ID, store.NewUser{Username: "bo", Email: "bo@example.com", PasswordHash: "x"}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if !a.NewUser || a.Member.User.Username != "bo" || a.Member.Role != "member" {
		t.Errorf("acceptance %+v", a)
	}

	t.Run("an address with an account makes no second one", func(t *testing.T) {
		other, _ := db.CreateOrg(ctx, store.NewOrg{Slug: "other", Name: "Other"}, root.ID, store.Actor{UserID: root.ID})
		inv, _ := invite(t, db, other, root, "BO@example.com", "member")
		_, err := db.AcceptInvitationAsNewUser(ctx, inv.ID, store.NewUser{Username: "bo2", Email: "BO@example.com", PasswordHash: "x"}, "127.0.0.1")
		if err != store.ErrEmailHasAccount {
			t.Errorf("err = %v", err)
		}
		if _, err := db.UserByUsername(ctx, "bo2"); !store.IsNotFound(err) {
			t.Errorf("a second account was made: %v", err)
		}
		users, _ := db.UsersWithEmail(ctx, "bo@EXAMPLE.com")
		if len(users) != 1 || users[0].Username != "bo" {
			t.Errorf("users with the address %+v", users)
		}
	})
}

func TestInvitationLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := MustOpenClock(t)
	root, org := setup(t, db)
	var first store.Invitation
	for i := range store.MaxPendingInvitations {
		inv, _ := invite(t, db, org, root, fmt.Sprintf("p%d@example.com", i), "member")
		if i == 0 {
			first = inv
		}
	}
	_, hash := auth.NewInviteCode()
	_, err := db.CreateInvitation(ctx, store.NewInvitation{OrgID: org.ID, Email: "one-more@example.com", Role: "member", LinkHash: hash,
		InvitedBy: root.ID, TTL: auth.InvitationTTL}, store.Actor{UserID: root.ID})
	if !fault.FieldsOf(err).Has("email") || !strings.Contains(err.Error(), "100 pending invitations") {
		t.Fatalf("the 101st: %v", err)
	}
	list, _ := db.Invitations(ctx, org.ID)
	if len(list) != store.MaxPendingInvitations {
		t.Errorf("%d listed", len(list))
	}
	// A revoked one makes room.
	if _, err := db.RevokeInvitation(ctx, org.ID, first.ID, store.Actor{}); err != nil {
		t.Fatal(err)
	}
	invite(t, db, org, root, "one-more@example.com", "member")
	// Expired ones do not count, but resending one needs room again.
	clock.Add(auth.InvitationTTL - time.Hour)
	expiring, _ := db.Invitations(ctx, org.ID)
	clock.Add(2 * time.Hour)
	invite(t, db, org, root, "later@example.com", "member") // the others expired: room
	if _, err := db.ResendInvitation(ctx, org.ID, expiring[len(expiring)-1].ID, "fresh", auth.InvitationTTL, store.Actor{}); err != nil {
		t.Errorf("resending an expired invitation with room: %v", err)
	}
}

func TestInvitationAcceptedOnceUnderRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	root, org := setup(t, db)
	inv, _ := invite(t, db, org, root, "race@example.com", "member")
	var users []store.User
	for _, name := range []string{"ra", "rb", "rc", "rd"} {
		u, err := db.CreateUser(ctx, store.NewUser{Username: name, Email: name + "@example.org", PasswordHash: "x"}, store.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	errs := make(chan error, len(users))
	for _, u := range users {
		go func() {
			_, err := db.AcceptInvitation(ctx, inv.ID, u.ID, "127.0.0.1")
			errs <- err
		}()
	}
	won := 0
	for range users {
		if err := <-errs; err == nil {
			won++
		} else if !store.IsConflict(err) {
			t.Errorf("unexpected error: %v", err)
		}
	}
	members, _ := db.Members(ctx, org.ID)
	if won != 1 || len(members) != 2 {
		t.Errorf("%d acceptances won, %d members (want 1 and 2)", won, len(members))
	}
}
