package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// TestHeadWorksWhereGetDoes: HEAD of a page answers as its GET would, with
// no body, instead of 405.
func TestHeadWorksWhereGetDoes(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	anon, ada := a.client(), a.signIn("ada")
	for _, tt := range []struct {
		c        *client
		path     string
		status   int
		location string
	}{
		{anon, "/login", http.StatusOK, ""},
		{anon, "/healthz", http.StatusOK, ""},
		{anon, "/static/app.css", http.StatusOK, ""},
		{anon, "/orgs/acme/settings/tokens/api", http.StatusSeeOther, "/login?next=%2Forgs%2Facme%2Fsettings%2Ftokens%2Fapi"},
		{ada, "/orgs/acme/settings/tokens/api", http.StatusOK, ""},
		{ada, "/orgs/acme/settings/audit", http.StatusOK, ""},
		{ada, "/orgs/nope/settings/audit", http.StatusNotFound, ""},
	} {
		r := tt.c.do(tt.c.request(http.MethodHead, tt.path, nil, ""))
		if r.status != tt.status || r.header.Get("Location") != tt.location {
			t.Errorf("HEAD %s: %d to %q, want %d to %q", tt.path, r.status, r.header.Get("Location"), tt.status, tt.location)
		}
		if r.body != "" {
			t.Errorf("HEAD %s has a body", tt.path)
		}
	}
	if r := anon.do(anon.request(http.MethodHead, "/login", nil, "")); r.header.Get("Content-Security-Policy") == "" {
		t.Error("HEAD /login lacks the page's security headers")
	}
}

// TestStrictTransportSecurityOnlyOverTLS: Strict-Transport-Security is sent
// when the browser came over TLS, directly or through a trusted proxy that
// says https, and never over plain HTTP.
func TestStrictTransportSecurityOnlyOverTLS(t *testing.T) {
	t.Parallel()
	const want = "max-age=31536000"
	t.Run("plain HTTP", func(t *testing.T) {
		a := seededApp(t)
		if got := a.client().get("/login").header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("over plain HTTP: %q", got)
		}
	})
	t.Run("TLS", func(t *testing.T) {
		a := seededApp(t)
		ts := httptest.NewTLSServer(a.srv.Handler())
		defer ts.Close()
		for _, path := range []string{"/login", "/api/v1/token"} {
			res, err := ts.Client().Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Strict-Transport-Security"); got != want {
				t.Errorf("%s over TLS: %q, want %q", path, got, want)
			}
		}
	})
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		want    string
	}{
		{"trusted proxy saying https", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, want},
		{"untrusted peer saying https", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &app{t: t, log: &syncBuffer{}, proxies: tc.proxies}
			a.db = newApp(t).db
			a.start()
			c := a.client()
			req := c.request(http.MethodGet, "/login", nil, "")
			req.Header.Set("X-Forwarded-Proto", "https")
			if got := c.do(req).header.Get("Strict-Transport-Security"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			req = c.request(http.MethodGet, "/login", nil, "")
			req.Header.Set("X-Forwarded-Proto", "http")
			if got := c.do(req).header.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("proxy saying http: %q", got)
			}
		})
	}
}

// TestLeakReportIsAllOrNothing: a JSON leak report to /oauth/revoke is one
// transaction. When a change fails part-way (here a trigger refuses one
// token's revocation, as a conflicting write would), no token of the report
// is revoked; sent again once the conflict is gone, all are.
func TestLeakReportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.user(t, "ada")
	var secrets []string
	var ids []string
	for _, name := range []string{"first", "poison", "last"} {
		is := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: name, Scopes: []string{"api"}, CreatorID: ada.ID, OwnerUserID: ada.ID})
		secrets, ids = append(secrets, is.Secret), append(ids, is.Token.ID)
	}
	side, err := sql.Open("sqlite", "file:"+a.db.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	if _, err := side.Exec(`CREATE TRIGGER poison_revoke BEFORE UPDATE OF revoked_at ON tokens
		WHEN new.name = 'poison' AND new.revoked_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'a conflicting change'); END`); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string][]string{"tokens": secrets})
	if err != nil {
		t.Fatal(err)
	}
	if r := a.call(t, "POST", "/oauth/revoke", "", "application/json", string(body)); r.status < 500 {
		t.Fatalf("with the conflict: %d %s", r.status, r.body)
	}
	for i, id := range ids {
		if s := store.TokenStatus(mustToken(t, a, id), a.db.Now(), 0); s != store.StatusActive {
			t.Errorf("token %d is %s after a failed report, want active", i, s)
		}
	}
	if _, err := side.Exec(`DROP TRIGGER poison_revoke`); err != nil {
		t.Fatal(err)
	}
	if r := a.call(t, "POST", "/oauth/revoke", "", "application/json", string(body)); r.status != http.StatusOK {
		t.Fatalf("sent again: %d %s", r.status, r.body)
	}
	for i, id := range ids {
		if s := store.TokenStatus(mustToken(t, a, id), a.db.Now(), 0); s != store.StatusRevoked {
			t.Errorf("token %d is %s after the report, want revoked", i, s)
		}
	}
}

// TestMemberSeesOnlySharedServicesInFilter: the service tab's filter lists
// for a member only the services whose tokens they may see (shared ones),
// not every service name of the org; admins and auditors see them all.
func TestMemberSeesOnlySharedServicesInFilter(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.user(t, "ada")
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	for name, vis := range map[string]string{"acme/secret-payroll": auth.VisibilityAdmins, "acme/shared-scanner": auth.VisibilityOrg} {
		if _, _, errs, err := core.OnboardService(context.Background(), a.db, sealer, store.NewService{OrgID: a.org.ID, Name: name},
			core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: name, Visibility: vis, CreatorID: ada.ID},
			store.Actor{UserID: ada.ID, Label: "ada"}); err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
	}
	member := a.signIn("max").get("/orgs/acme/settings/tokens/service")
	member.contains(t, `data-testid="service-filter"`, ">acme/shared-scanner</option>")
	member.lacks(t, "acme/secret-payroll")
	for _, who := range []string{"ada", "audra"} {
		a.signIn(who).get("/orgs/acme/settings/tokens/service").contains(t, ">acme/shared-scanner</option>", ">acme/secret-payroll</option>")
	}
}

// TestFirstSMTPSaveMailsOnlyLaterNotifications: saving mail settings for
// the first time does not email the notifications made before; those made
// after are emailed, and saving the settings again changes nothing of that.
func TestFirstSMTPSaveMailsOnlyLaterNotifications(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	sink, _ := startSMTP(t, "none")
	max := a.user(t, "max")
	revoke := func(name string) {
		is := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: name, CreatorID: max.ID, OwnerUserID: max.ID})
		if _, err := a.db.RevokeToken(ctx, a.org.ID, is.Token.ID, "", store.Actor{Label: "ada"}); err != nil {
			t.Fatal(err)
		}
	}
	revoke("before-1")
	revoke("before-2")
	ada := a.signIn("ada")
	saveSMTP(t, ada, sink, "none", nil)
	if n, err := a.srv.RunMailPass(ctx); err != nil || n != 0 {
		t.Fatalf("first pass after setting up email: sent %d, %v; want 0", n, err)
	}
	revoke("after-1")
	saveSMTP(t, ada, sink, "none", nil) // saved again: not a new start
	revoke("after-2")
	if n, err := a.srv.RunMailPass(ctx); err != nil || n != 2 {
		t.Fatalf("sent %d, %v; want the 2 made after email was set up", n, err)
	}
	var subjects []string
	for _, m := range sink.messages() {
		subjects = append(subjects, parseMail(t, m.data).header.Get("Subject"))
	}
	got := fmt.Sprint(subjects)
	for _, want := range []string{"after-1", "after-2"} {
		if !strings.Contains(got, want) {
			t.Errorf("no email about %s: %s", want, got)
		}
	}
	if strings.Contains(got, "before-") {
		t.Errorf("emailed a notification made before email was set up: %s", got)
	}
}
