package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/web/core"
)

// TestAuditSearchByWholeToken: a whole token pasted into the audit page's
// Token field never lands in a URL. The form posts; without JavaScript the
// POST redirects to the page's URL naming the token by its id, with htmx
// it answers the table and pushes that URL (and the field now holds the
// id). An old link that still carries the secret redirects to the id's URL
// too, and the export link names the id.
func TestAuditSearchByWholeToken(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("audra")
	secret, laptop := f.secrets["max-laptop"], f.tokens["max-laptop"]
	base := "/orgs/acme/settings/audit"
	c.get(base) // for the CSRF token
	wantURL := base + "?status=active&token=" + laptop.ID

	t.Run("without JavaScript the POST redirects to the id", func(t *testing.T) {
		r := c.post(base+"/search", url.Values{"token": {secret}, "user": {""}, "status": {"active"}})
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != wantURL {
			t.Fatalf("status %d, Location %q; want 303 to %s", r.status, loc, wantURL)
		}
	})
	t.Run("htmx gets the table and pushes the id", func(t *testing.T) {
		form := url.Values{"token": {secret}, "status": {"active"}, "csrf_token": {c.csrf}}
		req := c.request(http.MethodPost, base+"/search", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "audit-table")
		r := c.do(req)
		if r.status != http.StatusOK {
			t.Fatalf("status %d\n%.1000s", r.status, r.body)
		}
		if push := r.header.Get("HX-Push-Url"); push != wantURL {
			t.Errorf("HX-Push-Url %q, want %s", push, wantURL)
		}
		if got := auditRows(t, r.body); len(got) != 1 || got[0] != "max-laptop" {
			t.Errorf("rows %q, want max-laptop", got)
		}
		r.lacks(t, secret, "<html")
		r.contains(t, `id="audit-token" type="text" name="token" value="`+laptop.ID+`"`, `hx-swap-oob="true"`,
			`href="/orgs/acme/settings/audit/tokens.csv?status=active&amp;token=`+laptop.ID+`"`)
	})
	t.Run("an old link with the secret redirects to the id", func(t *testing.T) {
		for _, path := range []string{base, base + "/tokens.csv"} {
			r := c.get(path + "?status=active&token=" + url.QueryEscape(secret))
			want := strings.Replace(wantURL, base, path, 1)
			if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != want {
				t.Errorf("%s: status %d, Location %q; want 303 to %s", path, r.status, loc, want)
			}
			r.lacks(t, secret)
		}
	})
	t.Run("the id's URL lists the token and exports it", func(t *testing.T) {
		r := c.get(wantURL)
		if got := auditRows(t, r.body); r.status != http.StatusOK || len(got) != 1 || got[0] != "max-laptop" {
			t.Fatalf("status %d, rows %q; want max-laptop", r.status, got)
		}
		r.contains(t, `value="`+laptop.ID+`"`, `method="post" action="/orgs/acme/settings/audit/search"`, `name="csrf_token"`)
		csv := c.get(base + "/tokens.csv?status=active&token=" + laptop.ID)
		if csv.status != http.StatusOK || strings.Count(csv.body, "\n") != 2 || !strings.Contains(csv.body, laptop.ID+",max-laptop,cli,") {
			t.Errorf("export: status %d\n%s", csv.status, csv.body)
		}
	})
}

// TestAuditSearchBadTokens: a malformed token, a token no one issued,
// another org's token and an id that is not this org's are each a 400 with
// a message a person can act on, on the GET and the POST, never a 500;
// the secret is never echoed and names come back escaped.
func TestAuditSearchBadTokens(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("ada")
	base := "/orgs/acme/settings/audit"
	c.get(base)
	globex := mustOrg(t, f.a, "globex")
	other := f.a.issue(t, core.TokenRequest{Org: globex, Kind: auth.KindAPI, Name: "globex token", Expiry: "30",
		CreatorID: f.a.user(t, "gus").ID, OwnerUserID: f.a.user(t, "gus").ID})
	unissued, err := auth.NewToken(auth.KindAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token, message string
	}{
		{"malformed", "twa_garbage", "Token is a whole token (twa_… as issued), a token id, or a token&#39;s hint"},
		{"never issued", unissued, "No token with access to this organization has that secret."},
		{"another org's", other.Secret, "No token with access to this organization has that secret."},
		{"another org's id", other.Token.ID, "No token with access to this organization has the id " + other.Token.ID + "."},
		{"unknown id", "0b3a7f0e-5a4e-4a8e-9a57-3c1c2d1e0f00", "No token with access to this organization has the id 0b3a7f0e-5a4e-4a8e-9a57-3c1c2d1e0f00."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			get := c.get(base + "?token=" + url.QueryEscape(tc.token))
			post := c.post(base+"/search", url.Values{"token": {tc.token}})
			csv := c.get(base + "/tokens.csv?token=" + url.QueryEscape(tc.token))
			for what, r := range map[string]response{"GET": get, "POST": post, "CSV": csv} {
				if r.status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", what, r.status)
				}
				r.contains(t, tc.message)
				if strings.HasPrefix(tc.token, "tw") && tc.token != "twa_garbage" {
					r.lacks(t, tc.token)
				}
			}
			post.contains(t, `data-testid="filter-error"`)
		})
	}
	t.Run("names escaped", func(t *testing.T) {
		r := c.post(base+"/search", url.Values{"user": {`<b>x`}, "token": {unissued}})
		if r.status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", r.status)
		}
		r.contains(t, `value="&lt;b&gt;x"`)
		r.lacks(t, "<b>x", unissued)
	})
}
