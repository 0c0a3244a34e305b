package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tokenward/store"
	"tokenward/web/internal/testop"
)

// The people at the test OP.
var (
	opAlice = testop.Person{ID: "sub-alice", Username: "alice", Email: "alice@example.org", Verified: true, First: "Alice", Last: "Liddell"}
	opBob   = testop.Person{ID: "sub-bob", Username: "bob", Email: "bob@example.org", Verified: false, First: "Bob", Last: "Unverified"}
	opEve   = testop.Person{ID: "sub-eve", Username: "eve", Email: "eve@elsewhere.net", Verified: true, First: "Eve", Last: "Outside"}
	opAda   = testop.Person{ID: "sub-ada", Username: "ada-at-op", Email: "ada@example.com", Verified: true, First: "Ada", Last: "Lovelace"}
	opMax   = testop.Person{ID: "sub-max", Username: "max-at-op", Email: "max@corp.example", Verified: true, First: "Max", Last: "M"}
)

// idpApp is a seeded app with a real OP whose client may redirect to the
// app's callback.
func idpApp(t *testing.T) (*app, *testop.OP) {
	t.Helper()
	a := seededApp(t)
	op := testop.Start(t, a.ts.URL+"/login/callback", opAlice, opBob, opEve, opAda, opMax)
	return a, op
}

// providerForm is the add-provider form for op, joining acme as a member
// with a verified address at example.org.
func providerForm(op *testop.OP, name string) url.Values {
	return url.Values{"kind": {"oidc"}, "name": {name}, "issuer": {op.Issuer}, "client_id": {op.ClientID},
		"client_secret": {op.ClientSecret}, "domains": {"example.org"}, "join": {"1"}, "join_org": {"acme"}, "join_role": {"member"}}
}

// addProvider adds a provider as ada through /admin/identity and returns it.
func addProvider(t *testing.T, a *app, form url.Values) store.IdentityProvider {
	t.Helper()
	admin := a.signIn("ada")
	admin.get("/admin/identity")
	if r := admin.post("/admin/identity", form); r.status != http.StatusSeeOther {
		t.Fatalf("add provider: status %d\n%.3000s", r.status, r.body)
	}
	list, err := a.db.Providers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name == form.Get("name") {
			return p
		}
	}
	t.Fatalf("provider %s not saved", form.Get("name"))
	return store.IdentityProvider{}
}

// startAt asks the app for a provider flow (a GET of start, or a POST for a
// link) and returns where it sends the browser.
func startAt(t *testing.T, c *client, r response) string {
	t.Helper()
	if r.status == http.StatusOK { // a form's answer: the page that continues
		m := continuePattern.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("start: no continue link\n%.2000s", r.body)
		}
		return html.UnescapeString(m[1])
	}
	if r.status != http.StatusSeeOther {
		t.Fatalf("start: status %d\n%.2000s", r.status, r.body)
	}
	return r.header.Get("Location")
}

var continuePattern = regexp.MustCompile(`href="([^"]+)" data-testid="continue-to-provider"`)

// signInAt runs a whole provider sign-in for c as the OP's username and
// returns the app's answer to the callback.
func signInAt(t *testing.T, c *client, p store.IdentityProvider, username string) response {
	t.Helper()
	back := opSignIn(t, startAt(t, c, c.get("/login/with/"+itoa(p.ID))), username)
	return c.get(back)
}

// opSignIn signs username in at the OP from authURL and returns the app
// path (with code and state) the OP sends the browser back to.
func opSignIn(t *testing.T, authURL, username string) string {
	t.Helper()
	back, err := testop.SignIn(authURL, username)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// withQuery returns path with the query parameter key set to value.
func withQuery(t *testing.T, path, key, value string) string {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	if strings.HasPrefix(path, "http") {
		return u.String()
	}
	return u.RequestURI()
}

// userCount is how many users the app has.
func userCount(t *testing.T, a *app) int {
	t.Helper()
	users, err := a.db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(users)
}
