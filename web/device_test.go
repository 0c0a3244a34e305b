package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
)

var regexpUserCode = regexp.MustCompile(`^[BCDFGHJKMNPQRSTVWXZ]{4}-[BCDFGHJKMNPQRSTVWXZ]{4}$`)

const (
	deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"
)

// startDeviceLogin is POST /oauth/device_authorization with client_id
// tokenward-cli and the given fields; it fails the test unless it is 200.
func (a *app) startDeviceLogin(t testing.TB, fields url.Values) apiResponse {
	t.Helper()
	if fields == nil {
		fields = url.Values{}
	}
	fields.Set("client_id", auth.CLIClientID)
	r := a.call(t, "POST", "/oauth/device_authorization", "", formType, fields.Encode())
	if r.status != http.StatusOK {
		t.Fatalf("device authorization: %d %s", r.status, r.body)
	}
	return r
}

// pollDevice is one poll of the token endpoint with a device code.
func (a *app) pollDevice(t testing.TB, deviceCode string) apiResponse {
	t.Helper()
	return a.call(t, "POST", "/oauth/token", "", formType,
		url.Values{"grant_type": {deviceGrant}, "client_id": {auth.CLIClientID}, "device_code": {deviceCode}}.Encode())
}

// oauthErr fails the test unless r is status with the OAuth error code.
func (r apiResponse) oauthErr(t testing.TB, status int, code string) {
	t.Helper()
	if r.status != status || r.json["error"] != code || r.json["error_description"] == "" {
		t.Errorf("got %d %v, want %d with error %q and a description", r.status, r.json, status, code)
	}
}

// str is a JSON member as a string.
func (r apiResponse) str(name string) string { s, _ := r.json[name].(string); return s }

// approveDevice activates a login through the /device page as c, into org.
func approveDevice(t testing.TB, c *client, userCode, org string) response {
	t.Helper()
	c.get("/device?code=" + url.QueryEscape(userCode))
	return c.post("/device", url.Values{"code": {userCode}, "org": {org}, "decision": {"approve"}})
}

func TestDevicePage(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()

	t.Run("signed out: sign in, then back", func(t *testing.T) {
		r := a.client().get("/device?code=BCDF-GHJK")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next="+url.QueryEscape("/device?code=BCDF-GHJK") {
			t.Errorf("anonymous: %d %q", r.status, r.header.Get("Location"))
		}
	})

	member := a.signIn("max")
	t.Run("the form", func(t *testing.T) {
		r := member.get("/device")
		if r.status != http.StatusOK {
			t.Fatalf("GET /device: %d", r.status)
		}
		r.contains(t, `data-testid="device-code"`, "tokenward login")
		for _, bad := range []string{"ABC", "BCDF-GHJ0", "<script>", strings.Repeat("B", 100)} {
			r := member.get("/device?code=" + url.QueryEscape(bad))
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("code %q: %d", bad, r.status)
			}
			r.contains(t, "8-letter code")
			r.lacks(t, "<script>")
		}
	})

	name := `Max's <b>laptop</b>`
	da := a.startDeviceLogin(t, url.Values{"device_name": {name}, "scope": {"findings:local repo:list"}})
	userCode := da.str("user_code")
	t.Run("the code in any case, with or without the dash", func(t *testing.T) {
		for _, typed := range []string{userCode, strings.ToLower(userCode), strings.ReplaceAll(userCode, "-", ""),
			"  " + strings.ToLower(userCode[:4]) + " " + userCode[5:] + " "} {
			r := member.get("/device?code=" + url.QueryEscape(typed))
			if r.status != http.StatusOK {
				t.Fatalf("code %q: %d %.300s", typed, r.status, r.body)
			}
			r.contains(t, "Max&#39;s &lt;b&gt;laptop&lt;/b&gt;", "127.0.0.1", "findings:local", "repo:list", "List git repositories",
				"Acme", `data-testid="device-activate"`, `data-testid="device-deny"`, userCode)
			r.lacks(t, "<b>laptop</b>", `data-testid="device-org"`) // member is in one org: no picker
		}
	})

	t.Run("no activation into an org one is not in, or may not use", func(t *testing.T) {
		for _, org := range []string{"globex", "nope", "../acme", ""} {
			if r := member.post("/device", url.Values{"code": {userCode}, "org": {org}, "decision": {"approve"}}); r.status != http.StatusNotFound {
				t.Errorf("approve into %q: %d", org, r.status)
			}
		}
		audra := a.signIn("audra")
		r := audra.get("/device?code=" + userCode)
		r.contains(t, `data-testid="device-no-org"`)
		r.lacks(t, `data-testid="device-activate"`)
		if r := audra.post("/device", url.Values{"code": {userCode}, "org": {"acme"}, "decision": {"approve"}}); r.status != http.StatusForbidden {
			t.Errorf("auditor approves: %d", r.status)
		}
		if r := member.post("/device", url.Values{"code": {userCode}, "org": {"acme"}, "decision": {"maybe"}}); r.status != http.StatusBadRequest {
			t.Errorf("decision maybe: %d", r.status)
		}
		a.pollDevice(t, da.str("device_code")).oauthErr(t, 400, "authorization_pending") // nothing was written
		if _, err := a.db.PendingDeviceAuthorization(ctx, strings.ReplaceAll(userCode, "-", "")); err != nil {
			t.Errorf("the login is no longer pending: %v", err)
		}
	})

	t.Run("activate", func(t *testing.T) {
		r := approveDevice(t, member, strings.ToLower(userCode), "acme")
		if r.status != http.StatusOK {
			t.Fatalf("approve: %d %.500s", r.status, r.body)
		}
		r.contains(t, "Device activated", "Return to your terminal", "Acme")
		if again := member.post("/device", url.Values{"code": {userCode}, "org": {"acme"}, "decision": {"approve"}}); again.status != http.StatusNotFound {
			t.Errorf("approve twice: %d", again.status)
		}
		tok := a.pollDevice(t, da.str("device_code"))
		if tok.status != http.StatusOK || tok.str("scope") != "findings:local repo:list" {
			t.Fatalf("token: %d %s", tok.status, tok.body)
		}
		got := mustTokenBySecret(t, a, tok.str("access_token"))
		maxUser, err := a.db.UserByUsername(ctx, "max")
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != "cli" || got.OrgID != a.org.ID || got.OwnerUserID != maxUser.ID || got.CreatorID != maxUser.ID || got.Name != name || got.DeviceName != name {
			t.Errorf("token %+v", got)
		}
		events, err := a.db.OrgEvents(ctx, a.org.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Action != "token.created" || events[1].Action != "device.approved" || events[1].ActorLabel != "max" {
			t.Errorf("events %+v", events)
		}

		// A second login from a device of the same name gets its own name.
		da2 := a.startDeviceLogin(t, url.Values{"device_name": {name}})
		approveDevice(t, member, da2.str("user_code"), "acme")
		tok2 := a.pollDevice(t, da2.str("device_code"))
		if got := mustTokenBySecret(t, a, tok2.str("access_token")); got.Name != name+" (2)" || got.DeviceName != name {
			t.Errorf("second token named %q (device %q), want %q", got.Name, got.DeviceName, name+" (2)")
		}
	})

	t.Run("several orgs: a picker, the CLI's --org chosen", func(t *testing.T) {
		ada, err := a.db.UserByUsername(ctx, "ada")
		if err != nil {
			t.Fatal(err)
		}
		globex, err := a.db.OrgBySlug(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		gus, err := a.db.UserByUsername(ctx, "gus")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.AddMember(ctx, globex.ID, ada.ID, "member", store.Actor{UserID: gus.ID, Label: "gus"}); err != nil {
			t.Fatal(err)
		}
		c := a.signIn("ada")
		da := a.startDeviceLogin(t, url.Values{"org": {"globex"}, "device_name": {"desk"}})
		r := c.get("/device?code=" + da.str("user_code"))
		r.contains(t, `data-testid="device-org"`, `<option value="acme">Acme</option>`, `<option value="globex" selected>Globex</option>`)
		approveDevice(t, c, da.str("user_code"), "globex").contains(t, "Device activated", "Globex")
		tok := a.pollDevice(t, da.str("device_code"))
		if got := mustTokenBySecret(t, a, tok.str("access_token")); got.OrgID != globex.ID || got.OwnerUserID != ada.ID {
			t.Errorf("token in org %d of %d, want globex's, ada's", got.OrgID, got.OwnerUserID)
		}
	})
}

func TestDeviceWrongCodesThrottled(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	wrong := func(c *client) response { return c.get("/device?code=" + auth.FormatUserCode(auth.NewUserCode())) }
	member := a.signIn("max")
	for i := range 10 {
		if r := wrong(member); r.status != http.StatusNotFound {
			t.Fatalf("wrong code %d: %d", i+1, r.status)
		}
	}
	r := wrong(member)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("11th wrong code: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	r.contains(t, "Too many wrong codes. Try again in")
	da := a.startDeviceLogin(t, nil)
	if r := member.get("/device?code=" + da.str("user_code")); r.status != http.StatusTooManyRequests {
		t.Errorf("a right code while throttled: %d", r.status)
	}
	if r := member.post("/device", url.Values{"code": {da.str("user_code")}, "org": {"acme"}, "decision": {"approve"}}); r.status != http.StatusTooManyRequests {
		t.Errorf("approve while throttled: %d", r.status)
	}
	// The address has spent 10 of its 20; audra spends the rest, and then
	// ada, who never typed a wrong code, is held back too.
	audra := a.signIn("audra")
	for range 10 {
		wrong(audra)
	}
	if r := a.signIn("ada").get("/device?code=" + da.str("user_code")); r.status != http.StatusTooManyRequests {
		t.Errorf("another user from the same address: %d", r.status)
	}
	a.pollDevice(t, da.str("device_code")).oauthErr(t, 400, "authorization_pending")
}

func TestDeviceSignOutThisDevice(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	member := a.signIn("max")
	da := a.startDeviceLogin(t, url.Values{"device_name": {"laptop"}})
	approveDevice(t, member, da.str("user_code"), "acme")
	secret := a.pollDevice(t, da.str("device_code")).str("access_token")
	tok := mustTokenBySecret(t, a, secret)

	list := member.get("/orgs/acme/settings/tokens/cli")
	// One word, Revoke, on one's own CLI tokens as on everyone else's,
	// with the device named.
	list.contains(t, "device laptop", `data-testid="action-revoke">Revoke<`)
	list.lacks(t, "Sign out this device")
	admin := a.signIn("ada")
	admin.get("/orgs/acme/settings/tokens/cli").lacks(t, "Sign out this device")
	admin.get(tokenURL(tok, "revoke")).contains(t, "device laptop")
	dialog := member.get(tokenURL(tok, "revoke"))
	dialog.contains(t, "(device laptop)?", "tokenward on laptop can no longer make requests", "tokenward login")
	if r := member.post(tokenURL(tok, "revoke"), url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.status)
	}
	member.get("/orgs/acme/settings/tokens/cli").contains(t, ": tokenward on laptop is signed out.")
	if r := a.call(t, "GET", "/api/v1/token", secret, "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("the signed-out token still works: %d", r.status)
	}
}
