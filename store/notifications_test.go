package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tokenward/store"
)

// notices returns a user's notifications, newest first.
func (w *world) notices(userID int64) []store.Notification {
	w.t.Helper()
	list, err := w.db.Notifications(w.ctx, userID, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

func TestNotifyTokenChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	miaActor := store.Actor{UserID: w.mia.ID, Label: "mia"}
	link := func(tok store.Token) string { return "/orgs/acme/settings/tokens/" + tok.Kind + "/" + tok.ID }

	cases := []struct {
		name     string
		kind     string // the notice mia gets; "" for none
		contains string
		change   func(tok store.Token) error
	}{
		{"revoked by an admin", store.NoticeRevoked, "was revoked by root", func(tok store.Token) error {
			_, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", w.actor)
			return err
		}},
		{"revoked by herself", "", "", func(tok store.Token) error {
			_, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", miaActor)
			return err
		}},
		{"disabled by an admin", store.NoticeDisabled, "was disabled by root", func(tok store.Token) error {
			_, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor)
			return err
		}},
		{"rotated by an admin", store.NoticeRotated, "Its old secret stopped working at once.", func(tok store.Token) error {
			_, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, rotation(w, time.Time{}).Rotation, w.actor)
			return err
		}},
		{"rotated with a grace period", store.NoticeRotated, "keeps working until 2026-11-23 12:00 UTC", func(tok store.Token) error {
			_, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, rotation(w, w.start.Add(24*time.Hour)).Rotation, w.actor)
			return err
		}},
		{"rotated by herself", "", "", func(tok store.Token) error {
			_, err := w.db.RotateToken(w.ctx, w.org.ID, tok.ID, rotation(w, time.Time{}).Rotation, miaActor)
			return err
		}},
		{"reported leaked", store.NoticeLeaked, "reported as leaked", func(tok store.Token) error {
			_, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, store.ReasonLeakReport, store.Actor{Label: "revocation endpoint"})
			return err
		}},
		{"revoked with a token", store.NoticeRevoked, "was revoked by token ci", func(tok store.Token) error {
			_, err := w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", store.Actor{TokenID: "x", Label: "token ci"})
			return err
		}},
		{"revoked in bulk", store.NoticeRevoked, "Reason: incident.", func(tok store.Token) error {
			_, err := w.db.RevokeTokens(w.ctx, w.org.ID, []string{tok.ID}, "incident", w.actor)
			return err
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, secret := w.mint(store.NewToken{Kind: "cli", Name: "laptop-" + string(rune('a'+i)), CreatorID: w.mia.ID})
			before := len(w.notices(w.mia.ID))
			if err := tc.change(tok); err != nil {
				t.Fatal(err)
			}
			list := w.notices(w.mia.ID)
			if tc.kind == "" {
				if len(list) != before {
					t.Fatalf("got %d new notifications, want none: %+v", len(list)-before, list[0])
				}
				return
			}
			if len(list) != before+1 {
				t.Fatalf("got %d new notifications, want 1", len(list)-before)
			}
			n := list[0]
			if n.Kind != tc.kind || n.TokenID != tok.ID || n.OrgID != w.org.ID || n.Link != link(tok) || !n.Unread() {
				t.Errorf("notification %+v", n)
			}
			if !strings.Contains(n.Message, `CLI token "`+tok.Name+`"`) || !strings.Contains(n.Message, tc.contains) {
				t.Errorf("message %q, want the token's name and %q", n.Message, tc.contains)
			}
			if strings.Contains(n.Message, secret) || strings.Contains(n.Message, tok.Hint) {
				t.Errorf("message shows the secret: %q", n.Message)
			}
			if got := w.notices(w.root.ID); len(got) != 0 {
				t.Errorf("the admin who did it got %d notifications", len(got))
			}
		})
	}

	t.Run("enabling tells nobody", func(t *testing.T) {
		tok, _ := w.mint(store.NewToken{Kind: "cli", Name: "enable-me", CreatorID: w.mia.ID})
		w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor)
		before := len(w.notices(w.mia.ID))
		if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, false, w.actor); err != nil {
			t.Fatal(err)
		}
		if got := len(w.notices(w.mia.ID)); got != before {
			t.Errorf("enable made %d notifications", got-before)
		}
	})

	t.Run("a service token's creator hears", func(t *testing.T) {
		nt := store.NewToken{Kind: "service", Name: "acme/app", CreatorID: w.mia.ID}
		w.prepare(&nt)
		_, tok, err := w.db.CreateService(w.ctx, store.NewService{OrgID: w.org.ID, Name: "acme/app"}, nt, w.actor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.SetTokenDisabled(w.ctx, w.org.ID, tok.ID, true, w.actor); err != nil {
			t.Fatal(err)
		}
		if n := w.notices(w.mia.ID)[0]; n.TokenID != tok.ID || n.Kind != store.NoticeDisabled {
			t.Errorf("newest notice %+v", n)
		}
	})
}

func TestReadNotifications(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, name := range []string{"one", "two", "three"} {
		tok, _ := w.mint(store.NewToken{Kind: "cli", Name: name, CreatorID: w.mia.ID})
		w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", w.actor)
	}
	unread := func() int {
		n, err := w.db.UnreadNotifications(w.ctx, w.mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := unread(); got != 3 {
		t.Fatalf("unread %d, want 3", got)
	}
	list := w.notices(w.mia.ID)
	if !strings.Contains(list[0].Message, `"three"`) {
		t.Errorf("newest first: %q", list[0].Message)
	}
	t.Run("someone else's is not found", func(t *testing.T) {
		if _, err := w.db.ReadNotification(w.ctx, w.root.ID, list[0].ID); !store.IsNotFound(err) {
			t.Errorf("err = %v", err)
		}
		if got := unread(); got != 3 {
			t.Errorf("unread %d after another user's read", got)
		}
	})
	t.Run("read one", func(t *testing.T) {
		n, err := w.db.ReadNotification(w.ctx, w.mia.ID, list[0].ID)
		if err != nil || n.Unread() || n.Link != list[0].Link {
			t.Fatalf("%+v %v", n, err)
		}
		if got := unread(); got != 2 {
			t.Errorf("unread %d, want 2", got)
		}
	})
	t.Run("read all", func(t *testing.T) {
		n, err := w.db.ReadAllNotifications(w.ctx, w.mia.ID)
		if err != nil || n != 2 {
			t.Fatalf("marked %d, %v", n, err)
		}
		if got := unread(); got != 0 {
			t.Errorf("unread %d", got)
		}
	})
}

// kindsOf lists the kinds of a user's notifications about a token, oldest first.
func (w *world) kindsOf(userID int64, tokenID string) []string {
	var out []string
	list := w.notices(userID)
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].TokenID == tokenID {
			out = append(out, list[i].Kind)
		}
	}
	return out
}

func (w *world) notifyExpiries() int {
	w.t.Helper()
	n, err := w.db.NotifyExpiries(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestExpiryNotices(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	day := 24 * time.Hour
	long, _ := w.mint(store.NewToken{Kind: "cli", Name: "long", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(90 * day)})
	month, _ := w.mint(store.NewToken{Kind: "cli", Name: "month", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(30 * day)})
	never, _ := w.mint(store.NewToken{Kind: "cli", Name: "never", CreatorID: w.mia.ID})
	off, _ := w.mint(store.NewToken{Kind: "cli", Name: "off", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(40 * day)})
	w.db.SetTokenDisabled(w.ctx, w.org.ID, off.ID, true, w.actor)
	gone, _ := w.mint(store.NewToken{Kind: "cli", Name: "gone", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(40 * day)})
	w.db.RevokeTokens(w.ctx, w.org.ID, []string{gone.ID}, "", store.Actor{UserID: w.mia.ID})

	// Expired 20 days before any pass runs: too old to announce.
	stale, _ := w.mint(store.NewToken{Kind: "cli", Name: "stale", CreatorID: w.mia.ID, ExpiresAt: w.start.Add(5 * day)})

	steps := []struct {
		at          time.Duration
		created     int
		long, month []string
	}{
		// A 30-day token made now is not warned "within 30 days" at once.
		{0, 0, nil, nil},
		{25 * day, 1, nil, []string{"expires_7d"}},
		{25*day + time.Hour, 0, nil, []string{"expires_7d"}}, // the next pass: nothing twice
		{29*day + 12*time.Hour, 1, nil, []string{"expires_7d", "expires_1d"}},
		{30*day + time.Minute, 1, nil, []string{"expires_7d", "expires_1d", "expired"}},
		{60*day + time.Hour, 1, []string{"expires_30d"}, []string{"expires_7d", "expires_1d", "expired"}},
		{60*day + 2*time.Hour, 0, []string{"expires_30d"}, []string{"expires_7d", "expires_1d", "expired"}},
		{83 * day, 1, []string{"expires_30d", "expires_7d"}, []string{"expires_7d", "expires_1d", "expired"}},
		{89*day + time.Hour, 1, []string{"expires_30d", "expires_7d", "expires_1d"}, []string{"expires_7d", "expires_1d", "expired"}},
		{90*day + time.Minute, 1, []string{"expires_30d", "expires_7d", "expires_1d", "expired"}, []string{"expires_7d", "expires_1d", "expired"}},
		{91 * day, 0, []string{"expires_30d", "expires_7d", "expires_1d", "expired"}, []string{"expires_7d", "expires_1d", "expired"}},
	}
	for _, st := range steps {
		w.at(st.at)
		if got := w.notifyExpiries(); got != st.created {
			t.Errorf("at +%v: created %d, want %d", st.at, got, st.created)
		}
		if got := w.kindsOf(w.mia.ID, long.ID); strings.Join(got, " ") != strings.Join(st.long, " ") {
			t.Errorf("at +%v: long has %v, want %v", st.at, got, st.long)
		}
		if got := w.kindsOf(w.mia.ID, month.ID); strings.Join(got, " ") != strings.Join(st.month, " ") {
			t.Errorf("at +%v: month has %v, want %v", st.at, got, st.month)
		}
	}
	for _, tok := range []store.Token{never, off, gone, stale} {
		for _, k := range w.kindsOf(w.mia.ID, tok.ID) {
			if k != store.NoticeDisabled {
				t.Errorf("%s got %s", tok.Name, k)
			}
		}
	}
	msg := w.notices(w.mia.ID)[0].Message
	if !strings.Contains(msg, `CLI token "long" expired on 2027-02-20 12:00 UTC`) {
		t.Errorf("expired message %q", msg)
	}
}

func TestExpiryNoticesFollowPolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	day := 24 * time.Hour
	tok, _ := w.mint(store.NewToken{Kind: "api", Name: "forever", CreatorID: w.mia.ID})
	w.at(100 * day)
	if got := w.notifyExpiries(); got != 0 {
		t.Fatalf("created %d for a token without expiry", got)
	}
	// A 105-day maximum cuts it: it now expires in 5 days.
	pol := w.org.Policy
	pol.MaxDays = 105
	if _, err := w.db.SetPolicy(w.ctx, w.org.ID, pol, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := w.notifyExpiries(); got != 1 {
		t.Fatalf("created %d, want 1", got)
	}
	n := w.notices(w.mia.ID)[0]
	if n.TokenID != tok.ID || n.Kind != store.NoticeExpires7d || !strings.Contains(n.Message, "expires in 5 days") {
		t.Errorf("notice %+v", n)
	}
}

func TestExpiryNoticesSurviveRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testLocation(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := &store.ManualClock{}
	clock.Set(now)
	open := func() *store.DB {
		db, err := store.Open(ctx, path, store.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	w := &world{t: t, ctx: ctx, db: db, start: now, clock: clock}
	w.root, w.org = setup(t, db)
	w.actor = store.Actor{UserID: w.root.ID, Label: "root"}
	w.mint(store.NewToken{Name: "soon", ExpiresAt: now.Add(60 * 24 * time.Hour)})
	clock.Set(now.Add(55 * 24 * time.Hour))
	if got := w.notifyExpiries(); got != 1 {
		t.Fatalf("first run created %d", got)
	}
	db.Close()

	w.db = open()
	defer w.db.Close()
	if got := w.notifyExpiries(); got != 0 {
		t.Errorf("after a restart the run created %d, want 0", got)
	}
	if got := len(w.notices(w.root.ID)); got != 1 {
		t.Errorf("%d notifications, want 1", got)
	}
}

func TestEmailQueue(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok, _ := w.mint(store.NewToken{Kind: "cli", Name: "laptop", CreatorID: w.mia.ID})
	w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", w.actor)
	queued := func() []store.OutgoingEmail {
		q, err := w.db.QueuedEmails(w.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	q := queued()
	if len(q) != 1 || q[0].Email != "mia@example.com" || q[0].TokenName != "laptop" || q[0].TokenKind != "cli" || q[0].OrgName != "Acme" {
		t.Fatalf("queue %+v", q)
	}
	t.Run("a claimed email is not handed out again until its claim runs out", func(t *testing.T) {
		if got := queued(); len(got) != 0 {
			t.Fatalf("a second pass got %d emails the first is sending", len(got))
		}
		w.at(store.EmailClaim + time.Second)
		again := queued()
		if len(again) != 1 || again[0].ID != q[0].ID {
			t.Fatalf("after the claim ran out: %+v", again)
		}
	})
	t.Run("a failure waits before the retry", func(t *testing.T) {
		if err := w.db.MarkEmailed(w.ctx, nil, []int64{q[0].ID}); err != nil {
			t.Fatal(err)
		}
		if got := queued(); len(got) != 0 {
			t.Errorf("retried at once: %d queued", len(got))
		}
		w.at(store.EmailClaim + time.Second + store.EmailRetryAfter)
		if got := queued(); len(got) != 1 {
			t.Errorf("%d queued after the retry delay, want 1", len(got))
		}
	})
	t.Run("sent leaves the queue", func(t *testing.T) {
		if err := w.db.MarkEmailed(w.ctx, []int64{q[0].ID}, nil); err != nil {
			t.Fatal(err)
		}
		if got := queued(); len(got) != 0 {
			t.Errorf("%d queued after sending", len(got))
		}
		if n := w.notices(w.mia.ID)[0]; n.EmailedAt.IsZero() {
			t.Error("emailed_at not recorded")
		}
	})
	t.Run("old news is not emailed", func(t *testing.T) {
		tok, _ := w.mint(store.NewToken{Kind: "cli", Name: "old", CreatorID: w.mia.ID})
		w.db.RevokeToken(w.ctx, w.org.ID, tok.ID, "", w.actor)
		w.at(store.EmailClaim + store.EmailRetryAfter + store.EmailMaxAge + time.Minute)
		if got := queued(); len(got) != 0 {
			t.Errorf("%d queued", len(got))
		}
	})
}

func TestSMTPSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	get := func() store.SMTPSettings {
		s, err := w.db.SMTPSettings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if get().Configured() {
		t.Fatal("configured before any save")
	}
	set := store.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: store.SMTPStartTLS, Username: "tw",
		PasswordSealed: []byte("sealed"), From: "tw@example.com"}
	if err := w.db.SaveSMTPSettings(w.ctx, set, false, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.Host != set.Host || got.Port != 587 || string(got.PasswordSealed) != "sealed" || got.From != set.From {
		t.Errorf("saved %+v", got)
	}
	set.Port, set.PasswordSealed = 2525, nil
	if err := w.db.SaveSMTPSettings(w.ctx, set, true, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.Port != 2525 || string(got.PasswordSealed) != "sealed" {
		t.Errorf("keep password: %+v", got)
	}
	set.Username = ""
	if err := w.db.SaveSMTPSettings(w.ctx, set, true, w.actor); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.PasswordSealed != nil {
		t.Errorf("no username, yet a password is kept")
	}
	if err := w.db.RemoveSMTPSettings(w.ctx, w.actor); err != nil {
		t.Fatal(err)
	}
	if get().Configured() {
		t.Error("configured after remove")
	}
}
