package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

func TestAPIInvitations(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	js := "application/json"
	secret := a.adminToken(t, "members:write").Secret
	r := a.call(t, http.MethodPost, "/api/v1/invitations", secret, js, `{"email":"ana@example.com","role":"auditor"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	link := fmt.Sprint(r.json["url"])
	if !strings.HasPrefix(link, a.ts.URL+"/invite/") || r.json["emailed"] != false || r.json["status"] != "pending" || r.json["invited_by"] != "ada" {
		t.Errorf("answer %s", r.body)
	}
	list := a.call(t, http.MethodGet, "/api/v1/invitations", a.adminToken(t, "members:read").Secret, "", "")
	if list.status != http.StatusOK || !strings.Contains(list.body, `"email":"ana@example.com"`) || strings.Contains(list.body, "/invite/") {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	page := a.client().get(a.pathOf(t, link))
	page.contains(t, "<strong>Ada</strong> invited <strong>ana@example.com</strong>", "Auditor")

	t.Run("the org form", func(t *testing.T) {
		r := a.call(t, http.MethodPost, "/api/v1/orgs/acme/invitations", secret, js, `{"email":"bo@example.com","role":"member"}`)
		if r.status != http.StatusCreated {
			t.Fatalf("%d %s", r.status, r.body)
		}
		del := a.call(t, http.MethodDelete, fmt.Sprintf("/api/v1/orgs/acme/invitations/%v", r.json["id"]), secret, "", "")
		if del.status != http.StatusOK || del.json["status"] != "revoked" {
			t.Errorf("revoke: %d %s", del.status, del.body)
		}
		c := a.client()
		if p := c.get(a.pathOf(t, fmt.Sprint(r.json["url"]))); p.status != http.StatusGone || !strings.Contains(p.body, "was revoked") {
			t.Errorf("the revoked link: %d", p.status)
		}
	})
	t.Run("revoke twice, or what is not there", func(t *testing.T) {
		if r := a.call(t, http.MethodDelete, "/api/v1/invitations/999999", secret, "", ""); r.status != http.StatusNotFound {
			t.Errorf("unknown id: %d", r.status)
		}
		if r := a.call(t, http.MethodDelete, "/api/v1/invitations/nope", secret, "", ""); r.status != http.StatusNotFound {
			t.Errorf("not an id: %d", r.status)
		}
	})
	t.Run("a member's token may not invite", func(t *testing.T) {
		max := a.user(t, "max")
		cli := a.issue(t, core.TokenRequest{Kind: auth.KindCLI, Name: "max-cli", CreatorID: max.ID, OwnerUserID: max.ID}).Secret
		if r := a.call(t, http.MethodPost, "/api/v1/invitations", cli, js, `{"email":"x@example.com","role":"admin"}`); r.status != http.StatusForbidden {
			t.Errorf("max's CLI token: %d %s", r.status, r.body)
		}
		if r := a.call(t, http.MethodPost, "/api/v1/invitations", a.adminToken(t, "members:read").Secret, js, `{"email":"x@example.com","role":"admin"}`); r.status != http.StatusForbidden {
			t.Errorf("members:read only: %d", r.status)
		}
	})
	t.Run("accepting notifies the token's owner", func(t *testing.T) {
		c := a.client()
		p := a.pathOf(t, link)
		c.get(p)
		if r := c.post(p+"/join", url.Values{"new_username": {"ana"}, "new_password": {testPassword}}); r.status != http.StatusSeeOther {
			t.Fatalf("join: %d", r.status)
		}
		notes, err := a.db.Notifications(context.Background(), a.user(t, "ada").ID, 5)
		if err != nil || len(notes) == 0 || !strings.Contains(notes[0].Message, "ana accepted your invitation") {
			t.Errorf("ada's notifications %+v %v", notes, err)
		}
	})
}

func TestAPIInvitationsBadInput(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	secret := a.adminToken(t, "members:write").Secret
	js := "application/json"
	if r := a.call(t, http.MethodPost, "/api/v1/invitations", secret, js, `{"email":"taken@example.com","role":"member"}`); r.status != http.StatusCreated {
		t.Fatal(r.status, r.body)
	}
	cases := []struct {
		name, contentType, body string
		status                  int
		field, message          string
	}{
		{"malformed address", js, `{"email":"not an address","role":"member"}`, 422, "email", "Enter an address such as ana@example.com."},
		{"markup in the address", js, `{"email":"<script>x</script>@example.com","role":"member"}`, 422, "email", "Enter an address such as ana@example.com."},
		{"no address", js, `{"role":"member"}`, 422, "email", "Enter an email address."},
		{"unknown role", js, `{"email":"new@example.com","role":"owner"}`, 422, "role", "Choose Admin, Member or Auditor."},
		{"a member's address", js, `{"email":"max@example.com","role":"member"}`, 409, "email", "already the email address of a member of this organization (max)"},
		{"already invited", js, `{"email":"TAKEN@example.com","role":"admin"}`, 409, "email", "already has a pending invitation"},
		{"a number for the address", js, `{"email":5,"role":"member"}`, 400, "", "email"},
		{"an unknown field", js, `{"email":"new@example.com","role":"member","password":"x"}`, 400, "", "password"},
		{"not JSON", js, `{"email":`, 400, "", ""},
		{"a form body", "application/x-www-form-urlencoded", `email=new@example.com&role=member`, 415, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.call(t, http.MethodPost, "/api/v1/invitations", secret, tc.contentType, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
			if tc.field != "" {
				errs, _ := r.json["errors"].(map[string]any)
				if msg, _ := errs[tc.field].(string); !strings.Contains(msg, tc.message) {
					t.Errorf("errors.%s = %q, want %q: %s", tc.field, msg, tc.message, r.body)
				}
			} else if !strings.Contains(r.body, tc.message) {
				t.Errorf("body lacks %q: %s", tc.message, r.body)
			}
			if strings.Contains(r.body, "<script>") {
				t.Error("markup is echoed unescaped")
			}
			if n := len(a.invitations(t)); n != 1 {
				t.Errorf("%d invitations, want the 1 made before", n)
			}
		})
	}
	t.Run("more than 100 pending", func(t *testing.T) {
		for i := 1; i < store.MaxPendingInvitations; i++ {
			_, hash := auth.NewInviteCode()
			if _, err := a.db.CreateInvitation(context.Background(), store.NewInvitation{OrgID: a.org.ID, Email: fmt.Sprintf("p%d@example.com", i),
				Role: "member", LinkHash: hash, TTL: auth.InvitationTTL}, store.Actor{Label: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		r := a.call(t, http.MethodPost, "/api/v1/invitations", secret, js, `{"email":"one-more@example.com","role":"member"}`)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "100 pending invitations") {
			t.Errorf("the 101st: %d %s", r.status, r.body)
		}
		if n := len(a.invitations(t)); n != store.MaxPendingInvitations {
			t.Errorf("%d invitations", n)
		}
	})
}
