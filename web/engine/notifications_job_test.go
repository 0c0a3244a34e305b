package engine

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/store"
)

// twoServers opens one database file twice, as two server processes would,
// each with its own notice job and job claim, over one clock.
func twoServers(t *testing.T) (a, b *NoticeJob, clock *store.ManualClock) {
	t.Helper()
	clock = &store.ManualClock{}
	clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "tokenward.db")
	var jobs [2]*NoticeJob
	for i := range jobs {
		db, err := store.Open(context.Background(), path, store.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		claim, err := NewJobClaim(db)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		mail, err := NewMailer(db, log, make([]byte, 32), "") // no SMTP set up: mail passes send nothing
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = NewNoticeJob(db, log, mail, claim)
		t.Cleanup(jobs[i].cancel)
	}
	return jobs[0], jobs[1], clock
}

// expiringToken makes an API token of the org's first admin (made with the
// org on the first call) that expires a second from now.
func expiringToken(t *testing.T, db *store.DB, name string, admin *store.User, org *store.Org) {
	t.Helper()
	ctx := context.Background()
	if admin.ID == 0 {
		u, o, err := db.SetupFirstAdmin(ctx, store.NewUser{Username: "root", Email: "root@example.com", PasswordHash: "x"},
			store.NewOrg{Slug: "acme", Name: "Acme"}, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		*admin, *org = u, o
	}
	secret, err := auth.NewToken(auth.Kind("api"))
	if err != nil {
		t.Fatal(err)
	}
	h := auth.HashToken(secret)
	nt := store.NewToken{ID: uuid.NewString(), Kind: "api", Name: name, OrgID: org.ID, CreatorID: admin.ID, OwnerUserID: admin.ID,
		Scopes: []string{"report"}, Visibility: auth.VisibilityAdmins, SecretHash: h[:], Hint: auth.TokenHint(secret),
		ExpiresAt: db.Now().Add(time.Second)}
	if _, err := db.CreateToken(ctx, nt, store.Actor{UserID: admin.ID}); err != nil {
		t.Fatal(err)
	}
}

func unread(t *testing.T, db *store.DB, userID int64) int {
	t.Helper()
	n, err := db.UnreadNotifications(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Two servers on one database: the expiry pass runs in the one holding the
// claim, so owners are not told twice; the other skips it until that claim
// runs out (the holder stopped), and then takes over.
func TestExpiryPassRunsInOneServer(t *testing.T) {
	t.Parallel()
	a, b, clock := twoServers(t)
	var admin store.User
	var org store.Org
	expiringToken(t, a.db, "first", &admin, &org)
	clock.Add(2 * time.Second)
	a.expiryPass()
	if got := unread(t, a.db, admin.ID); got != 1 {
		t.Fatalf("after the first server's pass: %d notices, want 1", got)
	}
	expiringToken(t, a.db, "second", &admin, &org)
	clock.Add(ExpiryClaim / 2)
	b.expiryPass()
	if got := unread(t, b.db, admin.ID); got != 1 {
		t.Fatalf("the second server ran the pass the first one holds: %d notices, want 1", got)
	}
	clock.Add(ExpiryClaim / 2)
	b.expiryPass()
	if got := unread(t, b.db, admin.ID); got != 2 {
		t.Fatalf("the second server did not take over once the claim ran out: %d notices, want 2", got)
	}
}
