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
)

func hashOf(secret string) []byte {
	h := auth.HashToken(secret)
	return h[:]
}

func TestEditToken(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	admin := a.signIn("ada")
	secret, id := admin.createToken(t, "api", url.Values{"name": {"edit me"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	if r := admin.get(tokenURL(tok, "edit")); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="edit-dialog"`) {
		t.Fatalf("edit dialog: %d", r.status)
	}
	t.Run("scopes and name", func(t *testing.T) {
		r := admin.post(tokenURL(tok, "edit"), url.Values{"name": {"edited"}, "scopes": {"report:read", "repo:list"}, "visibility": {"admins"}, "op": {"save"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d\n%.1500s", r.status, r.body)
		}
		got := mustToken(t, a, id)
		if got.Name != "edited" || strings.Join(got.Scopes, " ") != "repo:list report:read" {
			t.Errorf("token = %+v", got)
		}
	})
	t.Run("bad values write nothing", func(t *testing.T) {
		for _, vals := range []url.Values{
			{"name": {""}, "scopes": {"api"}},
			{"name": {"x"}, "scopes": {"ci"}},
			{"name": {"x"}, "scopes": {"api"}, "visibility": {"everyone"}},
			{"name": {strings.Repeat("x", 101)}, "scopes": {"api"}},
		} {
			if r := admin.post(tokenURL(tok, "edit"), vals); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%v: status %d", vals, r.status)
			}
		}
		if got := mustToken(t, a, id); got.Name != "edited" {
			t.Errorf("name changed to %q", got.Name)
		}
	})
	t.Run("sharing needs a rotation", func(t *testing.T) {
		r := admin.post(tokenURL(tok, "edit"), url.Values{"name": {"edited"}, "scopes": {"api"}, "visibility": {"org"}, "op": {"save"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "Rotate and share")
		r = admin.post(tokenURL(tok, "edit"), url.Values{"name": {"edited"}, "scopes": {"api"}, "visibility": {"org"}, "op": {"rotate-share"},
			"hint": {mustToken(t, a, id).Hint}})
		if r.status != http.StatusOK {
			t.Fatalf("rotate and share: %d\n%.1500s", r.status, r.body)
		}
		newSecret := secretPattern.FindString(r.body)
		got := mustToken(t, a, id)
		if got.Visibility != "org" || len(got.Sealed) == 0 || newSecret == "" || newSecret == secret {
			t.Fatalf("after rotate and share: vis %s sealed %d secret %q", got.Visibility, len(got.Sealed), newSecret)
		}
		if _, _, err := a.db.TokenBySecretHash(ctx, hashOf(secret)); !store.IsNotFound(err) {
			t.Errorf("old secret still works: %v", err)
		}
		// Back to admins only: the encrypted copy goes.
		admin.post(tokenURL(tok, "edit"), url.Values{"name": {"edited"}, "scopes": {"api"}, "visibility": {"admins"}, "op": {"save"}})
		if got := mustToken(t, a, id); got.Visibility != "admins" || len(got.Sealed) != 0 {
			t.Errorf("after unsharing: vis %s sealed %d", got.Visibility, len(got.Sealed))
		}
	})
	t.Run("members and auditors cannot edit", func(t *testing.T) {
		for _, who := range []string{"max", "audra"} {
			c := a.signIn(who)
			c.get("/")
			want := http.StatusForbidden
			if who == "max" {
				want = http.StatusNotFound // admins-only: members do not see it
			}
			if r := c.post(tokenURL(tok, "edit"), url.Values{"name": {"hijack"}, "scopes": {"api"}}); r.status != want {
				t.Errorf("%s: status %d, want %d", who, r.status, want)
			}
		}
	})
}

func TestRotateWithGrace(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	admin := a.signIn("ada")
	old, id := admin.createToken(t, "api", url.Values{"name": {"rotating"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	admin.get(tokenURL(tok, "rotate")).contains(t, "The old secret stops working")
	if r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"2w"}, "hint": {tok.Hint}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad grace: %d", r.status)
	}
	r := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"1h"}, "hint": {tok.Hint}})
	fresh := secretPattern.FindString(r.body)
	if r.status != http.StatusOK || fresh == "" || fresh == old {
		t.Fatalf("rotate: %d %q", r.status, fresh)
	}
	if got, prev, err := a.db.TokenBySecretHash(ctx, hashOf(old)); err != nil || !prev || got.ID != id {
		t.Fatalf("old secret within grace: %v %v", prev, err)
	}
	if again := admin.post(tokenURL(tok, "rotate"), url.Values{"grace": {"1h"}, "hint": {tok.Hint}}); again.status != http.StatusConflict {
		t.Errorf("the same rotate form posted again (a reload): status %d, want 409", again.status)
	} else {
		again.contains(t, "was rotated after this form was opened")
	}
	rotated := mustToken(t, a, id)
	if rotated.Name != "rotating" || strings.Join(rotated.Scopes, " ") != "api" {
		t.Errorf("rotation changed name or scopes: %+v", rotated)
	}
	now := a.db.Now()
	a.clock.Set(now.Add(61 * time.Minute))
	defer a.clock.Set(now)
	if _, _, err := a.db.TokenBySecretHash(ctx, hashOf(old)); !store.IsNotFound(err) {
		t.Errorf("old secret after grace: %v", err)
	}
	if _, _, err := a.db.TokenBySecretHash(ctx, hashOf(fresh)); err != nil {
		t.Errorf("new secret: %v", err)
	}
}

func TestDisableEnableRevoke(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	_, id := admin.createToken(t, "api", url.Values{"name": {"lifecycle"}, "scopes": {"api"}})
	tok := mustToken(t, a, id)
	admin.get(tokenURL(tok, "revoke")).contains(t, "Revoke lifecycle?", "final")
	steps := []struct {
		action, status string
	}{{"disable", "disabled"}, {"enable", "active"}, {"revoke", "revoked"}}
	for _, st := range steps {
		if r := admin.post(tokenURL(tok, st.action), url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d", st.action, r.status)
		}
		got := mustToken(t, a, id)
		if s := store.TokenStatus(got, a.db.Now(), 0); s != st.status {
			t.Errorf("after %s: %s", st.action, s)
		}
	}
	r := admin.get("/orgs/acme/settings/tokens/api")
	r.contains(t, "Revoked lifecycle.")
	r.lacks(t, ">lifecycle<")
	if r := admin.post(tokenURL(tok, "enable"), url.Values{}); r.status != http.StatusConflict {
		t.Errorf("enable a revoked token: %d", r.status)
	}
	detail := admin.get(tokenURL(tok, ""))
	detail.contains(t, "token.created", "token.disabled", "token.enabled", "token.revoked")
}

func TestMemberRevokesOwnCLIToken(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	member := a.signIn("max")
	_, mine := member.createToken(t, "cli", url.Values{"name": {"laptop"}, "scopes": {"findings:local"}})
	admin := a.signIn("ada")
	_, adas := admin.createToken(t, "cli", url.Values{"name": {"ada laptop"}, "scopes": {"findings:local"}})
	list := member.get("/orgs/acme/settings/tokens/cli")
	list.contains(t, "laptop", `data-testid="action-revoke"`)
	list.lacks(t, "ada laptop", `data-testid="action-disable"`)
	if r := member.post(tokenURL(store.Token{Kind: "cli", ID: adas}, "revoke"), url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("member revoking another's CLI token: %d", r.status)
	}
	if r := member.post(tokenURL(store.Token{Kind: "cli", ID: mine}, "disable"), url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("member disabling own CLI token: %d", r.status)
	}
	if r := member.post(tokenURL(store.Token{Kind: "cli", ID: mine}, "revoke"), url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("member revoking own CLI token: %d", r.status)
	}
}

func TestBulkAndRevokeAll(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	var ids []string
	for _, n := range []string{"one", "two", "three"} {
		_, id := admin.createToken(t, "api", url.Values{"name": {n}, "scopes": {"api"}})
		ids = append(ids, id)
	}
	t.Run("nothing selected", func(t *testing.T) {
		r := admin.post("/orgs/acme/settings/tokens/api/bulk", url.Values{"action": {"revoke"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.status)
		}
		r.contains(t, "Select between 1 and")
	})
	t.Run("bad action", func(t *testing.T) {
		if r := admin.post("/orgs/acme/settings/tokens/api/bulk", url.Values{"action": {"delete"}, "ids": ids}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.status)
		}
	})
	t.Run("confirm states the count, then revokes", func(t *testing.T) {
		vals := url.Values{"action": {"revoke"}, "ids": {ids[0], ids[1], "not-a-token"}}
		r := admin.post("/orgs/acme/settings/tokens/api/bulk", vals)
		r.contains(t, "Revoke 2 tokens?", "one (api", "two (api")
		if s := store.TokenStatus(mustToken(t, a, ids[0]), a.db.Now(), 0); s != "active" {
			t.Fatalf("revoked before confirming: %s", s)
		}
		vals.Set("confirm", "yes")
		if r := admin.post("/orgs/acme/settings/tokens/api/bulk", vals); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d", r.status)
		}
		admin.get("/orgs/acme/settings/tokens/api").contains(t, "Revoked 2 tokens.")
		for i, want := range []string{"revoked", "revoked", "active"} {
			if s := store.TokenStatus(mustToken(t, a, ids[i]), a.db.Now(), 0); s != want {
				t.Errorf("token %d: %s, want %s", i, s, want)
			}
		}
	})
	t.Run("revoke all of a user", func(t *testing.T) {
		ada, err := a.db.UserByUsername(context.Background(), "ada")
		if err != nil {
			t.Fatal(err)
		}
		r := admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"user": {itoa(ada.ID)}})
		r.contains(t, "Revoke all 1 live token of ada?")
		r = admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"user": {itoa(ada.ID)}, "confirm": {"yes"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d", r.status)
		}
		if s := store.TokenStatus(mustToken(t, a, ids[2]), a.db.Now(), 0); s != "revoked" {
			t.Errorf("status %s", s)
		}
		if r := admin.post("/orgs/acme/settings/tokens/revoke-all", url.Values{"user": {"x"}}); r.status != http.StatusNotFound {
			t.Errorf("bad user: %d", r.status)
		}
	})
	t.Run("members cannot bulk", func(t *testing.T) {
		m := a.signIn("max")
		m.get("/")
		if r := m.post("/orgs/acme/settings/tokens/api/bulk", url.Values{"action": {"revoke"}, "ids": ids}); r.status != http.StatusForbidden {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestTokenDetail(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	_, id := admin.createToken(t, "api", url.Values{"name": {"detailed"}, "scopes": {"api"}, "quota": {"1000"}})
	now := a.db.Now()
	uses := []store.Use{
		{TokenID: id, At: now.Add(-time.Hour), IP: "203.0.113.7", UserAgent: "curl/8.5", What: "GET /api/v1/token"},
		{TokenID: id, At: now.Add(-time.Minute), IP: "198.51.100.2", UserAgent: "ci-agent/2", What: "POST /oauth/introspect"},
	}
	if err := a.db.RecordUses(context.Background(), uses); err != nil {
		t.Fatal(err)
	}
	r := admin.get(tokenURL(store.Token{Kind: "api", ID: id}, ""))
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	r.contains(t, "detailed", "POST /oauth/introspect", "198.51.100.2", "203.0.113.7", "curl/8.5",
		"2 of 1000 requests used", "998 remaining", "token.created", "Revoke all tokens of ada")
	a.signIn("max").get(tokenURL(store.Token{Kind: "api", ID: id}, ""))
	if r := a.signIn("max").get(tokenURL(store.Token{Kind: "api", ID: id}, "")); r.status != http.StatusNotFound {
		t.Errorf("member sees admins-only detail: %d", r.status)
	}
	gus := a.signIn("gus")
	if r := gus.get(tokenURL(store.Token{Kind: "api", ID: id}, "")); r.status != http.StatusNotFound {
		t.Errorf("other org's admin: %d", r.status)
	}
	if r := gus.get("/orgs/globex/settings/tokens/api/" + id); r.status != http.StatusNotFound {
		t.Errorf("token id through another org: %d", r.status)
	}
}
