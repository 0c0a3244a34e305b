package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// badValues are what every name-like field is tried with.
var badValues = map[string]string{
	"empty":    "",
	"overlong": strings.Repeat("n", 257),
	"non-UTF8": "bad\xff\xfename",
	"HTML":     "<script>alert(1)</script>",
}

func TestSetup(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	setupURL := a.srv.SetupURL()
	if setupURL == "" {
		t.Fatal("no setup URL on a fresh database")
	}
	u, err := url.Parse(setupURL)
	if err != nil {
		t.Fatal(err)
	}
	code := u.Query().Get("code")
	c := a.client()

	t.Run("refused without or with a wrong code", func(t *testing.T) {
		for _, path := range []string{"/setup", "/setup?code=WRONG"} {
			r := c.get(path)
			if r.status != http.StatusForbidden {
				t.Errorf("%s: status %d", path, r.status)
			}
			r.contains(t, "setup link printed on the server")
		}
		r := c.post("/setup", url.Values{"code": {"WRONG"}, "username": {"root"}})
		if r.status != http.StatusForbidden {
			t.Errorf("POST with wrong code: %d", r.status)
		}
	})

	good := url.Values{"code": {code}, "username": {"root"}, "email": {"root@example.com"}, "display_name": {"Root"},
		"password": {"a long enough password"}, "org_name": {"Acme & Sons"}, "org_slug": {"acme"}}
	fields := map[string][]string{
		"username":     {"empty", "overlong", "non-UTF8", "HTML"},
		"email":        {"empty", "overlong", "non-UTF8", "HTML"},
		"display_name": {"overlong", "non-UTF8", "HTML"},
		"org_name":     {"empty", "overlong", "non-UTF8", "HTML"},
		"org_slug":     {"empty", "overlong", "non-UTF8", "HTML"},
		"password":     {"empty"},
	}
	c.get(setupURL[len(a.ts.URL):])
	for field, kinds := range fields {
		for _, kind := range kinds {
			t.Run(field+" "+kind, func(t *testing.T) {
				vals := url.Values{}
				for k, v := range good {
					vals[k] = v
				}
				vals.Set(field, badValues[kind])
				r := c.post("/setup", vals)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status = %d\n%.1000s", r.status, r.body)
				}
				r.contains(t, `data-testid="error-`+field+`"`)
				r.lacks(t, "<script>alert(1)</script>", "\xff")
				if has, err := a.db.HasSiteAdmin(context.Background()); err != nil {
					t.Fatal(err)
				} else if has {
					t.Fatal("a site admin was written")
				}
			})
		}
	}

	t.Run("creates admin and org, signs in, closes setup", func(t *testing.T) {
		r := c.post("/setup", good)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/acme/settings/members" {
			t.Fatalf("status %d, Location %q\n%.1000s", r.status, r.header.Get("Location"), r.body)
		}
		r = c.get("/orgs/acme/settings/members")
		r.contains(t, "Welcome to Tokenward", "root@example.com", "Acme &amp; Sons")
		if a.srv.SetupURL() != "" {
			t.Error("setup still open")
		}
		other := a.client()
		if r := other.get("/setup?code=" + code); r.status != http.StatusNotFound {
			t.Errorf("code reused: status %d", r.status)
		}
	})
}

func TestAddMember(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/members")
	count := func() int {
		ms, err := a.db.Members(context.Background(), a.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	before := count()
	good := url.Values{"username": {"nina"}, "email": {"nina@example.com"}, "display_name": {"Nina"},
		"password": {testPassword}, "role": {"member"}}
	fields := map[string][]string{
		"username":     {"empty", "overlong", "non-UTF8", "HTML"},
		"email":        {"empty", "overlong", "non-UTF8", "HTML"},
		"display_name": {"overlong", "non-UTF8", "HTML"},
		"password":     {"empty"},
		"role":         {"empty", "HTML"},
	}
	for field, kinds := range fields {
		for _, kind := range kinds {
			t.Run(field+" "+kind, func(t *testing.T) {
				vals := url.Values{}
				for k, v := range good {
					vals[k] = v
				}
				vals.Set(field, badValues[kind])
				r := c.post("/orgs/acme/settings/members", vals)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status = %d\n%.1000s", r.status, r.body)
				}
				r.contains(t, `data-testid="error-`+field+`"`)
				r.lacks(t, "<script>alert(1)</script>", "\xff")
				if n := count(); n != before {
					t.Fatalf("members %d -> %d", before, n)
				}
			})
		}
	}
	t.Run("short password for a new user", func(t *testing.T) {
		vals := url.Values{"username": {"nina"}, "email": {"nina@example.com"}, "password": {"short"}, "role": {"member"}}
		r := c.post("/orgs/acme/settings/members", vals)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "at least 12 characters", `value="nina@example.com"`)
	})
	t.Run("new user", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/members", good)
		if r.status != http.StatusSeeOther {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
		c.get("/orgs/acme/settings/members").contains(t, "Added nina as member.", "nina@example.com")
		a.signIn("nina")
	})
	t.Run("existing user by username only", func(t *testing.T) {
		gus := a.signIn("gus")
		gus.get("/orgs/acme/settings/members")
		r := c.post("/orgs/acme/settings/members", url.Values{"username": {"gus"}, "role": {"auditor"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status = %d\n%.1000s", r.status, r.body)
		}
		if r := gus.get("/orgs/acme/settings/members"); r.status != http.StatusForbidden {
			t.Errorf("gus as auditor: %d", r.status)
		}
	})
	t.Run("already a member", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/members", url.Values{"username": {"max"}, "role": {"admin"}})
		if r.status != http.StatusConflict {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "already a member")
	})
	t.Run("member cannot add", func(t *testing.T) {
		m := a.signIn("max")
		m.get("/")
		r := m.post("/orgs/acme/settings/members", url.Values{"username": {"eve"}, "email": {"eve@example.com"},
			"password": {"a long enough password"}, "role": {"admin"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("status = %d", r.status)
		}
	})
}

func TestRolesAndRemoval(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	ctx := context.Background()
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/members")
	ada, err := a.db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	maxU, err := a.db.UserByUsername(ctx, "max")
	if err != nil {
		t.Fatal(err)
	}
	gus, err := a.db.UserByUsername(ctx, "gus")
	if err != nil {
		t.Fatal(err)
	}
	rolePath := func(id int64) string { return "/orgs/acme/settings/members/" + itoa(id) + "/role" }

	t.Run("last admin cannot be demoted", func(t *testing.T) {
		r := c.post(rolePath(ada.ID), url.Values{"role": {"member"}})
		if r.status != http.StatusConflict {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "at least one admin")
		if m, err := a.db.Membership(ctx, a.org.ID, ada.ID); err != nil {
			t.Fatal(err)
		} else if m.Role != "admin" {
			t.Errorf("role = %s", m.Role)
		}
	})
	t.Run("last admin cannot be removed", func(t *testing.T) {
		r := c.post("/orgs/acme/settings/members/"+itoa(ada.ID)+"/remove", url.Values{})
		if r.status != http.StatusConflict {
			t.Fatalf("status = %d", r.status)
		}
	})
	t.Run("bad role and bad ids", func(t *testing.T) {
		for _, tt := range []struct {
			path, role string
			want       int
		}{
			{rolePath(maxU.ID), "owner", http.StatusUnprocessableEntity},
			{rolePath(maxU.ID), "<b>admin</b>", http.StatusUnprocessableEntity},
			{"/orgs/acme/settings/members/abc/role", "member", http.StatusNotFound},
			{"/orgs/acme/settings/members/-1/role", "member", http.StatusNotFound},
			{"/orgs/acme/settings/members/1e3/role", "member", http.StatusNotFound},
			{rolePath(gus.ID), "member", http.StatusNotFound}, // not in acme
			{"/orgs/acme/settings/members/999999/remove", "", http.StatusNotFound},
		} {
			r := c.post(tt.path, url.Values{"role": {tt.role}})
			if r.status != tt.want {
				t.Errorf("%s role=%q: status %d, want %d", tt.path, tt.role, r.status, tt.want)
			}
			r.lacks(t, "<b>admin</b>")
		}
		if m, err := a.db.Membership(ctx, a.org.ID, maxU.ID); err != nil {
			t.Fatal(err)
		} else if m.Role != "member" {
			t.Errorf("max's role changed to %s", m.Role)
		}
	})
	t.Run("promote, then demote the first admin", func(t *testing.T) {
		if r := c.post(rolePath(maxU.ID), url.Values{"role": {"admin"}}); r.status != http.StatusSeeOther {
			t.Fatalf("promote: %d", r.status)
		}
		c.get("/orgs/acme/settings/members").contains(t, "max is now admin.")
		if r := c.post(rolePath(ada.ID), url.Values{"role": {"auditor"}}); r.status != http.StatusSeeOther {
			t.Fatalf("demote: %d", r.status)
		}
		if r := c.get("/orgs/acme/settings/members"); r.status != http.StatusForbidden {
			t.Errorf("ada as auditor sees members: %d", r.status)
		}
	})
	t.Run("removed member loses access", func(t *testing.T) {
		m := a.signIn("max")
		m.get("/orgs/acme/settings/members")
		audra, err := a.db.UserByUsername(ctx, "audra")
		if err != nil {
			t.Fatal(err)
		}
		if r := m.post("/orgs/acme/settings/members/"+itoa(audra.ID)+"/remove", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", r.status)
		}
		au := a.signIn("audra")
		if r := au.get("/orgs/acme"); r.status != http.StatusNotFound {
			t.Errorf("removed member: %d", r.status)
		}
	})
}

func TestAdminCreateOrg(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.signIn("ada")
	c.get("/admin")
	for _, kind := range []string{"empty", "overlong", "non-UTF8", "HTML"} {
		for _, field := range []string{"slug", "name"} {
			t.Run(field+" "+kind, func(t *testing.T) {
				vals := url.Values{"slug": {"initech"}, "name": {"Initech"}}
				vals.Set(field, badValues[kind])
				r := c.post("/admin/orgs", vals)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status = %d", r.status)
				}
				r.contains(t, `data-testid="error-`+field+`"`)
				r.lacks(t, "<script>alert(1)</script>")
				if _, err := a.db.OrgBySlug(context.Background(), "initech"); err == nil {
					t.Fatal("org written")
				}
			})
		}
	}
	t.Run("duplicate slug", func(t *testing.T) {
		r := c.post("/admin/orgs", url.Values{"slug": {"acme"}, "name": {"Acme again"}})
		if r.status != http.StatusConflict {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "already exists")
	})
	t.Run("creates with the site admin as admin", func(t *testing.T) {
		r := c.post("/admin/orgs", url.Values{"slug": {"initech"}, "name": {"Initech"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/orgs/initech/settings/tokens/api" {
			t.Fatalf("status = %d, Location %q; want 303 to the new org's tokens page", r.status, r.header.Get("Location"))
		}
		c.get("/orgs/initech/settings/tokens/api").contains(t, "Created Initech. You are its first admin.", `href="/orgs/initech/settings/tokens/cli"`)
		if r := c.get("/orgs/initech/settings/members"); r.status != http.StatusOK {
			t.Errorf("new org members page: %d", r.status)
		}
		r = c.get("/")
		r.contains(t, `data-testid="org-switcher"`, "Initech")
	})
	t.Run("switcher rejects a bad slug", func(t *testing.T) {
		r := c.get("/switch-org?org=%3Cb%3E")
		if r.status != http.StatusBadRequest {
			t.Fatalf("status = %d", r.status)
		}
		r.lacks(t, "<b>")
	})
}
