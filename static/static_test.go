package static

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

var names = []string{"htmx.min.js", "app.css", "app.js"}

// version returns what the URL of the named file must carry, computed from the file on disk.
func version(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

func do(t *testing.T, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec
}

func TestURL(t *testing.T) {
	format := regexp.MustCompile(`^/static/[a-z.]+\?v=[0-9a-f]{12}$`)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got := URL(name)
			if want := "/static/" + name + "?v=" + version(t, name); got != want {
				t.Errorf("URL(%q) = %q, want %q", name, got, want)
			}
			if !format.MatchString(got) {
				t.Errorf("URL(%q) = %q, does not match %s", name, got, format)
			}
		})
	}
}

func TestURLUnknownPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("URL of an unknown asset did not panic")
		}
	}()
	URL("nope.js")
}

func TestServeCurrentVersion(t *testing.T) {
	wantType := map[string]string{
		"htmx.min.js": "text/javascript; charset=utf-8",
		"app.js":      "text/javascript; charset=utf-8",
		"app.css":     "text/css; charset=utf-8",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			rec := do(t, http.MethodGet, URL(name), nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			disk, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Body.String() != string(disk) {
				t.Error("body differs from the file on disk")
			}
			for header, want := range map[string]string{
				"Content-Type":           wantType[name],
				"X-Content-Type-Options": "nosniff",
				"Cache-Control":          "public, max-age=31536000, immutable",
				"ETag":                   `"` + version(t, name) + `"`,
			} {
				if got := rec.Header().Get(header); got != want {
					t.Errorf("%s = %q, want %q", header, got, want)
				}
			}
		})
	}
}

func TestServeOtherVersionIsNotImmutable(t *testing.T) {
	for _, target := range []string{
		"/static/app.css?v=000000000000",
		"/static/app.css",
		"/static/app.css?v=",
	} {
		t.Run(target, func(t *testing.T) {
			rec := do(t, http.MethodGet, target, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if got, want := rec.Header().Get("Cache-Control"), "no-cache"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
		})
	}
}

func TestNotModified(t *testing.T) {
	etag := `"` + version(t, "app.js") + `"`
	rec := do(t, http.MethodGet, URL("app.js"), http.Header{"If-None-Match": {etag}})
	if rec.Code != http.StatusNotModified {
		t.Fatalf("status = %d, want 304", rec.Code)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("304 has a body of %d bytes", rec.Body.Len())
	}
	if got := rec.Header().Get("ETag"); got != etag {
		t.Errorf("ETag = %q, want %q", got, etag)
	}

	rec = do(t, http.MethodGet, URL("app.js"), http.Header{"If-None-Match": {`"000000000000"`}})
	if rec.Code != http.StatusOK {
		t.Errorf("stale If-None-Match: status = %d, want 200", rec.Code)
	}
}

func TestHead(t *testing.T) {
	rec := do(t, http.MethodHead, URL("app.css"), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("HEAD has a body of %d bytes", rec.Body.Len())
	}
	if got, want := rec.Header().Get("Content-Type"), "text/css; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}

func TestNotFound(t *testing.T) {
	for _, target := range []string{
		"/static/",
		"/static",
		"/static/nope.js",
		"/static/static.go",
		"/static/VENDOR.md",
		"/static/../static/app.css",
		"/static/./app.css",
		"/static/%2e%2e/go.mod",
		"/static/app.css/",
		"/static/APP.CSS",
		"/app.css",
		"/other/app.css",
	} {
		t.Run(target, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path = target // exactly as given, uncleaned, as a raw request could send it
			rec := httptest.NewRecorder()
			Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusNotFound {
				t.Errorf("status = %d, want 404", rec.Code)
			}
			if strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
				t.Error("a 404 is marked immutable")
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			rec := do(t, method, URL("app.js"), nil)
			if rec.Code != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405", rec.Code)
			}
			if got, want := rec.Header().Get("Allow"), "GET, HEAD"; got != want {
				t.Errorf("Allow = %q, want %q", got, want)
			}
		})
	}
}

// TestStylesheetCoversViews keeps app.css and the views' markup in step: every selector
// the templ components rely on must be styled.
func TestStylesheetCoversViews(t *testing.T) {
	css := string(mustRead(t, "app.css"))
	for _, sel := range []string{
		".skip-link", "header.topbar", ".brand", ".org-switcher", ".js .org-switcher button",
		"nav.user-menu", "details.menu > summary", ".menu-items", ".shell", "nav.sidenav",
		`nav.sidenav a[aria-current="page"]`, "main.content",
		".flash-success", ".flash-error", ".flash-info",
		".page-header", ".actions", ".muted", ".hint", "code", ".mono",
		"table.data", "td.actions", ".empty", ".pagination",
		"form.stack", ".field", ".field-error", ".field-help", `input[aria-invalid="true"]`,
		".inline-form", "select", `input[type="search"]`, `input[type="date"]`, ".checks", ".desc",
		".btn", ".btn-primary", ".btn-danger", ".btn-small", ".btn-link", ".btn:disabled",
		".badge-admin", ".badge-member", ".badge-auditor", ".badge-active", ".badge-expired",
		".badge-disabled", ".badge-revoked", ".badge-warn",
		"dialog.modal", "::backdrop", ".modal-header", ".modal-body", ".modal-footer",
		".secret", ".copy", ".warning", ".card", ".grid-2", ".sr-only", ".tabs",
		`.tabs a[aria-current="page"]`, ".toolbar", ".htmx-indicator", ".htmx-request .htmx-indicator",
		".error-page", ":focus-visible", "prefers-color-scheme: dark", "max-width: 720px",
	} {
		if !strings.Contains(css, sel) {
			t.Errorf("app.css does not style %s", sel)
		}
	}
}

// TestNothingTheCSPBlocks looks for what the page's Content-Security-Policy would refuse
// (or what would reach outside the deployment) in our own files.
func TestNothingTheCSPBlocks(t *testing.T) {
	for name, banned := range map[string][]string{
		"app.css": {"@import", "url(http", "url(//", "expression("},
		"app.js":  {"eval(", "new Function", "innerHTML", ".setAttribute('style'", "http://", "https://"},
	} {
		text := string(mustRead(t, name))
		for _, b := range banned {
			if strings.Contains(text, b) {
				t.Errorf("%s contains %q", name, b)
			}
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
