package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Scopes in the create dialog: nothing broad starts ticked, children sit
// under their parent, and a child its ticked parent grants is saved once.

var checkedScope = regexp.MustCompile(`name="scopes" value="([a-z:]+)" checked`)

func TestCreateDialogScopes(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	for kind, want := range map[string]string{"api": "", "cli": "findings:local"} {
		r := admin.get("/orgs/acme/settings/tokens/" + kind + "/new")
		var ticked []string
		for _, m := range checkedScope.FindAllStringSubmatch(r.body, -1) {
			ticked = append(ticked, m[1])
		}
		if got := strings.Join(ticked, " "); got != want {
			t.Errorf("the %s dialog starts with %q ticked, want %q", kind, got, want)
		}
	}
	r := admin.get("/orgs/acme/settings/tokens/api/new")
	group := regexp.MustCompile(`(?s)data-testid="scope-group-api">(.*?)data-testid="scope-group-`).FindStringSubmatch(r.body)
	if group == nil {
		t.Fatal("no scope group for api")
	}
	for _, child := range []string{"tokens:read", "tokens:write", "audit:read", "introspect"} {
		if !strings.Contains(group[1], `class="scope-children"`) || !strings.Contains(group[1], `data-testid="scope-`+child+`"`) {
			t.Errorf("%s is not under api", child)
		}
	}
	_, id := admin.createToken(t, "api", url.Values{"name": {"redundant"}, "scopes": {"api", "tokens:read", "report:read"}, "expiry": {"30"}})
	if got := strings.Join(mustToken(t, a, id).Scopes, " "); got != "api report:read" {
		t.Errorf("saved scopes %q, want tokens:read folded into api: api report:read", got)
	}
}

func TestJourneyTickedParentCoversItsChildren(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		j.openDialog(testid("create-token"), "create-dialog")
		covered := func() bool {
			var shown bool
			run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-testid="covered-tokens:read"]').getClientRects().length > 0`, &shown))
			return shown
		}
		var indent float64
		run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-testid="scope-tokens:read"]').getBoundingClientRect().left -
			document.querySelector('[data-testid="scope-api"]').getBoundingClientRect().left`, &indent))
		if indent < 16 {
			t.Errorf("tokens:read sits %.0f px right of api, want it indented under it", indent)
		}
		if covered() {
			t.Error("with api unticked, tokens:read says it is included")
		}
		run(t, ctx, chromedp.Click(testid("scope-api"), chromedp.ByQuery))
		if !covered() {
			t.Error("with api ticked, tokens:read does not say it is included in api")
		}
		if got := textOf(t, ctx, testid("covered-tokens:read")); got != "included in api" {
			t.Errorf("the covered note reads %q", got)
		}
	})
}
