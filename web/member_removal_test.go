package web_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"testing"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// removalCase is acme with max promoted to admin and holding two API
// tokens and a CLI token; ada has a CLI token too. c is ada, signed in.
type removalCase struct {
	a    *app
	c    *client
	ada  store.User
	max  store.User
	toks map[string]store.Token
	path string
}

func newRemovalCase(t *testing.T) *removalCase {
	t.Helper()
	a := seededApp(t)
	ctx := context.Background()
	ada, err := a.db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	maxU, err := a.db.UserByUsername(ctx, "max")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.ChangeRole(ctx, a.org.ID, maxU.ID, "admin", store.Actor{UserID: ada.ID, Label: "ada"}); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, auth.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	rc := &removalCase{a: a, ada: ada, max: maxU, toks: map[string]store.Token{},
		path: "/orgs/acme/settings/members/" + itoa(maxU.ID) + "/remove"}
	for _, tr := range []struct {
		kind  auth.Kind
		name  string
		owner store.User
	}{
		{auth.KindAPI, "max api 1", maxU}, {auth.KindAPI, "max api 2", maxU}, {auth.KindCLI, "max-laptop", maxU}, {auth.KindCLI, "ada-laptop", ada},
	} {
		issued, errs, err := core.IssueToken(ctx, a.db, sealer, core.TokenRequest{Org: a.org, Kind: tr.kind, Name: tr.name,
			CreatorID: tr.owner.ID, OwnerUserID: tr.owner.ID}, store.Actor{UserID: tr.owner.ID, Label: tr.owner.Username})
		if err != nil || len(errs) > 0 {
			t.Fatalf("issue %s: %v %v", tr.name, errs, err)
		}
		rc.toks[tr.name] = issued.Token
	}
	rc.c = a.signIn("ada")
	return rc
}

// token reloads one of the case's tokens.
func (rc *removalCase) token(name string) store.Token {
	rc.a.t.Helper()
	t, err := rc.a.db.TokenByID(context.Background(), rc.a.org.ID, rc.toks[name].ID)
	if err != nil {
		rc.a.t.Fatal(err)
	}
	return t
}

func (rc *removalCase) stillMember() bool {
	_, err := rc.a.db.Membership(context.Background(), rc.a.org.ID, rc.max.ID)
	return err == nil
}

func TestRemoveMemberConfirmation(t *testing.T) {
	t.Parallel()
	rc := newRemovalCase(t)
	r := rc.c.get("/orgs/acme/settings/members")
	r.contains(t, `href="`+rc.path+`"`)
	r.lacks(t, `data-confirm="Remove max`)

	r = rc.c.get(rc.path)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d\n%s", r.status, r.body)
	}
	r.contains(t, "Remove max", "max api 1", "max api 2", "max-laptop", "1 CLI token will be revoked", "2 API tokens",
		`value="keep" checked`, `value="revoke"`, `value="transfer"`, `<option value="`+itoa(rc.ada.ID)+`"`)
	r.lacks(t, "ada-laptop", `<option value="`+itoa(rc.max.ID)+`"`)

	t.Run("only admins, only members of the org", func(t *testing.T) {
		if r := rc.a.signIn("audra").get(rc.path); r.status != http.StatusForbidden {
			t.Errorf("auditor: status %d", r.status)
		}
		gus, err := rc.a.db.UserByUsername(context.Background(), "gus")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/orgs/acme/settings/members/" + itoa(gus.ID) + "/remove", "/orgs/acme/settings/members/999999/remove",
			"/orgs/acme/settings/members/abc/remove"} {
			if r := rc.c.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s: status %d", p, r.status)
			}
		}
	})
	t.Run("a member without tokens", func(t *testing.T) {
		audra, err := rc.a.db.UserByUsername(context.Background(), "audra")
		if err != nil {
			t.Fatal(err)
		}
		r := rc.c.get("/orgs/acme/settings/members/" + itoa(audra.ID) + "/remove")
		r.contains(t, "audra has no live tokens")
		r.lacks(t, "will be revoked", `name="api_tokens"`)
	})
}

func TestRemoveMemberChoices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		form  url.Values
		flash string
		check func(t *testing.T, rc *removalCase)
	}{
		{"no choice keeps API tokens", url.Values{}, "Their 2 API tokens keep working.", func(t *testing.T, rc *removalCase) {
			if tok := rc.token("max api 1"); !tok.RevokedAt.IsZero() || tok.OwnerUserID != rc.max.ID {
				t.Errorf("kept token: %+v", tok)
			}
		}},
		{"keep", url.Values{"api_tokens": {"keep"}}, "Their 2 API tokens keep working.", func(t *testing.T, rc *removalCase) {
			if tok := rc.token("max api 2"); !tok.RevokedAt.IsZero() {
				t.Errorf("kept token revoked: %+v", tok)
			}
		}},
		{"revoke", url.Values{"api_tokens": {"revoke"}}, "Revoked 2 API tokens.", func(t *testing.T, rc *removalCase) {
			for _, name := range []string{"max api 1", "max api 2"} {
				if tok := rc.token(name); tok.RevokedAt.IsZero() || tok.RevokedReason != "member removed" {
					t.Errorf("%s: %+v", name, tok)
				}
			}
		}},
		{"transfer", url.Values{"api_tokens": {"transfer"}}, "Handed 2 API tokens to ada.", func(t *testing.T, rc *removalCase) {
			tok := rc.token("max api 1")
			if !tok.RevokedAt.IsZero() || tok.OwnerUserID != rc.ada.ID || tok.OwnerName != "ada" {
				t.Errorf("transferred token: %+v", tok)
			}
			events, err := rc.a.db.TokenEvents(context.Background(), rc.a.org.ID, tok.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].Action != "token.transferred" || events[0].ActorLabel != "ada" {
				t.Errorf("events = %+v", events)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRemovalCase(t)
			rc.c.get(rc.path)
			if tt.form.Get("api_tokens") == "transfer" {
				tt.form.Set("transfer_to", itoa(rc.ada.ID))
			}
			r := rc.c.post(rc.path, tt.form)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/acme/settings/members" {
				t.Fatalf("status %d, location %q\n%.2000s", r.status, r.header.Get("Location"), r.body)
			}
			rc.c.get("/orgs/acme/settings/members").contains(t, "Removed max from Acme. Revoked 1 CLI token.", tt.flash)
			if rc.stillMember() {
				t.Error("max is still a member")
			}
			if tok := rc.token("max-laptop"); tok.RevokedAt.IsZero() || tok.RevokedReason != "member removed" {
				t.Errorf("max's CLI token: %+v", tok)
			}
			if tok := rc.token("ada-laptop"); !tok.RevokedAt.IsZero() {
				t.Errorf("ada's CLI token revoked: %+v", tok)
			}
			tt.check(t, rc)
		})
	}
}

func TestRemoveMemberRefusedTransfer(t *testing.T) {
	t.Parallel()
	rc := newRemovalCase(t)
	audra, err := rc.a.db.UserByUsername(context.Background(), "audra")
	if err != nil {
		t.Fatal(err)
	}
	gus, err := rc.a.db.UserByUsername(context.Background(), "gus")
	if err != nil {
		t.Fatal(err)
	}
	rc.c.get(rc.path)
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"to a non-admin", url.Values{"api_tokens": {"transfer"}, "transfer_to": {itoa(audra.ID)}}, "another admin of this organization"},
		{"to someone outside the org", url.Values{"api_tokens": {"transfer"}, "transfer_to": {itoa(gus.ID)}}, "another admin of this organization"},
		{"to an unknown user", url.Values{"api_tokens": {"transfer"}, "transfer_to": {"999999"}}, "another admin of this organization"},
		{"to the leaving member", url.Values{"api_tokens": {"transfer"}, "transfer_to": {itoa(rc.max.ID)}}, "another admin of this organization"},
		{"to nobody", url.Values{"api_tokens": {"transfer"}, "transfer_to": {"abc"}}, "Choose the admin"},
		{"an unknown choice", url.Values{"api_tokens": {"<b>give away</b>"}}, "keep working, are revoked or go to another admin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := rc.c.post(rc.path, tt.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d", r.status)
			}
			r.contains(t, tt.want, "max api 1", `name="api_tokens"`)
			r.lacks(t, "<b>give away</b>")
			if !rc.stillMember() {
				t.Fatal("max was removed")
			}
			for _, name := range []string{"max api 1", "max-laptop"} {
				if tok := rc.token(name); !tok.RevokedAt.IsZero() || tok.OwnerUserID != rc.max.ID {
					t.Errorf("%s changed: %+v", name, tok)
				}
			}
		})
	}
	t.Run("an auditor cannot remove anyone", func(t *testing.T) {
		m := rc.a.signIn("audra")
		m.get("/orgs/acme")
		if r := m.post(rc.path, url.Values{"api_tokens": {"revoke"}}); r.status != http.StatusForbidden {
			t.Errorf("status = %d", r.status)
		}
		if !rc.stillMember() {
			t.Error("max was removed")
		}
	})
}
