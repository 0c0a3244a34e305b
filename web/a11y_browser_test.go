package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/store"
)

// axe-core checks every page and dialog, as admin, member and auditor, in
// light and dark, at a laptop's and a phone's width: zero violations.

// axeSource is axe-core, vendored as a test asset (testdata/axe/README.md).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeVersion is the vendored axe-core's version; the test checks that the
// file is the one recorded.
const axeVersion = "4.14.1"

// axeJS runs axe over the document and lists each violation with the first
// few elements it found it on.
const axeJS = `axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) =>
	v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') +
		(n.any[0]?.message ? ' [' + n.any[0].message + ']' : '')).join('; ') + (v.nodes.length > 3 ? '; and ' + (v.nodes.length - 3) + ' more' : '')))`

// a11yState is what a person may see: a page, or a dialog opened on it.
type a11yState struct {
	path   string
	opener string // "": the page itself; else the element that opens dialog
	dialog string
}

// axeEverywhere checks the page as shown now at each width and theme.
func axeEverywhere(t *testing.T, ctx context.Context, who, what string) {
	t.Helper()
	for _, w := range []int64{1366, 390} {
		for _, scheme := range []string{"light", "dark"} {
			run(t, ctx, viewport(w, map[int64]int64{1366: 900, 390: 844}[w]), colorScheme(scheme))
			var violations []string
			evalAsync(t, ctx, axeJS, &violations)
			for _, v := range violations {
				t.Errorf("%s, %s at %d px, %s: %s", who, what, w, scheme, v)
			}
		}
	}
}

// closeDialog closes the open modal with Escape, as a person does, and
// waits until it is gone.
func closeDialog(t *testing.T, ctx context.Context, dialog string) {
	t.Helper()
	run(t, ctx, chromedp.KeyEvent("\x1b"))
	waitJS(t, ctx, dialog+" to close", `!document.querySelector(`+jsString(testid(dialog))+`)?.open`)
}

func TestBrowserAccessibility(t *testing.T) {
	if !strings.HasPrefix(axeSource, "/*! axe v"+axeVersion+"\n") {
		t.Fatalf("testdata/axe/axe.min.js is not axe-core %s: update axeVersion and its README", axeVersion)
	}
	a := layoutApp(t)
	// A pending invitation: a row on the members page, and its link's page.
	code, hash := auth.NewInviteCode()
	if _, err := a.db.CreateInvitation(context.Background(), store.NewInvitation{OrgID: a.org.ID, Email: "nora@example.com", Role: "auditor",
		LinkHash: hash, InvitedBy: userID(t, a, "ada"), TTL: auth.InvitationTTL}, store.Actor{Label: "a11y"}); err != nil {
		t.Fatal(err)
	}
	grafana := rowSel("Grafana exporter for the production metrics cluster")
	deploy := rowSel("CI deploy")
	var detail string
	if toks := tokensNamed(t, a, "CI deploy"); len(toks) == 1 {
		detail = tokenURL(toks[0], "")
	}
	tabs := []string{"/orgs/acme/settings/tokens/api", "/orgs/acme/settings/tokens/cli", "/orgs/acme/settings/tokens/service"}
	roles := []struct {
		user   string
		states []a11yState
	}{
		{"ada", []a11yState{
			{path: tabs[0]},
			{path: tabs[0], opener: testid("create-token"), dialog: "create-dialog"},
			{path: tabs[0], opener: deploy + " " + testid("action-edit"), dialog: "edit-dialog"},
			{path: tabs[0], opener: deploy + " " + testid("action-rotate"), dialog: "rotate-dialog"},
			{path: tabs[0], opener: deploy + " " + testid("action-disable"), dialog: "disable-dialog"},
			{path: tabs[0], opener: deploy + " " + testid("action-revoke"), dialog: "revoke-dialog"},
			{path: tabs[0], opener: grafana + " " + testid("action-reveal"), dialog: "reveal-dialog"},
			{path: tabs[1]}, {path: tabs[2]}, {path: detail},
			{path: "/orgs/acme/settings/audit"}, {path: "/orgs/acme/settings/audit/events"},
			{path: "/orgs/acme/settings/members"}, {path: "/orgs/acme/settings/services"}, {path: "/orgs/acme/settings/policy"},
			{path: "/me/tokens"}, {path: "/notifications"}, {path: "/admin"}, {path: "/"}, {path: "/invite/" + code},
		}},
		{"max", []a11yState{
			{path: tabs[0]},
			{path: tabs[0], opener: grafana + " " + testid("action-reveal"), dialog: "reveal-dialog"},
			{path: tabs[1]},
			{path: tabs[1], opener: testid("create-token"), dialog: "create-dialog"},
			{path: tabs[1], opener: rowSel("max laptop") + " " + testid("action-revoke"), dialog: "revoke-dialog"},
			{path: "/me/tokens"}, {path: "/notifications"}, {path: "/"},
		}},
		{"audra", []a11yState{
			{path: tabs[0]}, {path: tabs[1]}, {path: tabs[2]}, {path: detail},
			{path: "/orgs/acme/settings/audit"}, {path: "/orgs/acme/settings/audit/events"},
			{path: "/me/tokens"}, {path: "/notifications"}, {path: "/"},
		}},
	}
	// The roles run side by side, each in its own tab (its own renderer).
	for _, role := range roles {
		t.Run(role.user, func(t *testing.T) {
			t.Parallel()
			axeRole(t, a, role.user, role.states)
		})
	}
}

// axeRole signs user in and runs axe over each state in every width and
// theme.
func axeRole(t *testing.T, a *app, user string, states []a11yState) {
	start := time.Now()
	{
		role := struct {
			user   string
			states []a11yState
		}{user, states}
		ctx := newTabWithin(t, 3*time.Minute)
		run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(axeSource).Do(ctx)
			return err
		}))
		signInBrowser(t, ctx, a, role.user)
		shownPath := ""
		for _, st := range role.states {
			if st.path != shownPath || st.opener != "" {
				run(t, ctx, viewport(1366, 900), colorScheme("light"))
				visit(t, ctx, a.ts.URL+st.path)
				shownPath = st.path
			}
			if st.opener == "" {
				axeEverywhere(t, ctx, role.user, st.path)
				continue
			}
			openDialog(t, ctx, st.opener, st.dialog)
			axeEverywhere(t, ctx, role.user, fmt.Sprintf("%s on %s", st.dialog, st.path))
			closeDialog(t, ctx, st.dialog)
		}
	}
	t.Logf("axe over %d pages and dialogs as %s, two widths, two themes: %s", len(states), user, time.Since(start).Round(time.Millisecond))
}

// tokensNamed are acme's API tokens whose name matches name.
func tokensNamed(t *testing.T, a *app, name string) []store.Token {
	t.Helper()
	p, err := a.db.Tokens(context.Background(), store.TokenQuery{OrgID: a.org.ID, Kind: "api", Search: name, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	return p.Tokens
}
