package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// Layout at the widths people use: the tokens, audit and members tables fit
// their column at laptop widths, and a phone shows each token as a card.

// layoutApp is seededApp with the tokens a busy org has: long names, many
// scopes, a shared token, CLI tokens of two people, a service and uses.
func layoutApp(t *testing.T) *app {
	t.Helper()
	a := seededApp(t)
	bg := context.Background()
	adaID, maxID := userID(t, a, "ada"), userID(t, a, "max")
	// The shared token is made through the dashboard, so its sealed copy is
	// under the server's key and can be revealed.
	_, shared := adminCreates(t, a, "api", url.Values{"name": {"Grafana exporter for the production metrics cluster"},
		"scopes": {"tokens:read", "audit:read", "introspect", "services:read", "report:read", "repo:list"}, "visibility": {"org"}, "expiry": {"365"}})
	toks := []store.Token{
		shared,
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "CI deploy", Scopes: []string{"api"}, Expiry: "7"}),
		mintToken(t, a, core.TokenRequest{Kind: auth.KindAPI, Name: "Nightly backup verification", Scopes: []string{"report", "repo"}, Expiry: "90"}),
		mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "ada on build-agent-07.internal.acme.example", CreatorID: adaID}),
		mintToken(t, a, core.TokenRequest{Kind: auth.KindCLI, Name: "max laptop", CreatorID: maxID}),
	}
	if _, _, errs, err := core.OnboardService(bg, a.db, mintSealer(t), store.NewService{OrgID: a.org.ID, Name: "acme/payments-gateway"},
		core.TokenRequest{Org: a.org, Kind: auth.KindService, Name: "payments-gateway", CreatorID: adaID}, store.Actor{UserID: adaID, Label: "ada"}); err != nil || len(errs) > 0 {
		t.Fatal(errs, err)
	}
	now := time.Now()
	var uses []store.Use
	for i, tok := range toks[:2] {
		uses = append(uses, store.Use{TokenID: tok.ID, At: now.Add(-time.Duration(i+1) * time.Hour), IP: fmt.Sprintf("203.0.113.%d", 10+i),
			UserAgent: "grafana-agent/0.40.2 (linux; amd64)", What: "GET /api/v1/tokens"})
	}
	if err := a.db.RecordUses(bg, uses); err != nil {
		t.Fatal(err)
	}
	return a
}

// viewport sets the tab's window to w×h CSS pixels.
func viewport(w, h int64) chromedp.Action {
	return chromedp.EmulateViewport(w, h)
}

// colorScheme makes the page see prefers-color-scheme: scheme (light or
// dark), with reduced motion so no colour is read mid-transition.
func colorScheme(scheme string) chromedp.Action {
	return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme},
		{Name: "prefers-reduced-motion", Value: "reduce"}})
}

// overflowJS lists what sticks out sideways: the page itself, any table
// wider than the box it sits in, and any row action past the window's edge.
const overflowJS = `(() => {
	const out = [];
	const doc = document.documentElement;
	if (doc.scrollWidth > innerWidth + 1) out.push('the page scrolls sideways: ' + doc.scrollWidth + ' px wide in a ' + innerWidth + ' px window');
	document.querySelectorAll('table.data').forEach((t) => {
		const box = t.parentElement.getBoundingClientRect();
		const r = t.getBoundingClientRect();
		const name = t.dataset.testid || t.closest('[id]')?.id || 'a table';
		if (r.width > box.width + 1 || t.scrollWidth > t.clientWidth + 1) out.push(name + ' is ' + Math.round(Math.max(r.width, t.scrollWidth)) + ' px wide in a ' + Math.round(box.width) + ' px column');
	});
	document.querySelectorAll('td.actions > *, td.actions summary').forEach((el) => {
		const r = el.getBoundingClientRect();
		if (r.width > 0 && r.right > innerWidth) out.push('an action (' + el.textContent.trim() + ') ends at ' + Math.round(r.right) + ' px, past the ' + innerWidth + ' px window');
	});
	return out;
})()`

// overflow is what sticks out sideways on the page shown now.
func overflow(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var out []string
	run(t, ctx, chromedp.Evaluate(overflowJS, &out))
	return out
}

func TestBrowserTablesFitTheirColumn(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	signInBrowser(t, ctx, a, "ada")
	pages := []string{"/orgs/acme/settings/tokens/api", "/orgs/acme/settings/tokens/cli", "/orgs/acme/settings/tokens/service",
		"/orgs/acme/settings/audit", "/orgs/acme/settings/audit/events", "/orgs/acme/settings/members"}
	for _, p := range pages {
		visit(t, ctx, a.ts.URL+p)
		for _, w := range []int64{1280, 1366} {
			run(t, ctx, viewport(w, 900))
			if !exists(t, ctx, "table.data") {
				t.Errorf("%s has no table to check", p)
			}
			for _, o := range overflow(t, ctx) {
				t.Errorf("%s at %d px: %s", p, w, o)
			}
			shot(t, ctx, fmt.Sprintf("%s-%d", p, w))
		}
	}
	// Every action of a row is one click away: the row menu opens on the
	// page, inside the window.
	visit(t, ctx, a.ts.URL+pages[0])
	row := rowSel("CI deploy")
	run(t, ctx, chromedp.Click(row+" "+testid("row-menu")+" summary", chromedp.ByQuery))
	var outside []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll(`+jsString(row+` .menu-items [data-testid^="action-"]`)+`)).filter((el) => {
		const r = el.getBoundingClientRect();
		return r.width === 0 || r.left < 0 || r.right > innerWidth;
	}).map((el) => el.dataset.testid)`, &outside))
	if len(outside) > 0 {
		t.Errorf("row menu actions hidden or off-screen: %q", outside)
	}
	for _, want := range []string{"action-edit", "action-rotate", "action-disable", "action-revoke"} {
		if !exists(t, ctx, row+" "+testid(want)) {
			t.Errorf("the row menu lacks %s", want)
		}
	}
}

func TestBrowserPhoneShowsTokenCards(t *testing.T) {
	ctx := newTab(t)
	a := layoutApp(t)
	signInBrowser(t, ctx, a, "max")
	run(t, ctx, viewport(390, 844))
	visit(t, ctx, apiTab(a))
	for _, o := range overflow(t, ctx) {
		t.Errorf("phone: %s", o)
	}
	row := rowSel("Grafana exporter for the production metrics cluster")
	var seen map[string]bool
	run(t, ctx, chromedp.Evaluate(`(() => {
		const row = document.querySelector(`+jsString(row)+`);
		const inView = (el) => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth; };
		return {
			status: inView(row.querySelector('[data-testid="status"]')),
			lastUsed: inView(row.querySelector('[data-testid="last-used"] time, [data-testid="last-used"] span')),
			reveal: inView(row.querySelector('[data-testid="action-reveal"]')),
			card: getComputedStyle(row).display === 'grid',
		};
	})()`, &seen))
	for what, ok := range seen {
		if !ok {
			t.Errorf("on a phone the shared token's card does not show its %s in view", what)
		}
	}
	var label string
	run(t, ctx, chromedp.Evaluate(`getComputedStyle(document.querySelector(`+jsString(row+` [data-testid="last-used"]`)+`), '::before').content`, &label))
	if label != `"Last used"` {
		t.Errorf("the card's last-use line is labelled %s, want \"Last used\"", label)
	}
	shot(t, ctx, "phone-member-api")
	var navHeight float64
	run(t, ctx, chromedp.Evaluate(`document.querySelector('nav.sidenav').getBoundingClientRect().height`, &navHeight))
	if navHeight > 60 {
		t.Errorf("the member's navigation is %.0f px tall on a phone, want one row", navHeight)
	}
}

// shot saves a screenshot of the window as testdata/screenshots/NAME.png
// when TOKENWARD_SHOTS is set, for a person to look at.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("TOKENWARD_SHOTS") == "" {
		return
	}
	var png []byte
	run(t, ctx, chromedp.CaptureScreenshot(&png))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, unsafeFileChars.ReplaceAllString(name, "_")+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
