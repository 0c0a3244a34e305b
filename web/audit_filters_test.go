package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"tokenward/store"
)

// TestAuditFiltersAndTabExport: the audit filters keep each label with its
// control and the IP field's placeholder reads as a hint, not an address;
// the tokens tabs offer their tokens as CSV to admins and auditors only.
func TestAuditFiltersAndTabExport(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	admin := a.signIn("ada")
	r := admin.get("/orgs/acme/settings/audit")
	r.contains(t, `<span class="filter-field"><label for="audit-ip">IP address</label> <input id="audit-ip" type="text" name="ip" value="" placeholder="any address"`,
		`data-testid="export-csv">Export these tokens as CSV</a>`)
	r.lacks(t, `placeholder="203.0.113.7"`)
	for _, user := range []string{"ada", "audra"} {
		c := a.signIn(user)
		r := c.get("/orgs/acme/settings/tokens/cli")
		r.contains(t, `href="/orgs/acme/settings/tokens/cli/tokens.csv" download data-testid="export-tokens-csv">Export CSV</a>`)
		csv := c.get("/orgs/acme/settings/tokens/cli/tokens.csv")
		if csv.status != http.StatusOK || !strings.HasPrefix(csv.body, "id,name,kind") || strings.Contains(csv.body, ",api,") {
			t.Errorf("%s: the CLI tab's CSV: status %d\n%.300s", user, csv.status, csv.body)
		}
	}
	maxC := a.signIn("max")
	maxC.get("/orgs/acme/settings/tokens/api").lacks(t, "export-tokens-csv")
	if r := maxC.get("/orgs/acme/settings/tokens/api/tokens.csv"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("a member's export: status %d, want 403 or 404", r.status)
	}
}

// TestEventLogDetailsAsFields: an event's details are labelled fields, not
// "key: value; …" text, and its action reads as a sentence.
func TestEventLogDetailsAsFields(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	if err := a.db.ImportEvents(context.Background(), []store.Event{{At: a.db.Now(), OrgID: a.org.ID, ActorLabel: "max", Action: "member.role_changed",
		TargetType: "member", TargetLabel: "audra", Details: map[string]string{"old_role": "member", "new_role": "auditor"}}}); err != nil {
		t.Fatal(err)
	}
	r := a.signIn("ada").get("/orgs/acme/settings/audit/events?action=member.role_changed")
	r.contains(t, `<strong data-testid="event-actor">max</strong> changed the role of <span data-testid="event-target">member audra</span>`,
		`<dl class="event-details"><div><dt>New role</dt><dd>auditor</dd></div><div><dt>Old role</dt><dd>member</dd></div></dl>`)
	r.lacks(t, "new_role: auditor")
}

// TestEventLogGroupsRuns: seven reveals of one token in a row are one row,
// "7 times"; the same event on another token is a row of its own.
func TestEventLogGroupsRuns(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	var evs []store.Event
	for i := range 7 {
		evs = append(evs, store.Event{At: a.db.Now().Add(-time.Duration(10-i) * time.Minute), OrgID: a.org.ID, ActorLabel: "max",
			Action: "token.revealed", TargetType: "token", TargetLabel: "Grafana exporter", IP: "203.0.113.7"})
	}
	evs = append(evs, store.Event{At: a.db.Now().Add(-time.Minute), OrgID: a.org.ID, ActorLabel: "max",
		Action: "token.revealed", TargetType: "token", TargetLabel: "CI deploy", IP: "203.0.113.7"})
	if err := a.db.ImportEvents(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	r := a.signIn("ada").get("/orgs/acme/settings/audit/events?action=token.revealed")
	if n := strings.Count(r.body, `data-testid="event-row"`); n != 2 {
		t.Errorf("%d rows, want 2: the run of seven and the other token's", n)
	}
	r.contains(t, `data-testid="event-count" title="The first at `, `>7 times</span>`)
	if n := strings.Count(r.body, `data-testid="event-count"`); n != 1 {
		t.Errorf("%d counts, want 1", n)
	}
}
