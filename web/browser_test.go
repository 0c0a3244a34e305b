package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Browser tests drive the real pages in headless Chromium. One browser is
// shared by the whole test binary; each test gets its own tab in its own
// browser context, so cookies never leak from one test's server to another's
// (cookies ignore ports, and every test server is on 127.0.0.1).

const (
	chromiumPath = "/usr/bin/chromium"
	// tabTimeout bounds a whole journey, so a missing element fails the test
	// instead of hanging the run.
	tabTimeout = 30 * time.Second
	// readTimeout bounds one read of the page.
	readTimeout   = 5 * time.Second
	screenshotDir = "testdata/screenshots"
)

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// startBrowser launches the shared Chromium on first use.
func startBrowser() (context.Context, error) {
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-quic", true),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(quietErrorf))
		browser.ctx = ctx
		browser.cancel = func() { cancelCtx(); cancelAlloc() }
		// The first Run starts the browser; its context must outlive every test.
		browser.err = chromedp.Run(ctx)
	})
	return browser.ctx, browser.err
}

// inCI reports whether browser tests must run rather than skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// newTab opens a fresh tab for the test, with its own cookies, native
// dialogs (confirm) accepted, a screenshot saved if the test fails, and a
// deadline of tabTimeout. Without Chromium, or under -short, the test is
// skipped, except in CI, where browser tests must run.
func newTab(t *testing.T) context.Context {
	t.Helper()
	return newTabWithin(t, tabTimeout)
}

// newTabWithin is newTab for a test that walks many pages in one tab,
// bounded by timeout instead of tabTimeout.
func newTabWithin(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if inCI() {
			t.Fatalf("browser tests must run in CI: %v", err)
		}
		t.Skipf("no Chromium at %s", chromiumPath)
	}
	if testing.Short() && !inCI() {
		t.Skip("browser test skipped under -short")
	}
	bctx, err := startBrowser()
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	tab, cancelTab, err := openIsolatedTab(bctx)
	if err != nil {
		t.Fatalf("open tab: %v", err)
	}
	chromedp.ListenTarget(tab, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			// Answer from another goroutine: the listener must not block.
			go func() { _ = chromedp.Run(tab, page.HandleJavaScriptDialog(true)) }()
		}
	})
	if err := chromedp.Run(tab, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(inputTracker).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("install the input tracker: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancel()
		if t.Failed() {
			screenshot(t, tab)
		}
		cancelTab()
	})
	return ctx
}

// openIsolatedTab opens a tab in a new browser context (its own cookies and
// storage) and attaches to it; cancelling the tab closes it and disposes of
// the browser context. chromedp.WithNewBrowserContext cannot be used: it
// asks for the tab without a window, which headless Chromium 156 refuses
// ("no browser is open").
func openIsolatedTab(bctx context.Context) (context.Context, context.CancelFunc, error) {
	var bcID cdp.BrowserContextID
	var tabID target.ID
	err := chromedp.Run(bctx, chromedp.ActionFunc(func(ctx context.Context) error {
		ctx = cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		var err error
		if bcID, err = target.CreateBrowserContext().Do(ctx); err != nil {
			return err
		}
		tabID, err = target.CreateTarget("about:blank").WithBrowserContextID(bcID).WithNewWindow(true).Do(ctx)
		return err
	}))
	dispose := func() {
		if bcID == "" {
			return
		}
		ctx, cancel := context.WithTimeout(bctx, readTimeout)
		defer cancel()
		_ = chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			return target.DisposeBrowserContext(bcID).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		}))
	}
	if err != nil {
		dispose()
		return nil, nil, err
	}
	tab, cancelTab := chromedp.NewContext(bctx, chromedp.WithTargetID(tabID))
	// Attach now, on a context without a deadline: if the first Run's
	// context expired, chromedp would close the tab under the screenshot.
	if err := chromedp.Run(tab); err != nil {
		cancelTab()
		dispose()
		return nil, nil, err
	}
	return tab, func() { cancelTab(); dispose() }, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// screenshot saves the whole page to testdata/screenshots/<TestName>.png.
func screenshot(t *testing.T, tab context.Context) {
	ctx, cancel := context.WithTimeout(tab, readTimeout)
	defer cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	path := filepath.Join(screenshotDir, unsafeFileChars.ReplaceAllString(t.Name(), "_")+".png")
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Logf("screenshot: %v", err)
		abs = path
	}
	t.Logf("screenshot of the failed page: %s", abs)
}

// testid is the CSS selector of a data-testid.
func testid(id string) string { return `[data-testid="` + id + `"]` }

// run runs browser actions and fails the test if one fails.
func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// visit opens url (absolute) and waits for the page to load; it returns the
// HTTP status of the page finally shown, after redirects.
func visit(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		t.Fatalf("visit %s: %v", url, err)
	}
	return resp.Status
}

// fill types value into the field, replacing what it held.
func fill(sel, value string) chromedp.Action {
	return chromedp.Tasks{
		// Clear, not SetValue(""): chromedp v0.16 reports setting "" as failed.
		chromedp.Clear(sel, chromedp.ByQuery),
		chromedp.SendKeys(sel, value, chromedp.ByQuery),
	}
}

// choose picks the option with value in a select.
func choose(sel, value string) chromedp.Action {
	return chromedp.SetValue(sel, value, chromedp.ByQuery)
}

// submit clicks a button (or link) that loads a new page, waits for that
// page to load and returns its HTTP status, after redirects. It watches for
// the new document itself rather than using chromedp.RunResponse, which
// counts an htmx history push (a same-document navigation) landing during
// the click as the navigation and returns no page.
func submit(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	status, loaded := make(chan int64, 1), make(chan struct{}, 1)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	responded := false
	chromedp.ListenTarget(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && !responded {
				responded = true
				status <- ev.Response.Status
			}
		case *page.EventLoadEventFired:
			if responded {
				select {
				case loaded <- struct{}{}:
				default:
				}
			}
		}
	})
	if err := chromedp.Run(ctx, chromedp.Click(sel, chromedp.ByQuery)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	timeout := time.After(readTimeout)
	var st int64
	select {
	case st = <-status:
	case <-timeout:
		t.Fatalf("click %s: no page loaded", sel)
	}
	select {
	case <-loaded:
	case <-timeout:
		t.Fatalf("click %s: the page answered %d but did not finish loading", sel, st)
	}
	return st
}

// textOf is the visible text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	var s string
	if err := chromedp.Run(rctx, chromedp.Text(sel, &s, chromedp.ByQuery)); err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// valueOf is the current value of an input or select.
func valueOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	var s string
	if err := chromedp.Run(rctx, chromedp.Value(sel, &s, chromedp.ByQuery)); err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// selectedLabel is the text of a select's chosen option, as a person sees it.
func selectedLabel(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, chromedp.Evaluate(`(() => { const el = document.querySelector(`+jsString(sel)+`);
		return el ? el.selectedOptions[0]?.textContent.trim() ?? "" : "<no element>"; })()`, &s))
	return s
}

// exists reports whether the loaded page has an element matching sel now,
// without waiting for one to appear.
func exists(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	var ok bool
	run(t, ctx, chromedp.Evaluate(`document.querySelector(`+jsString(sel)+`) !== null`, &ok))
	return ok
}

// flashes are the one-time messages the page shows.
func flashes(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var out []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="flash"]'), el => el.className + ": " + el.textContent.trim())`, &out))
	return out
}

// wantFlash fails the test unless a flash of kind (success, error, info)
// contains text.
func wantFlash(t *testing.T, ctx context.Context, kind, text string) {
	t.Helper()
	got := flashes(t, ctx)
	for _, f := range got {
		class, msg, _ := strings.Cut(f, ": ")
		if strings.Contains(" "+class+" ", " flash-"+kind+" ") && strings.Contains(msg, text) {
			return
		}
	}
	t.Errorf("no %s flash with %q; flashes: %q", kind, text, got)
}

// currentPath is the path and query of the page the tab shows.
func currentPath(t *testing.T, ctx context.Context) string {
	t.Helper()
	var loc string
	run(t, ctx, chromedp.Location(&loc))
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// waitURL waits until the tab's path starts with prefix, and returns it.
func waitURL(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for {
		p := currentPath(t, ctx)
		if strings.HasPrefix(p, prefix) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("page is %s, want %s…", p, prefix)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// evalAsync runs an async JavaScript expression in the page (through
// DevTools, so the page's CSP does not apply) and stores its result in res.
func evalAsync(t *testing.T, ctx context.Context, expr string, res any) {
	t.Helper()
	run(t, ctx, chromedp.Evaluate(expr, res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

// signInBrowser signs username in with the seeded password through the
// sign-in form and waits to leave it.
func signInBrowser(t *testing.T, ctx context.Context, a *app, username string) {
	t.Helper()
	visit(t, ctx, a.ts.URL+"/login")
	run(t, ctx, fill("#username", username), fill("#password", testPassword))
	if status := submit(t, ctx, testid("sign-in")); status != 200 {
		t.Fatalf("sign in as %s: status %d, flashes %q", username, status, flashes(t, ctx))
	}
	if p := currentPath(t, ctx); strings.HasPrefix(p, "/login") {
		t.Fatalf("sign in as %s: still on %s", username, p)
	}
}

// inputTracker runs in every page before the page's own scripts and notes
// when a field last saw input or a change, so waitSettled can see a
// debounced htmx trigger (hx-trigger "delay:") that has not fired yet.
const inputTracker = `(() => {
	window.__lastInput = 0;
	const mark = () => { window.__lastInput = performance.now(); };
	document.addEventListener('input', mark, true);
	document.addEventListener('change', mark, true);
})()`

// settledJS resolves true once the page is quiet: loaded, no htmx request,
// swap or settle under way, and no input younger than the longest debounce
// in views (400 ms, with a margin); false after readTimeout. With
// JavaScript off it is settled once loaded. It waits in
// the page (through DevTools, so the page's CSP does not apply), never by a
// sleep in the test.
var settledJS = `new Promise((resolve) => {
	const start = performance.now();
	const quiet = () => document.readyState === 'complete' &&
		!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added') &&
		performance.now() - (window.__lastInput || 0) > 500;
	const check = () => {
		if (quiet()) return resolve(true);
		if (performance.now() - start > ` + fmt.Sprint(readTimeout.Milliseconds()) + `) return resolve(false);
		requestAnimationFrame(() => setTimeout(check, 10));
	};
	check();
})`

// waitSettled waits until htmx has settled the page: every journey that
// types, picks or clicks into an htmx swap waits through it before reading
// the page.
func waitSettled(t *testing.T, ctx context.Context) {
	t.Helper()
	var ok bool
	// The page's script never marked the document (withoutJS): nothing can
	// be pending, and the timers settledJS waits on would never fire (the
	// input tracker, injected through DevTools, runs all the same).
	if run(t, ctx, chromedp.Evaluate(`!document.documentElement.classList.contains('js') && document.readyState === 'complete'`, &ok)); ok {
		return
	}
	evalAsync(t, ctx, settledJS, &ok)
	if !ok {
		t.Fatalf("the page did not settle within %s", readTimeout)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // marshalling a string cannot fail
	return string(b)
}

// quietErrorf logs chromedp's errors except the one the pinned cdproto
// raises for every modal dialog (an event it does not know yet), which is
// harmless and would drown the rest.
func quietErrorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "EventTopLayerElementsUpdated") {
		return
	}
	log.Print(msg)
}
