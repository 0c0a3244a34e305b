package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

var bellCount = regexp.MustCompile(`data-testid="bell-count">(\d+)<`)

// bell is the unread count a page's header shows; 0 when it shows none.
func bell(t *testing.T, r response) string {
	t.Helper()
	if !strings.Contains(r.body, `data-testid="bell"`) {
		t.Fatalf("no bell on the page (status %d)", r.status)
	}
	if m := bellCount.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return "0"
}

func (a *app) notices(t *testing.T, username string) []store.Notification {
	t.Helper()
	list, err := a.db.Notifications(context.Background(), a.user(t, username).ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestNotificationsForTokenChanges(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	max := a.user(t, "max")
	maxCLI := func(name string) core.Issued {
		return a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: name, CreatorID: max.ID, OwnerUserID: max.ID})
	}
	maxAPI := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "max-api", Scopes: []string{"api"}, CreatorID: max.ID, OwnerUserID: max.ID})
	ada := a.signIn("ada")
	mc := a.signIn("max")
	ada.get("/")
	mc.get("/")

	steps := []struct {
		name    string
		do      func() core.Issued
		kind    string // "" when max hears nothing
		message string
	}{
		{"an admin revokes", func() core.Issued {
			is := maxCLI("laptop")
			ada.post(tokenURL(is.Token, "revoke"), url.Values{})
			return is
		}, store.NoticeRevoked, `Your CLI token "laptop" was revoked by ada.`},
		{"the owner revokes", func() core.Issued {
			is := maxCLI("desktop")
			mc.post(tokenURL(is.Token, "revoke"), url.Values{})
			return is
		}, "", ""},
		{"an admin disables", func() core.Issued {
			ada.post(tokenURL(maxAPI.Token, "disable"), url.Values{})
			return maxAPI
		}, store.NoticeDisabled, `Your API token "max-api" was disabled by ada`},
		{"an admin rotates", func() core.Issued {
			ada.post(tokenURL(maxAPI.Token, "enable"), url.Values{})
			ada.post(tokenURL(maxAPI.Token, "rotate"), url.Values{"grace": {"now"}, "hint": {maxAPI.Token.Hint}})
			return maxAPI
		}, store.NoticeRotated, `Your API token "max-api" was rotated by ada.`},
		{"reported leaked", func() core.Issued {
			is := maxCLI("leaky")
			if r := a.call(t, http.MethodPost, "/oauth/revoke", "", "application/x-www-form-urlencoded", url.Values{"token": {is.Secret}}.Encode()); r.status != 200 {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
			return is
		}, store.NoticeLeaked, `Your CLI token "leaky" was reported as leaked`},
		{"an admin token revokes through the API", func() core.Issued {
			is := maxCLI("api-victim")
			admin := a.adminToken(t)
			if r := a.call(t, http.MethodDelete, "/api/v1/tokens/"+is.Token.ID, admin.Secret, "", ""); r.status >= 300 {
				t.Fatalf("API revoke: %d %s", r.status, r.body)
			}
			return is
		}, store.NoticeRevoked, `Your CLI token "api-victim" was revoked by token`},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := len(a.notices(t, "max"))
			is := st.do()
			list := a.notices(t, "max")
			if st.kind == "" {
				if len(list) != before {
					t.Fatalf("max got %d notifications, want none", len(list)-before)
				}
				return
			}
			if len(list) != before+1 {
				t.Fatalf("max got %d notifications, want 1", len(list)-before)
			}
			n := list[0]
			if n.Kind != st.kind || !strings.HasPrefix(n.Message, st.message) || n.Link != tokenURL(is.Token, "") {
				t.Errorf("notification %+v", n)
			}
			if strings.Contains(n.Message, is.Secret) {
				t.Error("the message holds the secret")
			}
		})
	}
	if got := a.notices(t, "ada"); len(got) != 0 {
		t.Errorf("ada, who made the changes, got %d notifications", len(got))
	}

	t.Run("the bell, the list, opening and marking read", func(t *testing.T) {
		home := mc.get("/")
		if got := bell(t, home); got != "5" {
			t.Errorf("bell shows %s, want 5", got)
		}
		page := mc.get("/notifications")
		page.contains(t, `CLI token &#34;leaky&#34; was reported as leaked`, "notification-unread", "Mark all read")
		if i, j := strings.Index(page.body, "api-victim"), strings.Index(page.body, "laptop"); i < 0 || j < 0 || i > j {
			t.Error("not newest first")
		}
		newest := a.notices(t, "max")[0]
		if r := ada.get("/notifications/" + itoa(newest.ID)); r.status != http.StatusNotFound {
			t.Errorf("ada opened max's notification: status %d", r.status)
		}
		r := mc.get("/notifications/" + itoa(newest.ID))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != newest.Link {
			t.Fatalf("open: status %d to %q, want %s", r.status, r.header.Get("Location"), newest.Link)
		}
		if got := bell(t, mc.get(newest.Link)); got != "4" {
			t.Errorf("after opening one the bell shows %s, want 4", got)
		}
		mc.get("/notifications")
		if r := mc.post("/notifications/read-all", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("read all: status %d", r.status)
		}
		page = mc.get("/notifications")
		page.contains(t, "Marked 4 notifications read.")
		page.lacks(t, "notification-unread", "Mark all read")
		if got := bell(t, page); got != "0" {
			t.Errorf("bell shows %s after reading all", got)
		}
	})
}

func TestNotificationsPageEmptyAndSignedOut(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	page := a.signIn("audra").get("/notifications")
	page.contains(t, `data-testid="empty-notifications"`, "No notifications yet")
	page.lacks(t, "bell-count", "Mark all read")
	login := a.client().get("/login")
	login.lacks(t, `data-testid="bell"`)
	if r := a.client().get("/notifications"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("anonymous: status %d", r.status)
	}
}

func TestExpiryJobRunTwiceSendsOnce(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	now := time.Now().UTC().Truncate(time.Second)
	a.clock.Set(now)
	max := a.user(t, "max")
	is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "expiring", Expiry: "30", CreatorID: max.ID, OwnerUserID: max.ID})
	ctx := context.Background()

	now = now.Add(24 * 24 * time.Hour) // six days left
	a.clock.Set(now)
	first, err := a.srv.RunExpiryPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.srv.RunExpiryPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The server's own job may have made it first; either way it exists once.
	if first > 1 || second != 0 {
		t.Errorf("passes created %d then %d", first, second)
	}
	list := a.notices(t, "max")
	if len(list) != 1 || list[0].Kind != store.NoticeExpires7d || list[0].TokenID != is.Token.ID {
		t.Fatalf("notifications %+v", list)
	}
	if !strings.Contains(list[0].Message, `Your CLI token "expiring" expires in 6 days`) {
		t.Errorf("message %q", list[0].Message)
	}

	t.Run("a restarted server sends nothing twice", func(t *testing.T) {
		a.srv.Close()
		a.start()
		if n, err := a.srv.RunExpiryPass(ctx); err != nil || n != 0 {
			t.Errorf("after restart: created %d, %v", n, err)
		}
		if got := len(a.notices(t, "max")); got != 1 {
			t.Errorf("%d notifications, want 1", got)
		}
	})
	t.Run("then it expires", func(t *testing.T) {
		now = now.Add(7 * 24 * time.Hour)
		a.clock.Set(now)
		if _, err := a.srv.RunExpiryPass(ctx); err != nil {
			t.Fatal(err)
		}
		list := a.notices(t, "max")
		if len(list) != 2 || list[0].Kind != store.NoticeExpired {
			t.Errorf("notifications %+v", list)
		}
	})
}
