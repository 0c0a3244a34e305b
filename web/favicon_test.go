package web_test

import (
	"net/http"
	"testing"
)

// TestFavicon: /favicon.ico is an icon, not a 404, and every page names it.
func TestFavicon(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	c := a.client()
	r := c.get("/favicon.ico")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/x-icon" || len(r.body) < 22 || r.body[:4] != "\x00\x00\x01\x00" {
		t.Fatalf("/favicon.ico: status %d, type %q, %d bytes", r.status, r.header.Get("Content-Type"), len(r.body))
	}
	c.get("/login").contains(t, `<link rel="icon" href="/static/favicon.ico?v=`)
}
