package web_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var exportLinkPattern = regexp.MustCompile(`href="([^"]*)" download data-testid="export-tokens-csv"`)

// tableOrder are the names a page's token table lists, in its order.
func tableOrder(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range auditRowPattern.FindAllStringSubmatch(body, -1) {
		name, err := url.PathUnescape(m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	return out
}

// TestTabExportMatchesTable: a tokens tab's Export CSV link carries the
// tab's search and filters, and the file lists the rows the table shows,
// in the same order; a pasted token is in the link as its hint only.
func TestTabExportMatchesTable(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	c := f.a.signIn("audra")
	service := f.tokens["acme/payments"].ServiceID
	for _, tc := range []struct{ kind, query string }{
		{"api", ""},
		{"api", "q=max"},
		{"api", "role=admin"},
		{"api", "role=member&sort=name&dir=asc"},
		{"api", "status=revoked&status=active"},
		{"api", "type=team&q=repo"},
		{"api", "q=stale&sort=last_used&dir=asc"},
		{"cli", "q=laptop"},
		{"service", fmt.Sprintf("service=%d", service)},
	} {
		t.Run(tc.kind+"?"+tc.query, func(t *testing.T) {
			tab := "/orgs/acme/settings/tokens/" + tc.kind
			r := c.get(tab + "?" + tc.query + "&size=100")
			if r.status != http.StatusOK {
				t.Fatalf("tab: status %d", r.status)
			}
			m := exportLinkPattern.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatal("the tab has no export link")
			}
			link := html.UnescapeString(m[1])
			want, _ := url.ParseQuery(tc.query)
			got, _ := url.ParseQuery(strings.TrimPrefix(link, tab+"/tokens.csv?"))
			if !strings.HasPrefix(link, tab+"/tokens.csv") || !sameQuery(got, want) {
				t.Errorf("export link %q, want the tab's query %q", link, tc.query)
			}
			names := exportedNames(t, c, link)
			if rows := tableOrder(t, r.body); !slices.Equal(names, rows) || len(rows) == 0 {
				t.Errorf("export lists %q, the table %q", names, rows)
			}
		})
	}
	t.Run("a pasted token", func(t *testing.T) {
		secret, tok := f.secrets["max-reports"], f.tokens["max-reports"]
		c.get("/orgs/acme/settings/tokens/api")
		r := c.post("/orgs/acme/settings/tokens/api/search", url.Values{"q": {secret}})
		page := c.get(r.header.Get("Location"))
		m := exportLinkPattern.FindStringSubmatch(page.body)
		if m == nil || strings.Contains(m[0], secret) || !strings.Contains(html.UnescapeString(m[1]), "q="+url.QueryEscape(tok.Hint)) {
			t.Fatalf("export link %q: want the hint %s, never the secret", m, tok.Hint)
		}
		if names := exportedNames(t, c, html.UnescapeString(m[1])); !slices.Equal(names, []string{"max-reports"}) {
			t.Errorf("export lists %q, want max-reports", names)
		}
	})
	t.Run("a bad filter", func(t *testing.T) {
		if r := c.get("/orgs/acme/settings/tokens/cli/tokens.csv?role=admin"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "on API tokens only") {
			t.Errorf("status %d, want 400 with the message\n%.300s", r.status, r.body)
		}
	})
}

// sameQuery reports whether two queries hold the same values, the default
// page size aside.
func sameQuery(a, b url.Values) bool {
	a.Del("size")
	b.Del("size")
	return a.Encode() == b.Encode()
}

// exportedNames are the names in the CSV at link, in its order.
func exportedNames(t *testing.T, c *client, link string) []string {
	t.Helper()
	r := c.get(link)
	if r.status != http.StatusOK {
		t.Fatalf("export %s: status %d\n%.300s", link, r.status, r.body)
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	return column(t, rows, "name")
}
