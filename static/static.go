// Package static embeds the dashboard's browser assets (vendored htmx, app.css, app.js) and
// serves them under Prefix with cache-busting URLs, so that a deploy never leaves a browser
// on a stale script or stylesheet.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is the URL path under which Handler serves the assets.
const Prefix = "/static/"

//go:embed htmx.min.js app.css app.js favicon.ico
var files embed.FS

// contentTypes maps a file extension to the Content-Type it is served with.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".ico": "image/x-icon",
}

// asset is one embedded file with everything its responses need, computed once at start.
type asset struct {
	body        []byte
	contentType string
	version     string // first 12 hex characters of the SHA-256 of body
	url         string
}

// assets is read-only after init: the files are embedded, so it never changes while running.
var assets = load("htmx.min.js", "app.css", "app.js", "favicon.ico")

func load(names ...string) map[string]asset {
	m := make(map[string]asset, len(names))
	for _, name := range names {
		body, err := files.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("static: %v", err))
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			panic(fmt.Sprintf("static: no content type for %q", name))
		}
		sum := sha256.Sum256(body)
		version := hex.EncodeToString(sum[:])[:12]
		m[name] = asset{
			body:        body,
			contentType: ct,
			version:     version,
			url:         Prefix + name + "?v=" + version,
		}
	}
	return m
}

// URL returns the cache-busting URL of the named asset, such as
// "/static/app.css?v=0123456789ab". An unknown name is a programming error and panics.
func URL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic(fmt.Sprintf("static: unknown asset %q", name))
	}
	return a.url
}

// Handler serves the embedded assets at Prefix+name. A request carrying the current version
// in its v query may be cached for a year; any other is revalidated through the ETag.
// Anything but an asset's exact path is 404, and methods other than GET and HEAD are 405.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

// Favicon serves the icon at /favicon.ico, where browsers ask for it on
// every page that names none.
func Favicon() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = Prefix + "favicon.ico"
		serve(w, r2)
	})
}

func serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	a, found := assets[name]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old or missing version: the browser may keep a copy but must ask every time,
		// so it never runs a stale file against a new page.
		h.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match with 304 from the ETag set above, and handles HEAD
	// and Range; the zero modtime leaves Last-Modified out.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
