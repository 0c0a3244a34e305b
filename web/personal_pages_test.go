package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPersonalTokenPages(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	max := a.signIn("max")
	max.get("/me/tokens")
	count := func() int {
		ts, err := a.db.PersonalTokens(ctx, a.user(t, "max").ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	t.Run("bad input is refused with messages and nothing written", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			form url.Values
			want string
		}{
			{"an empty org list", url.Values{"name": {"laptop"}, "scopes": {"api"}, "expiry": {"30"}}, "Choose at least one organization"},
			{"an org max is not a member of", url.Values{"name": {"laptop"}, "orgs": {"globex"}, "scopes": {"api"}, "expiry": {"30"}}, "You are not a member of &#34;globex&#34;"},
			{"an unknown org, escaped", url.Values{"name": {"laptop"}, "orgs": {"<b>x</b>"}, "expiry": {"30"}}, "&lt;b&gt;x&lt;/b&gt;"},
			{"a scope personal tokens may not hold", url.Values{"name": {"laptop"}, "orgs": {"acme"}, "scopes": {"ci"}, "expiry": {"30"}}, "ci"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := max.post("/me/tokens/personal", tt.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tt.want) || strings.Contains(r.body, "<b>x</b>") {
					t.Errorf("status %d, want 422 saying %q\n%.3000s", r.status, tt.want, r.body)
				}
				if n := count(); n != 0 {
					t.Errorf("%d personal tokens stored", n)
				}
			})
		}
	})
	t.Run("made once, shown once, listed with its org", func(t *testing.T) {
		r := max.post("/me/tokens/personal", url.Values{"name": {"laptop"}, "orgs": {"acme"}, "scopes": {"api"}, "expiry": {"30"}})
		if r.status != http.StatusCreated || !strings.Contains(r.body, `data-testid="personal-secret"`) || !strings.Contains(r.body, "twp_") {
			t.Fatalf("status %d\n%.3000s", r.status, r.body)
		}
		page := max.get("/me/tokens")
		page.contains(t, `data-testid="grant-acme"`, "laptop")
		page.lacks(t, `data-testid="personal-secret"`)
	})
	t.Run("the org's API tab shows it with its owner, and only admins may remove the org", func(t *testing.T) {
		ts, err := a.db.PersonalTokens(ctx, a.user(t, "max").ID)
		if err != nil || len(ts) != 1 {
			t.Fatal(ts, err)
		}
		id := ts[0].ID
		ada := a.signIn("ada")
		tab := ada.get("/orgs/acme/settings/tokens/api")
		tab.contains(t, `data-token-id="`+id+`"`, `data-testid="badge-personal"`, "max", `data-testid="action-remove-org"`)
		tab.lacks(t, `value="`+id+`" form="bulk-form"`)
		ada.get("/orgs/acme/settings/tokens/api?type=team").lacks(t, `data-token-id="`+id+`"`)
		ada.get("/orgs/acme/settings/tokens/api?type=personal").contains(t, `data-token-id="`+id+`"`)
		if r := ada.get("/orgs/acme/settings/tokens/cli?type=personal"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "on API tokens only") {
			t.Errorf("type on the CLI tab: %d", r.status)
		}
		confirm := ada.get("/orgs/acme/settings/tokens/personal/" + id + "/remove-org")
		confirm.contains(t, "Remove Acme from max&#39;s token laptop?", "max is notified")
		if r := ada.post("/orgs/acme/settings/tokens/personal/"+id+"/remove-org", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", r.status, r.body)
		}
		ada.get("/orgs/acme/settings/tokens/api").lacks(t, `data-token-id="`+id+`"`)
		page := max.get("/me/tokens")
		page.contains(t, `data-testid="grant-removed"`, `data-testid="readd-grant-acme"`)
		if r := max.post("/me/tokens/personal/"+id+"/orgs", url.Values{"org": {"acme"}}); r.status != http.StatusSeeOther {
			t.Fatalf("re-add: %d %s", r.status, r.body)
		}
		grants, err := a.db.TokenGrants(ctx, id)
		if err != nil || len(grants) != 1 || !grants[0].Live() {
			t.Errorf("grants after re-adding: %+v %v", grants, err)
		}
		if r := max.post("/me/tokens/personal/"+id+"/orgs", url.Values{"org": {"globex"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("adding an org max is not in: %d %.500s", r.status, r.body)
		}
	})
	t.Run("the owner renames, changes scopes and rotates", func(t *testing.T) {
		ts, err := a.db.PersonalTokens(ctx, a.user(t, "max").ID)
		if err != nil || len(ts) != 1 {
			t.Fatal(ts, err)
		}
		id := ts[0].ID
		if r := max.post("/me/tokens/personal/"+id+"/edit", url.Values{"name": {"laptop 2"}, "scopes": {"tokens:read"}}); r.status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.500s", r.status, r.body)
		}
		if r := max.post("/me/tokens/personal/"+id+"/edit", url.Values{"name": {" "}, "scopes": {"ci"}}); r.status != http.StatusSeeOther {
			t.Fatalf("bad edit: %d %.500s", r.status, r.body)
		}
		max.get("/me/tokens").contains(t, "Not saved:", "laptop 2")
		got, err := a.db.PersonalToken(ctx, id)
		if err != nil || got.Name != "laptop 2" || strings.Join(got.Scopes, " ") != "tokens:read" {
			t.Errorf("after edits: %+v %v", got, err)
		}
		r := max.post("/me/tokens/personal/"+id+"/rotate", url.Values{})
		if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="personal-secret"`) {
			t.Errorf("rotate: %d %.2000s", r.status, r.body)
		}
	})
}
