package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestHundredChangesWithoutAPageViewNeverAnswer500: a script disables and
// enables a token 100 times without loading a page in between. Every
// change answers its redirect (none a 500 after its change was made), and
// the next page shows the newest message and says older ones were left
// out, rather than 100 of them.
func TestHundredChangesWithoutAPageViewNeverAnswer500(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	name := "deploy " + strings.Repeat("🚀", 90) // long names make long messages
	_, id := admin.createToken(t, "api", url.Values{"name": {name}, "scopes": {"api"}})
	base := "/orgs/acme/settings/tokens/api/" + id + "/"
	for i := range 100 {
		action := "disable"
		if i%2 == 1 {
			action = "enable"
		}
		r := admin.post(base+action, url.Values{})
		if r.status != http.StatusSeeOther {
			t.Fatalf("change %d (%s): status %d\n%.500s", i+1, action, r.status, r.body)
		}
		for _, c := range r.header.Values("Set-Cookie") {
			if len(c) > 4096 {
				t.Fatalf("change %d: a cookie of %d bytes", i+1, len(c))
			}
		}
	}
	r := admin.get("/orgs/acme/settings/tokens/api")
	if r.status != http.StatusOK {
		t.Fatalf("page after the changes: %d", r.status)
	}
	r.contains(t, "Enabled "+name+".", "Not shown: ", "earlier messages")
	if n := strings.Count(r.body, `data-testid="flash"`); n > 4 {
		t.Errorf("%d messages on one page", n)
	}
	if r := admin.get("/orgs/acme/settings/tokens/api"); strings.Contains(r.body, `data-testid="flash"`) {
		t.Error("the messages show again on the next page")
	}
}
