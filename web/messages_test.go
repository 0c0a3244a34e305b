package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
)

// TestOrgNameEndingInFullStopGetsNoSecond: "Acme Inc." closes a sentence
// with its own full stop, not "Acme Inc..".
func TestOrgNameEndingInFullStopGetsNoSecond(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.signIn("ada")
	ada.get("/admin")
	if r := ada.post("/admin/orgs", url.Values{"slug": {"initech"}, "name": {"Initech Inc."}}); r.status != http.StatusSeeOther {
		t.Fatalf("create org: %d\n%.1000s", r.status, r.body)
	}
	page := ada.get("/admin")
	page.contains(t, "Created Initech Inc. You are its first admin.")
	page.lacks(t, "Inc..")

	ctx := context.Background()
	org, err := a.db.OrgBySlug(ctx, "initech")
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.db.CreateMember(ctx, org.ID, store.NewUser{Username: "milton", Email: "milton@example.com", PasswordHash: "x"},
		"member", store.Actor{Label: "test"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/orgs/initech/settings/members/" + itoa(m.User.ID) + "/remove"
	ada.get(path)
	if r := ada.post(path, url.Values{"api_tokens": {"keep"}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove member: %d\n%.1000s", r.status, r.body)
	}
	page = ada.get("/orgs/initech/settings/members")
	page.contains(t, "Removed milton from Initech Inc.")
	page.lacks(t, "Inc..")

	for in, want := range map[string]string{"Acme": "Acme.", "Acme Inc.": "Acme Inc.", "Yes!": "Yes!", "Who?": "Who?", "Etc…": "Etc…"} {
		if got := views.EndSentence(in); got != want {
			t.Errorf("EndSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDeviceCodeNamesTheLettersCodesNeverUse: a code with letters outside
// the alphabet is refused with those letters named, not "letters only".
func TestDeviceCodeNamesTheLettersCodesNeverUse(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	member := a.signIn("max")
	for typed, want := range map[string][]string{
		"ABCD-EFGH": {"Codes never use “A” and “E”", "no vowels, no L or Y, no digits"},
		"bcdf-ghj0": {"Codes never use “0”"},
		"BCDL-LGHY": {"Codes never use “L” and “Y”"},
		"BCDF-GHJ":  {"A code has 8 letters; this has 7."},
	} {
		r := member.get("/device?code=" + url.QueryEscape(typed))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("code %q: status %d", typed, r.status)
		}
		r.contains(t, append([]string{"8-letter code"}, want...)...)
		if strings.Contains(r.body, "letters only") {
			t.Errorf("code %q: still says letters only", typed)
		}
	}
}

// TestRevokeAllCountsOnlyLiveTokens: "Revoke all N live tokens of max?"
// leaves out max's expired token, and confirming revokes the tokens it
// counted, not one made after the confirmation opened.
func TestRevokeAllCountsOnlyLiveTokens(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	max := a.user(t, "max")
	now := a.db.Now()
	a.clock.Set(now.Add(-48 * time.Hour))
	expired := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "old laptop", Expiry: "1", CreatorID: max.ID, OwnerUserID: max.ID})
	a.clock.Set(now)
	live := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "laptop", CreatorID: max.ID, OwnerUserID: max.ID})
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/cli")

	r := admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"user": {itoa(max.ID)}})
	r.contains(t, "Revoke all 1 live token of max?", "laptop (cli", `name="ids" value="`+live.Token.ID+`"`)
	r.lacks(t, "old laptop", "2 live tokens")

	later := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "new laptop", CreatorID: max.ID, OwnerUserID: max.ID})
	r = admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"user": {itoa(max.ID)}, "ids": {live.Token.ID}, "confirm": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%.1000s", r.status, r.body)
	}
	admin.get("/orgs/acme/settings/tokens/api").contains(t, "Revoked 1 token.")
	for id, want := range map[string]string{live.Token.ID: "revoked", later.Token.ID: "active", expired.Token.ID: "expired"} {
		tok := mustToken(t, a, id)
		if got := store.TokenStatus(tok, a.db.Now(), 0); got != want {
			t.Errorf("%s: %s, want %s", tok.Name, got, want)
		}
	}
}

// TestCancelOnServiceRevokeAllReturnsToServiceTab: the confirmation for
// a service's tokens cancels (and, once done, returns) to the service tab.
func TestCancelOnServiceRevokeAllReturnsToServiceTab(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ada := a.user(t, "ada")
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, errs, err := core.OnboardService(context.Background(), a.db, sealer, store.NewService{OrgID: a.org.ID, Name: "acme/payments"},
		core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: "acme/payments", CreatorID: ada.ID}, store.Actor{UserID: ada.ID, Label: "ada"})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/service")
	r := admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"service": {itoa(svc.ID)}})
	r.contains(t, "Revoke all 1 live token of acme/payments?",
		`href="/orgs/acme/settings/tokens/service" data-dialog-close data-testid="dialog-cancel"`)
	r.lacks(t, `href="/orgs/acme/settings/tokens/api" data-dialog-close`)
	r = admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"service": {itoa(svc.ID)}, "confirm": {"yes"}})
	if got := r.header.Get("Location"); r.status != http.StatusSeeOther || got != "/orgs/acme/settings/tokens/service" {
		t.Errorf("after confirming: %d to %q", r.status, got)
	}
}

// TestOldSecretAfterRotateNowSaysRotated: after "rotate now" (and after a
// grace ends) the old secret gets 401 saying the token was rotated and the
// new secret must be used, not "not known"; it cannot revoke the new one.
func TestOldSecretAfterRotateNowSaysRotated(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	old, id := admin.createToken(t, "api", url.Values{"name": {"rotating"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"now"}, "hint": {tok.Hint}})
	fresh := secretPattern.FindString(r.body)
	if r.status != http.StatusOK || fresh == "" {
		t.Fatalf("rotate: %d", r.status)
	}
	got := a.call(t, "GET", "/api/v1/token", old, "", "")
	detail, _ := got.json["detail"].(string)
	if got.status != http.StatusUnauthorized || got.json["title"] != "Token rotated" ||
		!strings.Contains(detail, "This token was rotated on") || !strings.Contains(detail, "Use the new secret") {
		t.Errorf("old secret: %d %s", got.status, got.body)
	}
	if strings.Contains(got.body, "not known") {
		t.Errorf("old secret is called unknown: %s", got.body)
	}
	if !strings.Contains(got.header.Get("WWW-Authenticate"), "rotated") {
		t.Errorf("WWW-Authenticate = %q", got.header.Get("WWW-Authenticate"))
	}
	if rv := a.call(t, "POST", "/oauth/revoke", "", "application/x-www-form-urlencoded", url.Values{"token": {old}}.Encode()); rv.status != http.StatusOK {
		t.Fatalf("revoke with the old secret: %d", rv.status)
	}
	if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != http.StatusOK {
		t.Errorf("the old secret revoked the new one: %d %s", r.status, r.body)
	}

	t.Run("after a grace has ended", func(t *testing.T) {
		tok := mustToken(t, a, id)
		r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"1h"}, "hint": {tok.Hint}})
		if r.status != http.StatusOK {
			t.Fatalf("rotate: %d", r.status)
		}
		if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != http.StatusOK {
			t.Fatalf("within its grace: %d", r.status)
		}
		now := a.db.Now()
		a.clock.Set(now.Add(2 * time.Hour))
		defer a.clock.Set(now)
		if r := a.call(t, "GET", "/api/v1/token", fresh, "", ""); r.status != http.StatusUnauthorized || r.json["title"] != "Token rotated" {
			t.Errorf("after its grace: %d %s", r.status, r.body)
		}
	})
}

// TestAPITypeErrorsSpeakJSON: a JSON value of the wrong type is named in
// JSON's words ("a whole number", "a list of strings"), never Go's ("a
// int64", "slice", "struct").
func TestAPITypeErrorsSpeakJSON(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	tok := a.adminToken(t)
	target := a.adminToken(t).Token
	for _, tt := range []struct{ method, path, body, want string }{
		{"POST", "/api/v1/tokens", `{"name": "x", "quota": "5"}`, `The field "quota" must be a whole number, not a string.`},
		{"POST", "/api/v1/tokens", `{"name": "x", "quota": 1.5}`, `The field "quota" must be a whole number (at most 9223372036854775807), not 1.5.`},
		{"POST", "/api/v1/tokens", `{"name": "x", "quota": true}`, `The field "quota" must be a whole number, not true or false.`},
		{"POST", "/api/v1/tokens", `{"name": 5}`, `The field "name" must be a string, not a number.`},
		{"POST", "/api/v1/tokens", `{"name": "x", "scopes": "api"}`, `The field "scopes" must be a list of strings, not a string.`},
		{"POST", "/api/v1/tokens", `{"name": "x", "scopes": [1]}`, `Each item of the field "scopes" must be a string, not a number.`},
		{"POST", "/api/v1/tokens", `{"name": {"first": "x"}}`, `The field "name" must be a string, not an object.`},
		{"POST", "/api/v1/tokens", `[]`, `The body must be an object, not a list.`},
		{"PATCH", "/api/v1/tokens/" + target.ID, `{"visibility": true}`, `The field "visibility" must be a string, not true or false.`},
		{"POST", "/oauth/revoke", `{"tokens": "twa_x"}`, `The field "tokens" must be a list of strings, not a string.`},
	} {
		t.Run(tt.body, func(t *testing.T) {
			secret := tok.Secret
			if tt.path == "/oauth/revoke" {
				secret = ""
			}
			r := a.call(t, tt.method, tt.path, secret, "application/json", tt.body)
			if r.status != http.StatusBadRequest || r.json["detail"] != tt.want {
				t.Errorf("%d %v, want 400 %q", r.status, r.json["detail"], tt.want)
			}
			for _, goWord := range []string{"int64", "a int", "slice", "struct", "JSON string"} {
				if strings.Contains(r.body, goWord) {
					t.Errorf("says %q: %s", goWord, r.body)
				}
			}
		})
	}
}

// TestAdminRevealingAdminsOnlyTokenIsToldToRotate: an admin posting Reveal
// for an admins-only token by hand is told only shared tokens can be
// revealed and to rotate instead, not that their role forbids it.
func TestAdminRevealingAdminsOnlyTokenIsToldToRotate(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	_, id := admin.createToken(t, "api", url.Values{"name": {"hidden"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	r := admin.post(tokenURL(tok, "reveal"), url.Values{})
	if r.status != http.StatusForbidden {
		t.Errorf("status %d, want 403", r.status)
	}
	r.contains(t, "Only tokens shared with the organization can be revealed", "Rotate it to get a new secret")
	r.lacks(t, "does not allow this")
	if secretPattern.MatchString(r.body) {
		t.Error("a secret is on the page")
	}
	t.Run("the auditor is still refused for their role", func(t *testing.T) {
		aud := a.signIn("audra")
		aud.get("/orgs/acme/settings/tokens/api")
		if r := aud.post(tokenURL(tok, "reveal"), url.Values{}); r.status != http.StatusForbidden {
			t.Errorf("status %d", r.status)
		}
	})
}

// TestRotateWithoutItsHintSaysWhatIsMissing: a rotate post without its
// hidden hint field says the field is missing, not "Already rotated", and
// rotates nothing.
func TestRotateWithoutItsHintSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	_, id := admin.createToken(t, "api", url.Values{"name": {"rotating"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	for _, path := range []string{tokenURL(tok, "rotate"), tokenURL(tok, "edit")} {
		form := url.Values{"grace": {"now"}}
		if strings.HasSuffix(path, "/edit") {
			form = url.Values{"name": {"rotating"}, "scopes": {"api"}, "visibility": {"org"}, "op": {"rotate-share"}}
		}
		r := admin.post(path, form)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, r.status)
		}
		r.contains(t, "This form lacks its hint field")
		r.lacks(t, "Already rotated", "was rotated after this form was opened")
		if got := mustToken(t, a, id); got.Hint != tok.Hint {
			t.Errorf("%s: rotated anyway", path)
		}
	}
}
