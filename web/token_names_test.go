package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/web/core"
)

// hiddenCase is acme with ada's admins-only API token zz-hidden, which
// acts on max's CLI token and on an org-visible token every member sees.
type hiddenCase struct {
	a      *app
	hidden core.Issued
	shared core.Issued
	maxCLI core.Issued
	sink   *smtpSink
}

func newHiddenCase(t *testing.T) *hiddenCase {
	t.Helper()
	a := seededApp(t)
	sink, _ := startSMTP(t, "none")
	saveSMTP(t, a.signIn("ada"), sink, "none", nil)
	ada, maxU := a.user(t, "ada"), a.user(t, "max")
	hc := &hiddenCase{a: a, sink: sink,
		hidden: a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "zz-hidden", Scopes: []string{"api"}, CreatorID: ada.ID, OwnerUserID: ada.ID}),
		shared: a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "shared-deploy", Visibility: "org", CreatorID: ada.ID, OwnerUserID: ada.ID}),
		maxCLI: a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: maxU.ID, OwnerUserID: maxU.ID}),
	}
	const js = "application/json"
	for _, call := range []struct{ method, path, body string }{
		{"PATCH", "/api/v1/tokens/" + hc.shared.Token.ID, `{"name":"shared-deploy-2"}`},
		{"POST", "/api/v1/tokens/" + hc.shared.Token.ID + "/disable", ""},
		{"POST", "/api/v1/tokens/" + hc.shared.Token.ID + "/enable", ""},
		{"POST", "/api/v1/tokens/" + hc.maxCLI.Token.ID + "/disable", ""},
		{"POST", "/api/v1/tokens/" + hc.maxCLI.Token.ID + "/enable", ""},
		{"DELETE", "/api/v1/tokens/" + hc.maxCLI.Token.ID, ""},
	} {
		ct := ""
		if call.body != "" {
			ct = js
		}
		if r := a.call(t, call.method, call.path, hc.hidden.Secret, ct, call.body); r.status >= 300 {
			t.Fatalf("%s %s with zz-hidden: %d %s", call.method, call.path, r.status, r.body)
		}
	}
	if r := a.call(t, "POST", "/oauth/introspect", hc.hidden.Secret, "application/x-www-form-urlencoded",
		url.Values{"token": {hc.shared.Secret}}.Encode()); r.json["active"] != true {
		t.Fatalf("introspect with zz-hidden: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(10 * time.Second) // the last use is written by the background flush
	for mustToken(t, a, hc.shared.Token.ID).LastUsedAt.IsZero() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := a.srv.RunMailPass(context.Background()); err != nil {
		t.Fatal(err)
	}
	return hc
}

func TestMemberNeverLearnsAdminsOnlyTokenName(t *testing.T) {
	t.Parallel()
	hc := newHiddenCase(t)
	max := hc.a.signIn("max")
	for _, path := range []string{"/notifications", "/orgs/acme/settings/tokens/cli/" + hc.maxCLI.Token.ID,
		"/orgs/acme/settings/tokens/api/" + hc.shared.Token.ID} {
		r := max.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d", path, r.status)
		}
		r.lacks(t, "zz-hidden", hc.hidden.Token.Hint)
		r.contains(t, "an API token (created by ada)")
	}
	max.get("/notifications").contains(t, "was revoked by an API token (created by ada)")
	toMax := 0
	for _, m := range hc.sink.messages() {
		if strings.Join(m.to, ",") != "max@example.com" {
			continue
		}
		toMax++
		p := parseMail(t, m.data)
		for part, body := range map[string]string{"text": p.text, "html": p.html} {
			if strings.Contains(body, "zz-hidden") || !strings.Contains(body, "an API token (created by ada)") {
				t.Errorf("the %s part of an email to max:\n%s", part, body)
			}
		}
	}
	if toMax == 0 {
		t.Fatal("no email was sent to max")
	}
	if got := mustToken(t, hc.a, hc.shared.Token.ID).LastUsedWhat; !strings.HasPrefix(got, "introspected by token ") {
		t.Fatalf("the shared token's last use was not flushed: %q", got)
	}
	max.get("/orgs/acme/settings/tokens/api/"+hc.shared.Token.ID).contains(t, "introspected by an API token (created by ada)")
	t.Run("an admin still reads the token's name", func(t *testing.T) {
		ada := hc.a.signIn("ada")
		ada.get("/orgs/acme/settings/tokens/api/"+hc.shared.Token.ID).contains(t, "introspected by zz-hidden (api)")
		ada.get("/orgs/acme/settings/tokens/cli/"+hc.maxCLI.Token.ID).contains(t, "token zz-hidden (created by ada)")
		ada.get("/orgs/acme/settings/audit/events").contains(t, "token zz-hidden (created by ada)")
	})
}

// TestMembersAndAuditorsWalkLeaksNoHiddenToken renders every page and
// fragment a member and an auditor can open, their notifications, their
// emails and the CSV exports, and checks that a member never sees an
// admins-only token's name or hint and that nobody sees a secret.
func TestMembersAndAuditorsWalkLeaksNoHiddenToken(t *testing.T) {
	t.Parallel()
	hc := newHiddenCase(t)
	a := hc.a
	secrets := []string{hc.hidden.Secret, hc.shared.Secret, hc.maxCLI.Secret}
	hiddenWords := []string{"zz-hidden", hc.hidden.Token.Hint}
	ids := map[string][]string{
		":org":  {"acme"},
		":kind": {"api", "cli", "service"},
		":id":   {hc.hidden.Token.ID, hc.shared.Token.ID, hc.maxCLI.Token.ID},
		":user": {itoa(a.user(t, "max").ID), itoa(a.user(t, "ada").ID)},
	}
	var paths []string
	for _, r := range a.srv.Routes() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Guard, "bearer:") || strings.Contains(r.Path, "*") {
			continue
		}
		paths = append(paths, expandPath(r.Path, ids)...)
	}
	for _, who := range []string{"max", "audra"} {
		c := a.signIn(who)
		list, err := a.db.Notifications(context.Background(), a.user(t, who).ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range list {
			paths = append(paths, n.Link)
		}
		seen := 0
		for _, p := range paths {
			// The full page, then each fragment an htmx request may ask for.
			for _, target := range []string{"", "body", "token-table", "audit-table", "event-table"} {
				htmx := target != ""
				req := c.request(http.MethodGet, p, nil, "")
				if htmx {
					req.Header.Set("HX-Request", "true")
					req.Header.Set("HX-Target", target)
				}
				r := c.do(req)
				if r.status != http.StatusOK {
					continue
				}
				seen++
				r.lacks(t, secrets...)
				if who == "max" {
					for _, w := range hiddenWords {
						if strings.Contains(r.body, w) {
							t.Errorf("max reads %q on %s (htmx target %q)", w, p, target)
						}
					}
				}
			}
		}
		if seen < 10 {
			t.Errorf("%s opened only %d pages: the walk reached too little", who, seen)
		}
	}
	for _, m := range hc.sink.messages() {
		body := string(m.data)
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("email to %v holds a secret", m.to)
			}
		}
		if p := parseMail(t, m.data); strings.Join(m.to, ",") == "max@example.com" && strings.Contains(p.text+p.html, "zz-hidden") {
			t.Errorf("email to max names zz-hidden:\n%s", body)
		}
	}
}

// expandPath fills a route pattern's parameters with every value given.
func expandPath(pattern string, ids map[string][]string) []string {
	out := []string{pattern}
	for param, values := range ids {
		var next []string
		for _, p := range out {
			if !strings.Contains(p, param) {
				next = append(next, p)
				continue
			}
			for _, v := range values {
				next = append(next, strings.Replace(p, param, url.PathEscape(v), 1))
			}
		}
		out = next
	}
	return out
}
