package web_test

import (
	"net/http"
	"testing"
)

// TestHeadWorksWhereGetDoes: HEAD of a page answers as its GET would, with
// no body, instead of 405.
func TestHeadWorksWhereGetDoes(t *testing.T) {
	a := seededApp(t)
	anon, ada := a.client(), a.signIn("ada")
	for _, tt := range []struct {
		c        *client
		path     string
		status   int
		location string
	}{
		{anon, "/login", http.StatusOK, ""},
		{anon, "/healthz", http.StatusOK, ""},
		{anon, "/static/app.css", http.StatusOK, ""},
		{anon, "/orgs/acme/settings/tokens/api", http.StatusSeeOther, "/login?next=%2Forgs%2Facme%2Fsettings%2Ftokens%2Fapi"},
		{ada, "/orgs/acme/settings/tokens/api", http.StatusOK, ""},
		{ada, "/orgs/acme/settings/audit", http.StatusOK, ""},
		{ada, "/orgs/nope/settings/audit", http.StatusNotFound, ""},
	} {
		r := tt.c.do(tt.c.request(http.MethodHead, tt.path, nil, ""))
		if r.status != tt.status || r.header.Get("Location") != tt.location {
			t.Errorf("HEAD %s: %d to %q, want %d to %q", tt.path, r.status, r.header.Get("Location"), tt.status, tt.location)
		}
		if r.body != "" {
			t.Errorf("HEAD %s has a body", tt.path)
		}
	}
	if r := anon.do(anon.request(http.MethodHead, "/login", nil, "")); r.header.Get("Content-Security-Policy") == "" {
		t.Error("HEAD /login lacks the page's security headers")
	}
}
