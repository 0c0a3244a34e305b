package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// Journeys through Settings > Tokens in a real browser: create and copy,
// share, edit, rotate, disable, revoke, search, filters, the auditor's view
// and the policy preview. Each asserts what a person sees on the page.

var apiSecretPattern = regexp.MustCompile(`^twa_[0-9A-Za-z]{49}$`)

// apiTab is acme's API tokens tab, absolute.
func apiTab(a *app) string { return a.ts.URL + "/orgs/acme/settings/tokens/api" }

// rowSel selects the tokens table's row of the token named name.
func rowSel(name string) string { return testid("token-row-" + url.PathEscape(name)) }

// waitJS waits until the JavaScript expression is true, failing the test
// with what (and the last value seen) after readTimeout.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for {
		var ok bool
		run(t, ctx, chromedp.Evaluate(`!!(`+expr+`)`, &ok))
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// rowNames are the names in the tokens table, top to bottom.
func rowNames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var names []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('#token-table [data-testid="token-name"]'), el => el.textContent.trim())`, &names))
	return names
}

// waitRows waits until the table lists exactly the names given, in any
// order (htmx swaps it after a search or filter change).
func waitRows(t *testing.T, ctx context.Context, want ...string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	waitSettled(t, ctx)
	if got := slices.Sorted(slices.Values(rowNames(t, ctx))); !slices.Equal(got, want) {
		t.Fatalf("table lists %q, want %q", got, want)
	}
}

// pick chooses a select's option as a person does: the value changes and a
// change event bubbles up (chromedp's SetValue fires none).
func pick(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	var ok bool
	run(t, ctx, chromedp.Evaluate(`(() => { const el = document.querySelector(`+jsString(sel)+`);
		if (!el || ![...el.options].some(o => o.value === `+jsString(value)+`)) return false;
		el.focus(); el.value = `+jsString(value)+`;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return true; })()`, &ok))
	if !ok {
		t.Fatalf("no option %q in %s", value, sel)
	}
}

// openDialog clicks an opener (htmx loads the dialog into #dialog-slot) and
// waits for the dialog to show as a modal.
func openDialog(t *testing.T, ctx context.Context, opener, dialog string) {
	t.Helper()
	openMenuOf(t, ctx, opener)
	run(t, ctx, chromedp.Click(opener, chromedp.ByQuery))
	waitSettled(t, ctx)
	waitJS(t, ctx, dialog+" shown as a modal", `document.querySelector(`+jsString(testid(dialog))+`)?.matches(':modal')`)
}

// openMenuOf opens the row menu that holds sel, as a person does by
// clicking its Actions button; an action not in a menu needs nothing.
func openMenuOf(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	var closed bool
	run(t, ctx, chromedp.Evaluate(`!!document.querySelector(`+jsString(sel)+`)?.closest('details.menu:not([open])')`, &closed))
	if closed {
		run(t, ctx, chromedp.Click(`document.querySelector(`+jsString(sel)+`).closest('details.menu').querySelector('summary')`, chromedp.ByJSPath))
	}
}

// grantClipboard lets the page read the clipboard (headless Chromium
// refuses readText otherwise) and keeps the tab focused, as the clipboard
// API needs a focused document.
func grantClipboard(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		c := chromedp.FromContext(ctx)
		bctx := cdp.WithExecutor(ctx, c.Browser)
		info, err := target.GetTargetInfo().WithTargetID(c.Target.TargetID).Do(bctx)
		if err != nil {
			return err
		}
		// Only reading: writeText must work as it does for a person, from the click.
		if err := cdpbrowser.SetPermission(&cdpbrowser.PermissionDescriptor{Name: "clipboard-read"}, cdpbrowser.PermissionSettingGranted).
			WithOrigin(origin).WithBrowserContextID(info.BrowserContextID).Do(bctx); err != nil {
			return fmt.Errorf("grant clipboard-read: %w", err)
		}
		return emulation.SetFocusEmulationEnabled(true).Do(ctx)
	}))
}

// pageHTML is the whole document as the browser holds it now.
func pageHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	var h string
	run(t, ctx, chromedp.Evaluate(`document.documentElement.outerHTML`, &h))
	return h
}

// reload reloads the tab as a person does (F5) and fails unless the page
// then shown is a 200.
func reload(t *testing.T, ctx context.Context) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Reload())
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if resp.Status != 200 {
		t.Errorf("reload of %s: status %d, want 200", currentPath(t, ctx), resp.Status)
	}
}

// textOrNone is the text of sel, or "<none>" when the page has no such element.
func textOrNone(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if !exists(t, ctx, sel) {
		return "<none>"
	}
	return textOf(t, ctx, sel)
}

// adminCreates creates a token through the dashboard as ada (so an
// org-visible one is sealed under the server's own key and can be revealed).
func adminCreates(t *testing.T, a *app, kind string, vals url.Values) (secret string, tok store.Token) {
	t.Helper()
	secret, id := a.signIn("ada").createToken(t, kind, vals)
	return secret, mustToken(t, a, id)
}

func TestJourneyCreateCopyReload(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		grantClipboard(t, ctx, a.ts.URL)
		signInBrowser(t, ctx, a, "ada")

		visit(t, ctx, apiTab(a))
		if got := textOf(t, ctx, testid("empty-tokens")); !strings.Contains(got, "No API tokens yet") {
			t.Errorf("empty state = %q", got)
		}
		j.openDialog(testid("create-token"), "create-dialog")
		// With JavaScript the dialog opens over the tab; without, it is the tab's create page.
		if p, want := currentPath(t, ctx), map[bool]string{true: "/orgs/acme/settings/tokens/api", false: "/orgs/acme/settings/tokens/api/new"}[j.js]; p != want {
			t.Errorf("opening the dialog moved the page to %s, want %s", p, want)
		}
		dlg := testid("create-dialog")
		run(t, ctx,
			fill(dlg+" #name", "CI deploys"),
			chromedp.Click(dlg+" "+testid("scope-tokens:read"), chromedp.ByQuery), // nothing starts ticked: tick two children
			chromedp.Click(dlg+" "+testid("scope-audit:read"), chromedp.ByQuery),
		)
		if status := submit(t, ctx, dlg+" "+testid("create-submit")); status != 201 {
			t.Fatalf("create: status %d, flashes %q", status, flashes(t, ctx))
		}
		secret := j.revealed()
		if !apiSecretPattern.MatchString(secret) {
			t.Fatalf("revealed secret %q does not look like an API token", secret)
		}
		if got := textOf(t, ctx, testid("reveal-env")); got != "TOKENWARD_TOKEN" {
			t.Errorf("reveal suggests %q", got)
		}
		if clip := j.copySecret(); clip != secret {
			t.Errorf("copied %q, want the secret shown %q", clip, secret)
		} else if !apiSecretPattern.MatchString(clip) {
			t.Errorf("copied %q does not match %s", clip, apiSecretPattern)
		}
		if !j.js {
			// The flash comes with the reveal; Done then loads a plain view of the tab.
			wantFlash(t, ctx, "success", "Created CI deploys.")
		}
		j.closeReveal()
		if j.js {
			wantFlash(t, ctx, "success", "Created CI deploys.")
		}

		tok, _, err := a.db.TokenBySecretHash(context.Background(), hashOf(secret))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(tok.Scopes, " ") != "audit:read tokens:read" {
			t.Errorf("stored scopes = %q", tok.Scopes)
		}

		// Reload as a person does (F5): the page comes back as a plain view of
		// the tab, not a second create (a reload re-posts a POST's answer).
		reload(t, ctx)
		if exists(t, ctx, testid("create-dialog")) {
			t.Errorf("reload posted the create form again: the create dialog is back, error %q",
				textOrNone(t, ctx, testid("error-name")))
		}
		if h := pageHTML(t, ctx); strings.Contains(h, secret) {
			t.Errorf("the secret is in the page after reload (path %s)", currentPath(t, ctx))
		}
		if exists(t, ctx, testid("reveal-dialog")) {
			t.Error("the reveal dialog is back after reload")
		}
		if got := rowNames(t, ctx); !slices.Equal(got, []string{"CI deploys"}) {
			t.Fatalf("after reload the table lists %q, want just CI deploys", got)
		}
		if got := textOf(t, ctx, rowSel("CI deploys")+" "+testid("token-hint")); got != tok.Hint {
			t.Errorf("row hint = %q, want %q", got, tok.Hint)
		}
		if n := a.tokenCount(t); n != 1 {
			t.Errorf("%d tokens after reload, want 1", n)
		}
	})
}

func TestJourneyMemberCopiesSharedToken(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		shared, sharedTok := adminCreates(t, a, "api", url.Values{"name": {"shared"}, "scopes": {"report:read"}, "visibility": {"org"}})
		hidden, _ := adminCreates(t, a, "api", url.Values{"name": {"secret-admin"}, "scopes": {"api"}})
		grantClipboard(t, ctx, a.ts.URL)
		signInBrowser(t, ctx, a, "max")

		visit(t, ctx, apiTab(a))
		if got := rowNames(t, ctx); !slices.Equal(got, []string{"shared"}) {
			t.Fatalf("max sees %q, want only shared", got)
		}
		if exists(t, ctx, testid("create-token")) {
			t.Error("max is offered to create an API token")
		}
		var actions []string
		run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid^="action-"]'), el => el.dataset.testid)`, &actions))
		if !slices.Equal(actions, []string{"action-reveal"}) {
			t.Errorf("max's actions = %q, want only action-reveal", actions)
		}
		if h := pageHTML(t, ctx); strings.Contains(h, shared) || strings.Contains(h, hidden) {
			t.Error("a secret is in the page before any reveal")
		}

		j.follow(rowSel("shared") + " " + testid("action-reveal"))
		if got := j.revealed(); got != shared {
			t.Errorf("revealed %q, want the shared token's secret", got)
		}
		if clip := j.copySecret(); clip != shared {
			t.Errorf("copied %q, want the shared secret", clip)
		}
		j.closeReveal()
		if got := rowNames(t, ctx); !slices.Equal(got, []string{"shared"}) {
			t.Errorf("after Done max sees %q, want the tab with shared", got)
		}

		events, err := a.db.TokenEvents(context.Background(), a.org.ID, sharedTok.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 || events[0].Action != "token.revealed" || events[0].ActorLabel != "max" {
			t.Errorf("latest event = %+v, want token.revealed by max", events)
		}
	})
}

func TestJourneyEditRotateDisableEnableRevoke(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		first, tok := adminCreates(t, a, "api", url.Values{"name": {"deployer"}, "scopes": {"api"}})
		grantClipboard(t, ctx, a.ts.URL)
		signInBrowser(t, ctx, a, "ada")
		visit(t, ctx, apiTab(a))
		row := rowSel("deployer")
		scopesOf := func() []string {
			var s []string
			run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll(`+jsString(row+" code.scope")+`), el => el.textContent.trim())`, &s))
			return s
		}
		status := func() string { return textOf(t, ctx, row+" "+testid("status")) }

		// Edit the scopes.
		j.openDialog(row+" "+testid("action-edit"), "edit-dialog")
		dlg := testid("edit-dialog")
		run(t, ctx,
			chromedp.Click(dlg+" "+testid("scope-report:read"), chromedp.ByQuery),
			chromedp.Click(dlg+" "+testid("scope-api"), chromedp.ByQuery),
		)
		if st := submit(t, ctx, dlg+" "+testid("edit-submit")); st != 200 {
			t.Fatalf("save: status %d", st)
		}
		wantFlash(t, ctx, "success", "Saved")
		if got := scopesOf(); !slices.Equal(got, []string{"report:read"}) {
			t.Errorf("scopes after edit = %q, want report:read", got)
		}

		// Rotate with a 1-hour grace.
		j.openDialog(row+" "+testid("action-rotate"), "rotate-dialog")
		run(t, ctx, chromedp.Click(testid("rotate-dialog")+" "+testid("grace-1h"), chromedp.ByQuery))
		if st := submit(t, ctx, testid("rotate-dialog")+" "+testid("rotate-submit")); st != 200 {
			t.Fatalf("rotate: status %d", st)
		}
		second := j.revealed()
		if !apiSecretPattern.MatchString(second) || second == first {
			t.Fatalf("rotated secret %q (first %q)", second, first)
		}
		bg := context.Background()
		if got, prev, err := a.db.TokenBySecretHash(bg, hashOf(first)); err != nil || got.ID != tok.ID || !prev {
			t.Errorf("old secret during grace: id %s prev %v err %v, want the token as previous secret", got.ID, prev, err)
		} else if want := time.Now().Add(time.Hour); got.PrevValidUntil.Before(want.Add(-time.Minute)) || got.PrevValidUntil.After(want.Add(time.Minute)) {
			t.Errorf("old secret valid until %v, want about an hour from now", got.PrevValidUntil)
		}
		if got, prev, err := a.db.TokenBySecretHash(bg, hashOf(second)); err != nil || got.ID != tok.ID || prev {
			t.Errorf("new secret: id %s prev %v err %v", got.ID, prev, err)
		}
		j.closeReveal()
		if got := textOf(t, ctx, row+" "+testid("token-hint")); got != auth.TokenHint(second) {
			t.Errorf("hint after rotation = %q, want %q", got, auth.TokenHint(second))
		}
		// A reload after the reveal must not rotate again: the secret just
		// copied stays the token's current one.
		reload(t, ctx)
		if exists(t, ctx, testid("reveal-dialog")) {
			t.Errorf("reload after rotating shows a reveal again (page %s)", currentPath(t, ctx))
		}
		if got, prev, err := a.db.TokenBySecretHash(bg, hashOf(second)); err != nil || prev {
			t.Errorf("after reload the copied secret is no longer current: prev %v err %v (%s)", prev, err, got.Hint)
		}
		visit(t, ctx, apiTab(a))

		// Disable, then enable.
		for _, step := range []struct{ action, flash, status string }{
			{"disable", "Disabled deployer.", "Disabled"},
			{"enable", "Enabled deployer.", "Active"},
		} {
			j.openDialog(row+" "+testid("action-"+step.action), step.action+"-dialog")
			if st := submit(t, ctx, testid(step.action+"-dialog")+" "+testid("confirm-submit")); st != 200 {
				t.Fatalf("%s: status %d", step.action, st)
			}
			wantFlash(t, ctx, "success", step.flash)
			if got := status(); got != step.status {
				t.Errorf("after %s the status is %q, want %s", step.action, got, step.status)
			}
		}

		// Revoke: the dialog names the token; the row leaves the default view.
		j.openDialog(row+" "+testid("action-revoke"), "revoke-dialog")
		if got := textOf(t, ctx, testid("revoke-dialog")+" h2"); !strings.Contains(got, "deployer") {
			t.Errorf("revoke dialog title %q does not name the token", got)
		}
		if st := submit(t, ctx, testid("revoke-dialog")+" "+testid("confirm-submit")); st != 200 {
			t.Fatalf("revoke: status %d", st)
		}
		wantFlash(t, ctx, "success", "Revoked deployer.")
		if exists(t, ctx, row) {
			t.Error("the revoked token is still in the default view")
		}
		run(t, ctx, chromedp.Click(testid("status-revoked"), chromedp.ByQuery))
		j.applyFilters(testid("token-filter"))
		waitRows(t, ctx, "deployer")
		if got := status(); got != "Revoked" {
			t.Errorf("revoked token's status = %q", got)
		}
		if exists(t, ctx, row+` [data-testid^="action-"]`) {
			t.Error("a revoked token still offers actions")
		}
		if got := mustToken(t, a, tok.ID); got.RevokedAt.IsZero() {
			t.Error("the token is not revoked in the store")
		}
	})
}

func TestJourneySearchByWholeToken(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		adminCreates(t, a, "api", url.Values{"name": {"alpha"}, "scopes": {"api"}})
		secret, tok := adminCreates(t, a, "api", url.Values{"name": {"bravo"}, "scopes": {"report:read"}})
		adminCreates(t, a, "api", url.Values{"name": {"charlie"}, "scopes": {"api"}})
		signInBrowser(t, ctx, a, "ada")
		urls := requestedURLs(ctx)
		redirects := documentRedirects(ctx)

		visit(t, ctx, apiTab(a))
		waitRows(t, ctx, "alpha", "bravo", "charlie")
		run(t, ctx, chromedp.Evaluate(`window.__beforeSearch = true`, nil))
		// Paste: one insertion of the whole text into the focused search box.
		run(t, ctx,
			chromedp.Focus(testid("token-search"), chromedp.ByQuery),
			chromedp.ActionFunc(func(ctx context.Context) error { return input.InsertText(secret).Do(ctx) }),
		)
		j.applyFilters(testid("token-filter"))
		waitRows(t, ctx, "bravo")
		var kept bool
		run(t, ctx, chromedp.Evaluate(`window.__beforeSearch === true`, &kept))
		if j.js {
			// htmx swaps the table and pushes a URL that names the token by its hint.
			if !kept {
				t.Error("the search loaded a new page instead of swapping the table")
			}
			waitJS(t, ctx, "the URL to carry the search", `location.search.includes('q=')`)
		} else {
			// The form posts and the server redirects to the tab's URL with the hint.
			if kept {
				t.Error("without JavaScript the search did not load the page")
			}
			if got := redirects(); len(got) != 1 || got[0] != http.StatusSeeOther {
				t.Errorf("the search's POST was answered by redirects %v, want one 303", got)
			}
		}
		var href string
		run(t, ctx, chromedp.Evaluate(`location.href`, &href))
		if strings.Contains(href, secret) {
			t.Errorf("the address bar holds the secret: %s", href)
		}
		if u, err := url.Parse(href); err != nil || u.Path != "/orgs/acme/settings/tokens/api" || u.Query().Get("q") != tok.Hint {
			t.Errorf("address bar %s, want the tab with q = the hint %q", href, tok.Hint)
		}
		if got := valueOf(t, ctx, testid("token-search")); got != tok.Hint {
			t.Errorf("search box holds %q after the search, want the hint %q (not the secret)", got, tok.Hint)
		}
		if h := pageHTML(t, ctx); strings.Contains(h, secret) {
			t.Error("the secret is somewhere in the page after the search")
		}

		// Reloading the pushed URL shows the same one row.
		visit(t, ctx, href)
		waitRows(t, ctx, "bravo")
		for _, u := range urls() {
			if strings.Contains(u, secret) {
				t.Errorf("the browser requested a URL holding the secret: %s", u)
			}
		}
		history := historyURLs(t, ctx)
		if len(history) < 2 {
			t.Errorf("the tab's history is %q, want the pages visited", history)
		}
		for _, u := range history {
			if strings.Contains(u, secret) {
				t.Errorf("the tab's history holds the secret: %s", u)
			}
		}
	})
}

// requestedURLs records every URL the tab requests from now on; the
// function returns those seen so far.
func requestedURLs(ctx context.Context) func() []string {
	var mu sync.Mutex
	var seen []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			seen = append(seen, ev.Request.URL)
			mu.Unlock()
		}
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// documentRedirects records the status of every redirect a page load
// follows from now on; the function returns those seen so far.
func documentRedirects(ctx context.Context) func() []int64 {
	var mu sync.Mutex
	var seen []int64
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && ev.RedirectResponse != nil && ev.Type == network.ResourceTypeDocument {
			mu.Lock()
			seen = append(seen, ev.RedirectResponse.Status)
			mu.Unlock()
		}
	})
	return func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// historyURLs are the URLs of the tab's back/forward history.
func historyURLs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var out []string
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, entries, err := page.GetNavigationHistory().Do(ctx)
		for _, e := range entries {
			out = append(out, e.URL)
		}
		return err
	}))
	return out
}

// requestedURLs records every URL the tab requests from now on; the
// function returns those seen so far.
func TestJourneyFiltersSurviveReload(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		bg := context.Background()
		for _, c := range []struct {
			user, name string
		}{{"max", "made-by-max"}, {"ada", "made-by-ada"}} {
			if _, errs, err := issueAPI(a, userID(t, a, c.user), c.name); err != nil || len(errs) > 0 {
				t.Fatal(errs, err)
			}
		}
		adaID := userID(t, a, "ada")
		svcIDs := map[string]int64{}
		for _, name := range []string{"payments", "ledger"} {
			svc, _, errs, err := core.OnboardService(bg, a.db, mintSealer(t), store.NewService{OrgID: a.org.ID, Name: "acme/" + name},
				core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: name, CreatorID: adaID}, store.Actor{UserID: adaID, Label: "ada"})
			if err != nil || len(errs) > 0 {
				t.Fatal(errs, err)
			}
			svcIDs[name] = svc.ID
		}
		signInBrowser(t, ctx, a, "ada")
		// filtered picks a filter, waits for the table, and returns the URL
		// the tab then shows, which must carry the filter.
		filtered := func(sel, param, value, row string) string {
			t.Helper()
			j.pick(sel, value)
			j.applyFilters(testid("token-filter"))
			waitRows(t, ctx, row)
			waitJS(t, ctx, param+"= in the URL", `new URL(location.href).searchParams.get(`+jsString(param)+`) === `+jsString(value))
			var href string
			run(t, ctx, chromedp.Evaluate(`location.href`, &href))
			return href
		}

		visit(t, ctx, apiTab(a))
		waitRows(t, ctx, "made-by-max", "made-by-ada")
		visit(t, ctx, filtered(testid("role-filter"), "role", "member", "made-by-max"))
		waitRows(t, ctx, "made-by-max")
		if got := selectedLabel(t, ctx, testid("role-filter")); got != "Member" {
			t.Errorf("after reload the role filter shows %q, want Member", got)
		}

		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/tokens/service")
		waitRows(t, ctx, "payments", "ledger")
		visit(t, ctx, filtered(testid("service-filter"), "service", fmt.Sprint(svcIDs["ledger"]), "ledger"))
		waitRows(t, ctx, "ledger")
		if got := selectedLabel(t, ctx, testid("service-filter")); got != "acme/ledger" {
			t.Errorf("after reload the service filter shows %q, want acme/ledger", got)
		}
	})
}

func TestJourneyAuditorSeesAllNoActions(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		bg := context.Background()
		adaID, maxID := userID(t, a, "ada"), userID(t, a, "max")
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "admins-only"})
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "org-shared", Visibility: auth.VisibilityOrg})
		mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "max-laptop", CreatorID: maxID})
		if _, _, errs, err := core.OnboardService(bg, a.db, mintSealer(t), store.NewService{OrgID: a.org.ID, Name: "acme/payments"},
			core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: "payments", CreatorID: adaID}, store.Actor{UserID: adaID, Label: "ada"}); err != nil || len(errs) > 0 {
			t.Fatal(errs, err)
		}
		signInBrowser(t, ctx, a, "audra")

		for _, tab := range []struct {
			kind  string
			names []string
		}{
			{"api", []string{"admins-only", "org-shared"}},
			{"cli", []string{"max-laptop"}},
			{"service", []string{"payments"}},
		} {
			visit(t, ctx, a.ts.URL+"/orgs/acme/settings/tokens/"+tab.kind)
			waitRows(t, ctx, tab.names...)
			for sel, what := range map[string]string{
				`[data-testid^="action-"]`:         "an action button",
				testid("create-token"):             "the create button",
				`input[name="ids"]`:                "a bulk checkbox",
				testid("bulk-revoke"):              "the bulk revoke button",
				`#token-table form[method="post"]`: "a form that posts from the table",
			} {
				if exists(t, ctx, sel) {
					t.Errorf("%s tab: the auditor sees %s (%s)", tab.kind, what, sel)
				}
			}
		}
	})
}

func TestJourneyPolicyPreview(t *testing.T) {
	bothWays(t, func(t *testing.T, j *journey) {
		ctx := j.ctx
		a := seededApp(t)
		base := time.Now().UTC().Truncate(time.Second)
		a.clock.Set(base.AddDate(0, 0, -100))
		old := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "hundred-days", Expiry: "365"})
		a.clock.Set(base.AddDate(0, 0, -10))
		recent := mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "ten-days", Expiry: "30"})
		a.clock.Release()
		signInBrowser(t, ctx, a, "ada")

		visit(t, ctx, apiTab(a))
		if got := textOf(t, ctx, rowSel("hundred-days")+" "+testid("status")); got != "Active" {
			t.Fatalf("before the policy the old token is %q", got)
		}

		visit(t, ctx, a.ts.URL+"/orgs/acme/settings/policy")
		run(t, ctx, fill(testid("policy-form")+" #max_days", "30"))
		if st := submit(t, ctx, testid("policy-preview")); st != 200 {
			t.Fatalf("preview: status %d", st)
		}
		if got := textOf(t, ctx, testid("cut-summary")); !strings.Contains(got, "1 token") {
			t.Errorf("preview summary = %q, want a count of 1 token", got)
		}
		if !exists(t, ctx, testid("cut-"+old.ID)) {
			t.Error("the preview does not list the 100-day-old token")
		} else if got := textOf(t, ctx, testid("cut-"+old.ID)); !strings.Contains(got, "hundred-days") {
			t.Errorf("cut row = %q, want the token's name", got)
		}
		if exists(t, ctx, testid("cut-"+recent.ID)) {
			t.Error("the preview lists the 10-day-old token, which the policy does not cut")
		}
		if got := valueOf(t, ctx, "#max_days"); got != "30" {
			t.Errorf("after preview the maximum field holds %q", got)
		}
		org, err := a.db.OrgBySlug(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if org.Policy.MaxDays != 0 {
			t.Fatalf("the preview saved the policy: MaxDays = %d", org.Policy.MaxDays)
		}

		if st := submit(t, ctx, testid("policy-save")); st != 200 {
			t.Fatalf("save: status %d", st)
		}
		wantFlash(t, ctx, "success", "Saved the token policy.")
		if org, err := a.db.OrgBySlug(context.Background(), "acme"); err != nil {
			t.Fatal(err)
		} else if org.Policy.MaxDays != 30 {
			t.Errorf("saved MaxDays = %d, want 30", org.Policy.MaxDays)
		}

		visit(t, ctx, apiTab(a))
		if got := textOf(t, ctx, rowSel("hundred-days")+" "+testid("status")); got != "Expired" {
			t.Errorf("after the policy the old token is %q, want Expired", got)
		}
		if got := textOf(t, ctx, rowSel("ten-days")+" "+testid("status")); got != "Active" {
			t.Errorf("after the policy the recent token is %q, want Active", got)
		}
	})
}
