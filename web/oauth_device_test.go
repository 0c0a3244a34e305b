package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"tokenward/auth"
)

func TestDeviceMetadata(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	r := a.call(t, "GET", "/.well-known/oauth-authorization-server", "", "", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("metadata: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	for field, want := range map[string]string{
		"issuer":                        a.ts.URL,
		"device_authorization_endpoint": a.ts.URL + "/oauth/device_authorization",
		"token_endpoint":                a.ts.URL + "/oauth/token",
		"introspection_endpoint":        a.ts.URL + "/oauth/introspect",
		"revocation_endpoint":           a.ts.URL + "/oauth/revoke",
	} {
		if got := r.str(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	var doc struct {
		Scopes     []string `json:"scopes_supported"`
		Responses  []string `json:"response_types_supported"`
		Grants     []string `json:"grant_types_supported"`
		TokenAuth  []string `json:"token_endpoint_auth_methods_supported"`
		Introspect []string `json:"introspection_endpoint_auth_methods_supported"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatal(err)
	}
	var catalog []string
	for _, info := range auth.Catalog() {
		catalog = append(catalog, string(info.Name))
	}
	if !slices.Equal(doc.Scopes, catalog) {
		t.Errorf("scopes_supported = %q, want the catalog %q", doc.Scopes, catalog)
	}
	if doc.Responses == nil || len(doc.Responses) != 0 {
		t.Errorf("response_types_supported = %v, want [] (there is no authorization endpoint)", doc.Responses)
	}
	if !slices.Equal(doc.Grants, []string{deviceGrant}) || !slices.Equal(doc.TokenAuth, []string{"none"}) || !slices.Equal(doc.Introspect, []string{"bearer"}) {
		t.Errorf("metadata %s", r.body)
	}
}

func TestDeviceAuthorizationBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	cases := []struct {
		name, contentType, body, auth string
		status                        int
		code, says                    string
	}{
		{"no client_id", formType, "scope=findings%3Alocal", "", 400, "invalid_client", "client_id=tokenward-cli"},
		{"unknown client_id", formType, "client_id=someone-else", "", 400, "invalid_client", "Unknown client_id"},
		{"client authentication", formType, "client_id=tokenward-cli", "Basic dG9rZW53YXJkLWNsaTo=", 401, "invalid_client", "public client"},
		{"a scope a CLI token may not hold", formType, "client_id=tokenward-cli&scope=api", "", 400, "invalid_scope", "findings:local, report"},
		{"an unknown scope", formType, "client_id=tokenward-cli&scope=findings%3Alocal+root", "", 400, "invalid_scope", `Unknown scope "root"`},
		{"a huge device name", formType, "client_id=tokenward-cli&device_name=" + strings.Repeat("x", 101), "", 400, "invalid_request", "at most 100"},
		{"a device name with a line break", formType, "client_id=tokenward-cli&device_name=a%0Ab", "", 400, "invalid_request", "control characters"},
		{"an org that is not a slug", formType, "client_id=tokenward-cli&org=Not+A+Slug", "", 400, "invalid_request", "slug"},
		{"JSON", "application/json", `{"client_id":"tokenward-cli"}`, "", 415, "invalid_request", "x-www-form-urlencoded"},
		{"over 1 MiB", formType, "client_id=tokenward-cli&device_name=" + strings.Repeat("x", 2<<20), "", 413, "", "1 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", a.ts.URL+"/oauth/device_authorization", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.contentType)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || (tc.code != "" && body["error"] != tc.code) || !strings.Contains(fmt.Sprint(body["detail"]), tc.says) {
				t.Errorf("got %d %v, want %d %s saying %q", res.StatusCode, body, tc.status, tc.code, tc.says)
			}
			if tc.status == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("WWW-Authenticate = %q, want the Basic challenge", res.Header.Get("WWW-Authenticate"))
			}
		})
	}

	// Nothing above was written: the address still has all of its 10 pending
	// logins, and the 11th is refused.
	for i := range 10 {
		r := a.startDeviceLogin(t, url.Values{"device_name": {fmt.Sprintf("box %d", i)}})
		if i == 0 {
			if !regexpUserCode.MatchString(r.str("user_code")) || len(r.str("device_code")) < 43 || r.json["expires_in"] != 600.0 || r.json["interval"] != 5.0 ||
				r.str("verification_uri") != a.ts.URL+"/device" || r.str("verification_uri_complete") != a.ts.URL+"/device?code="+r.str("user_code") {
				t.Errorf("device authorization %v", r.json)
			}
		}
	}
	r := a.call(t, "POST", "/oauth/device_authorization", "", formType, "client_id=tokenward-cli")
	r.oauthErr(t, http.StatusTooManyRequests, "slow_down")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the pending cap")
	}
}

func TestDeviceTokenErrors(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	start := time.Now().UTC().Truncate(time.Second)
	a.clock.Set(start)
	at := func(d time.Duration) { a.clock.Set(start.Add(d)) }
	token := func(form string) apiResponse { return a.call(t, "POST", "/oauth/token", "", formType, form) }
	grant := "grant_type=" + url.QueryEscape(deviceGrant)

	t.Run("malformed requests", func(t *testing.T) {
		token("client_id=tokenward-cli&device_code=x").oauthErr(t, 400, "invalid_request")
		token("grant_type=password&client_id=tokenward-cli&username=max&password=x").oauthErr(t, 400, "unsupported_grant_type")
		token("grant_type=authorization_code&client_id=tokenward-cli&code=x").oauthErr(t, 400, "unsupported_grant_type")
		token(grant+"&device_code=x").oauthErr(t, 400, "invalid_client")
		token(grant+"&client_id=other&device_code=x").oauthErr(t, 400, "invalid_client")
		token(grant+"&client_id=tokenward-cli").oauthErr(t, 400, "invalid_request")
		token(grant+"&client_id=tokenward-cli&device_code="+strings.Repeat("x", 5000)).oauthErr(t, 400, "invalid_grant")
		a.call(t, "POST", "/oauth/token", "", "application/json", `{"grant_type":"`+deviceGrant+`"}`).oauthErr(t, 415, "invalid_request")
	})

	t.Run("pending, slow_down, then the token once", func(t *testing.T) {
		da := a.startDeviceLogin(t, url.Values{"device_name": {"laptop"}, "scope": {"findings:local report:read"}})
		code := da.str("device_code")
		a.pollDevice(t, code).oauthErr(t, 400, "authorization_pending")
		slow := a.pollDevice(t, code)
		slow.oauthErr(t, 400, "slow_down")
		if !strings.Contains(slow.str("error_description"), "every 10 seconds") {
			t.Errorf("slow_down says %q, want the new interval of 10 seconds", slow.str("error_description"))
		}
		at(5 * time.Second)
		a.pollDevice(t, code).oauthErr(t, 400, "slow_down") // the old interval no longer does
		// Client authentication is refused before the poll counts: a client
		// trying it first (golang.org/x/oauth2) is not told to slow down.
		at(20 * time.Second)
		req, _ := http.NewRequest("POST", a.ts.URL+"/oauth/token", strings.NewReader(url.Values{"grant_type": {deviceGrant},
			"client_id": {auth.CLIClientID}, "device_code": {code}}.Encode()))
		req.Header.Set("Content-Type", formType)
		req.SetBasicAuth("tokenward-cli", "")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("Basic client authentication: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
		a.pollDevice(t, code).oauthErr(t, 400, "authorization_pending")

		if r := approveDevice(t, a.signIn("max"), da.str("user_code"), "acme"); r.status != http.StatusOK {
			t.Fatalf("approve: %d %.500s", r.status, r.body)
		}
		ok := a.pollDevice(t, code) // an approved login answers at once, however soon
		if ok.status != http.StatusOK || ok.str("token_type") != "Bearer" || ok.str("scope") != "findings:local report:read" ||
			ok.json["expires_in"] != float64(30*24*3600) || ok.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("token: %d %v %v", ok.status, ok.json, ok.header)
		}
		self := a.call(t, "GET", "/api/v1/token", ok.str("access_token"), "", "")
		if self.status != http.StatusOK || self.str("kind") != "cli" || self.str("name") != "laptop" {
			t.Errorf("the token does not work: %d %s", self.status, self.body)
		}
		a.pollDevice(t, code).oauthErr(t, 400, "invalid_grant") // replayed
		a.pollDevice(t, code).oauthErr(t, 400, "invalid_grant")
	})

	t.Run("denied", func(t *testing.T) {
		da := a.startDeviceLogin(t, nil)
		c := a.signIn("max")
		c.get("/device?code=" + da.str("user_code"))
		r := c.post("/device", url.Values{"code": {da.str("user_code")}, "org": {"acme"}, "decision": {"deny"}})
		if r.status != http.StatusOK {
			t.Fatalf("deny: %d", r.status)
		}
		r.contains(t, "Request denied", "Return to your terminal")
		a.pollDevice(t, da.str("device_code")).oauthErr(t, 400, "access_denied")
		events, err := a.db.OrgEvents(context.Background(), a.org.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Action != "device.denied" || events[0].ActorLabel != "max" {
			t.Errorf("last event %+v, want device.denied by max", events)
		}
	})

	t.Run("expired", func(t *testing.T) {
		at(time.Hour)
		pending := a.startDeviceLogin(t, nil)
		approved := a.startDeviceLogin(t, nil)
		c := a.signIn("max")
		if r := approveDevice(t, c, approved.str("user_code"), "acme"); r.status != http.StatusOK {
			t.Fatalf("approve: %d", r.status)
		}
		at(time.Hour + 10*time.Minute)
		a.pollDevice(t, pending.str("device_code")).oauthErr(t, 400, "expired_token")
		a.pollDevice(t, approved.str("device_code")).oauthErr(t, 400, "expired_token")
		r := c.get("/device?code=" + pending.str("user_code"))
		if r.status != http.StatusNotFound {
			t.Errorf("an expired code on /device: %d", r.status)
		}
		r.contains(t, "expire after 10 minutes")
	})
}

// TestDeviceInteropOAuth2 logs in with golang.org/x/oauth2's device flow
// client, knowing nothing but the metadata document's address.
func TestDeviceInteropOAuth2(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("polls at the real 5-second interval")
	}
	a := seededApp(t)
	res, err := http.Get(a.ts.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		DeviceAuth string `json:"device_authorization_endpoint"`
		Token      string `json:"token_endpoint"`
	}
	err = json.NewDecoder(res.Body).Decode(&meta)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := oauth2.Config{ClientID: "tokenward-cli", Scopes: []string{"findings:local", "report:read"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: meta.DeviceAuth, TokenURL: meta.Token}}

	approve, err := cfg.DeviceAuth(ctx, oauth2.SetAuthURLParam("device_name", "interop"))
	if err != nil {
		t.Fatal(err)
	}
	deny, err := cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	member := a.signIn("max")
	for _, da := range []*oauth2.DeviceAuthResponse{approve, deny} {
		u, err := url.Parse(da.VerificationURIComplete)
		if err != nil || u.Path != "/device" || da.Interval != 5 || da.Expiry.IsZero() {
			t.Fatalf("device authorization %+v", da)
		}
		member.get(u.RequestURI()).contains(t, "findings:local", "report:read")
	}
	decide := func(da *oauth2.DeviceAuthResponse, decision string) {
		r := member.post("/device", url.Values{"code": {da.UserCode}, "org": {"acme"}, "decision": {decision}})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", decision, r.status)
		}
	}
	decide(approve, "approve")
	decide(deny, "deny")

	var wg sync.WaitGroup
	var tok *oauth2.Token
	var tokErr, denyErr error
	wg.Go(func() { tok, tokErr = cfg.DeviceAccessToken(ctx, approve) })
	wg.Go(func() { _, denyErr = cfg.DeviceAccessToken(ctx, deny) })
	wg.Wait()
	if tokErr != nil {
		t.Fatal(tokErr)
	}
	if tok.TokenType != "Bearer" || tok.Expiry.IsZero() || !strings.HasPrefix(tok.AccessToken, "twc_") || tok.Extra("scope") != "findings:local report:read" {
		t.Errorf("token %+v", tok)
	}
	self := a.call(t, "GET", "/api/v1/token", tok.AccessToken, "", "")
	if self.status != http.StatusOK || self.str("kind") != "cli" || self.str("name") != "interop" {
		t.Errorf("GET /api/v1/token with the token: %d %s", self.status, self.body)
	}
	var re *oauth2.RetrieveError
	if !errors.As(denyErr, &re) || re.ErrorCode != "access_denied" {
		t.Errorf("denied login: %v, want access_denied", denyErr)
	}
}

func TestDeviceUnknownCodesThrottled(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	da := a.startDeviceLogin(t, nil)
	for i := 1; ; i++ {
		r := a.pollDevice(t, fmt.Sprintf("guess-%d", i))
		if r.status == http.StatusTooManyRequests {
			r.oauthErr(t, http.StatusTooManyRequests, "slow_down")
			if r.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			break
		}
		r.oauthErr(t, 400, "invalid_grant")
		if i > 100 {
			t.Fatal("100 unknown device codes from one address, none refused")
		}
	}
	// Polls with a real device code are not held back.
	a.pollDevice(t, da.str("device_code")).oauthErr(t, 400, "authorization_pending")
}
