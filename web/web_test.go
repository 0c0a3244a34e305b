package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tokenward/auth"
)

// TestAccess walks pages with each kind of visitor: anonymous, member,
// auditor, admin and a site admin of another org.
func TestAccess(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	visitors := map[string]*client{"anon": a.client(), "ada": a.signIn("ada"), "max": a.signIn("max"),
		"audra": a.signIn("audra"), "gus": a.signIn("gus")}
	tests := []struct {
		who, path string
		status    int
		contains  string
	}{
		{"anon", "/", http.StatusSeeOther, ""},
		{"anon", "/orgs/acme/settings/members", http.StatusSeeOther, ""},
		{"anon", "/admin", http.StatusSeeOther, ""},
		{"anon", "/login", http.StatusOK, "Sign in to Tokenward"},
		{"ada", "/", http.StatusOK, "Acme"},
		{"ada", "/orgs/acme/settings/members", http.StatusOK, "audra@example.com"},
		{"ada", "/orgs/acme", http.StatusSeeOther, ""},
		{"ada", "/admin", http.StatusOK, "globex"},
		{"max", "/", http.StatusOK, `href="/orgs/acme/settings/tokens/api"`},
		{"max", "/orgs/acme/settings/members", http.StatusForbidden, "Your role in this organization does not allow this."},
		{"max", "/admin", http.StatusNotFound, ""},
		{"audra", "/orgs/acme/settings/members", http.StatusForbidden, ""},
		{"gus", "/orgs/acme/settings/members", http.StatusNotFound, "There is nothing at this address"},
		{"gus", "/orgs/globex/settings/members", http.StatusOK, "gus@example.com"},
		{"ada", "/orgs/nope/settings/members", http.StatusNotFound, ""},
		{"ada", "/no/such/page", http.StatusNotFound, "Request id"},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.path, func(t *testing.T) {
			r := visitors[tt.who].get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d\n%.1500s", r.status, tt.status, r.body)
			}
			r.contains(t, tt.contains)
		})
	}
	t.Run("anonymous is sent to sign in and back", func(t *testing.T) {
		r := visitors["anon"].get("/orgs/acme/settings/members")
		if got := r.header.Get("Location"); got != "/login?next=%2Forgs%2Facme%2Fsettings%2Fmembers" {
			t.Errorf("Location = %q", got)
		}
	})
}

// TestEveryRouteHasAGuard proves that no route was registered without a
// guard naming a known action.
func TestEveryRouteHasAGuard(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	valid := regexp.MustCompile(`^(public|signed-in|(org|token|site):(.+))$`)
	scopes := map[string]bool{"": true}
	for _, info := range auth.Catalog() {
		scopes[string(info.Name)] = true
	}
	for _, r := range a.srv.Routes() {
		if scope, ok := strings.CutPrefix(r.Guard, "bearer:"); ok {
			if !scopes[scope] || !strings.HasPrefix(r.Path, "/api/") && !strings.HasPrefix(r.Path, "/oauth/") {
				t.Errorf("%s %s: bearer guard with scope %q", r.Method, r.Path, scope)
			}
			continue
		}
		m := valid.FindStringSubmatch(r.Guard)
		if m == nil {
			t.Errorf("%s %s has guard %q", r.Method, r.Path, r.Guard)
			continue
		}
		if m[3] != "" && !auth.Known(auth.Action(m[3])) {
			t.Errorf("%s %s names unknown action %q", r.Method, r.Path, m[3])
		}
		if r.Guard == "public" && strings.HasPrefix(r.Path, "/orgs/") {
			t.Errorf("org route %s %s is public", r.Method, r.Path)
		}
	}
}

func TestMethodsAndLimits(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.signIn("ada")
	t.Run("wrong method is 405", func(t *testing.T) {
		r := c.do(c.request(http.MethodPut, "/login", nil, ""))
		if r.status != http.StatusMethodNotAllowed {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "does not accept that kind of request")
	})
	t.Run("body over 1 MiB is 413", func(t *testing.T) {
		big := strings.Repeat("a", 1<<20+10)
		req := c.request(http.MethodPost, "/orgs/acme/settings/members", strings.NewReader("csrf_token="+c.csrf+"&username="+big), "application/x-www-form-urlencoded")
		r := c.do(req)
		if r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "larger than 1 MiB")
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	r := a.client().get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"X-Request-Id":            "",
	} {
		got := r.header.Get(h)
		if got == "" || !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") {
		t.Error("page has inline script or style")
	}
	cookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Error("cookie is Secure over plain HTTP, so the browser would drop it")
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.client()
	c.get("/login")
	creds := func(token string) url.Values {
		return url.Values{"username": {"ada"}, "password": {testPassword}, "csrf_token": {token}}
	}
	for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
		t.Run(name+" token refused", func(t *testing.T) {
			r := c.post("/login", creds(token))
			if r.status != http.StatusForbidden {
				t.Fatalf("status = %d", r.status)
			}
			r.contains(t, "This form has expired")
		})
	}
	t.Run("header token accepted", func(t *testing.T) {
		vals := creds("")
		vals.Del("csrf_token")
		req := c.request(http.MethodPost, "/login", strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", c.csrf)
		if r := c.do(req); r.status != http.StatusSeeOther {
			t.Fatalf("status = %d", r.status)
		}
	})
	t.Run("token of another session refused", func(t *testing.T) {
		other := a.client()
		other.get("/login")
		r := c.post("/logout", url.Values{"csrf_token": {other.csrf}})
		if r.status != http.StatusForbidden {
			t.Fatalf("status = %d", r.status)
		}
	})
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	try := func(c *client, user, pass string) response {
		c.get("/login")
		return c.post("/login", url.Values{"username": {user}, "password": {pass}})
	}
	t.Run("wrong password and unknown user get the same answer", func(t *testing.T) {
		wrong := try(a.client(), "ada", "wrong password!")
		unknown := try(a.client(), "nobody", "wrong password!")
		if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized {
			t.Fatalf("statuses = %d, %d", wrong.status, unknown.status)
		}
		wrong.contains(t, "Incorrect username or password.", `value="ada"`)
		unknown.contains(t, "Incorrect username or password.", `value="nobody"`)
	})
	t.Run("empty fields", func(t *testing.T) {
		r := try(a.client(), "", "")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "Enter your username.", "Enter your password.")
	})
	t.Run("overlong and HTML usernames are refused and escaped", func(t *testing.T) {
		r := try(a.client(), strings.Repeat("x", 300), "pw")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", r.status)
		}
		r = try(a.client(), "<script>alert(1)</script>", "pw")
		r.lacks(t, "<script>alert(1)</script>")
		r.contains(t, "&lt;script&gt;")
	})
	t.Run("repeated failures are throttled with a time to retry", func(t *testing.T) {
		c := a.client()
		for range 5 {
			if r := try(c, "audra", "wrong password!"); r.status != http.StatusUnauthorized {
				t.Fatalf("status = %d", r.status)
			}
		}
		r := try(c, "audra", testPassword)
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt: status = %d", r.status)
		}
		r.contains(t, "Too many failed sign-in attempts. Try again in")
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// Another user from the same IP is not locked out by audra's failures.
		if r := try(a.client(), "max", testPassword); r.status != http.StatusSeeOther {
			t.Errorf("other user: status = %d", r.status)
		}
	})
	t.Run("next stays on this site", func(t *testing.T) {
		// A bad next is dropped: ada lands where a sign-in with none goes,
		// her only org's Tokens page.
		landing := "/orgs/acme/settings/tokens/api"
		for next, want := range map[string]string{"/admin": "/admin", "//evil.example": landing, "https://evil.example/": landing, "/\\evil": landing} {
			c := a.client()
			c.get("/login")
			r := c.post("/login", url.Values{"username": {"ada"}, "password": {testPassword}, "next": {next}})
			if got := r.header.Get("Location"); got != want {
				t.Errorf("next=%q: Location = %q, want %q", next, got, want)
			}
		}
	})
	t.Run("sign-out ends the session on the server", func(t *testing.T) {
		c := a.signIn("max")
		saved := c.http.Jar.Cookies(mustURL(t, a.ts.URL))
		c.get("/")
		if r := c.post("/logout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("logout status = %d", r.status)
		}
		replay := a.client()
		replay.http.Jar.SetCookies(mustURL(t, a.ts.URL), saved)
		if r := replay.get("/"); r.status != http.StatusSeeOther {
			t.Errorf("old cookie still signed in: status %d", r.status)
		}
	})
	t.Run("each sign-in gets a new session", func(t *testing.T) {
		c := a.client()
		c.get("/login")
		before := c.csrf
		c.post("/login", url.Values{"username": {"ada"}, "password": {testPassword}})
		c.get("/")
		if c.csrf == before {
			t.Error("CSRF token not rotated at sign-in")
		}
	})
	t.Run("request log line", func(t *testing.T) {
		log := a.log.String()
		if !regexp.MustCompile(`msg=request method=GET path=/login status=200 duration=\S+ request_id=\w+`).MatchString(log) {
			t.Errorf("no request line in log:\n%.1500s", log)
		}
		if strings.Contains(log, testPassword) {
			t.Error("password in the log")
		}
	})
}

func TestDisabledUser(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	victim := a.signIn("max")
	if r := victim.get("/"); r.status != http.StatusOK {
		t.Fatalf("max home: %d", r.status)
	}
	maxUser, err := a.db.UserByUsername(context.Background(), "max")
	if err != nil {
		t.Fatal(err)
	}
	admin.get("/admin")
	r := admin.post("/admin/users/"+itoa(maxUser.ID)+"/disable", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := victim.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("disabled user still signed in: %d", r.status)
	}
	c := a.client()
	c.get("/login")
	r = c.post("/login", url.Values{"username": {"max"}, "password": {testPassword}})
	if r.status != http.StatusForbidden {
		t.Fatalf("disabled sign-in status = %d", r.status)
	}
	r.contains(t, "This account is disabled")
	t.Run("site admin cannot disable self", func(t *testing.T) {
		ada, err := a.db.UserByUsername(context.Background(), "ada")
		if err != nil {
			t.Fatal(err)
		}
		admin.get("/admin")
		r := admin.post("/admin/users/"+itoa(ada.ID)+"/disable", url.Values{})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d", r.status)
		}
		r.contains(t, "you cannot disable your own account")
	})
	t.Run("enable again", func(t *testing.T) {
		admin.get("/admin")
		if r := admin.post("/admin/users/"+itoa(maxUser.ID)+"/enable", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("status = %d", r.status)
		}
		a.signIn("max")
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := a.client().get(path)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"ok"`) {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("%s sets a cookie", path)
		}
	}
	a.db.Close()
	if r := a.client().get("/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed database: %d", r.status)
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSecureCookieBehindProxy: behind a trusted proxy that says the browser
// came over HTTPS, the session cookie is Secure; the same header from an
// untrusted peer changes nothing, and neither does X-Forwarded-For.
func TestSecureCookieBehindProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		secure  bool
	}{
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true},
		{"untrusted peer", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &app{t: t, log: &syncBuffer{}, proxies: tc.proxies}
			inner := newApp(t)
			a.db, a.clock = inner.db, inner.clock
			a.start()
			c := a.client()
			req := c.request(http.MethodGet, "/login", nil, "")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-For", "203.0.113.50")
			r := c.do(req)
			if got := strings.Contains(r.header.Get("Set-Cookie"), "Secure"); got != tc.secure {
				t.Errorf("Secure = %v, want %v (%s)", got, tc.secure, r.header.Get("Set-Cookie"))
			}
			wantIP := "ip=127.0.0.1"
			if tc.secure {
				wantIP = "ip=203.0.113.50"
			}
			if !strings.Contains(a.log.String(), wantIP) {
				t.Errorf("log does not show %s:\n%s", wantIP, a.log.String())
			}
		})
	}
}
