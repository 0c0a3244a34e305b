package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
)

// eventFixture adds events of every kind to an audit fixture: a revoke by
// ada in the dashboard, a token made through the API with ada's token, two
// imported events on known days and many of one action for paging.
type eventFixture struct {
	*auditFixture
	apiToken string      // ada's API token with tokens:write and audit:read
	made     store.Token // the token it made
}

func newEventFixture(t *testing.T) *eventFixture {
	t.Helper()
	f := &eventFixture{auditFixture: newAuditFixture(t)}
	a := f.a
	ada := a.user(t, "ada")
	is := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Name: "ada-automation", Scopes: []string{"tokens:write", "audit:read"}, Expiry: "30",
		CreatorID: ada.ID, OwnerUserID: ada.ID})
	f.apiToken, f.tokens["ada-automation"] = is.Secret, is.Token
	r := a.call(t, http.MethodPost, "/api/v1/tokens", f.apiToken, "application/json", `{"kind":"api","name":"made-by-automation","scopes":["report"]}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create through the API: %d %s", r.status, r.body)
	}
	tok, _ := r.json["token"].(map[string]any)
	f.made = mustToken(t, a, fmt.Sprint(tok["id"]))
	c := a.signIn("ada")
	c.get("/orgs/acme/settings/tokens/api")
	if r := c.post(tokenURL(f.tokens["max-reports"], "revoke"), url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	evs := []store.Event{
		{At: time.Date(2025, 1, 10, 23, 59, 59, 0, time.UTC), OrgID: a.org.ID, ActorLabel: "import-bot", Action: "legacy.imported", TargetType: "org", TargetLabel: "first"},
		{At: time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), OrgID: a.org.ID, ActorLabel: "import-bot", Action: "legacy.imported", TargetType: "org", TargetLabel: "second"},
	}
	for i := range 120 {
		evs = append(evs, store.Event{At: time.Date(2025, 3, 1, 0, i, 0, 0, time.UTC), OrgID: a.org.ID, ActorLabel: "paging-bot", Action: "legacy.paged",
			TargetType: "org", TargetLabel: fmt.Sprintf("page-%03d", i)})
	}
	if err := a.db.ImportEvents(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	htmlTags           = regexp.MustCompile(`<[^>]*>`)
	eventRowPattern    = regexp.MustCompile(`(?s)<tr data-testid="event-row" data-event-id="(\d+)">(.*?)</tr>`)
	eventActionPattern = regexp.MustCompile(`data-testid="event-action-cell" data-action="([^"]+)"`)
)

// eventRows are the log's rows as "action target-label-ish" lines.
func eventRows(body string) []string {
	var out []string
	for _, m := range eventRowPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, m[2])
	}
	return out
}

func eventActions(body string) []string {
	var out []string
	for _, row := range eventRows(body) {
		if m := eventActionPattern.FindStringSubmatch(row); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

func TestAuditEventLog(t *testing.T) {
	t.Parallel()
	f := newEventFixture(t)
	c := f.a.signIn("audra")
	get := func(t *testing.T, q string) response {
		t.Helper()
		r := c.get("/orgs/acme/settings/audit/events?" + q)
		if r.status != http.StatusOK {
			t.Fatalf("status %d\n%.2000s", r.status, r.body)
		}
		return r
	}
	t.Run("newest first, tokens linked", func(t *testing.T) {
		r := get(t, "")
		rows := eventRows(r.body)
		if len(rows) != 50 || !strings.Contains(rows[0], "token.revoked") {
			t.Fatalf("%d rows, first %q", len(rows), rows[0])
		}
		r.contains(t, `data-testid="page-older"`, `<option value="token.revoked"`, `<option value="legacy.imported"`)
		// Done with a token: the token and its creator, linked to it.
		// The action as a sentence: who did what to what, each linked.
		r.contains(t, `href="/orgs/acme/settings/tokens/api/`+f.tokens["ada-automation"].ID+`" data-testid="event-actor">token ada-automation (created by ada)</a>`,
			`href="/orgs/acme/settings/tokens/api/`+f.made.ID+`" data-testid="event-target">made-by-automation</a>`)
		sentence := false
		for _, row := range rows {
			text := strings.Join(strings.Fields(htmlTags.ReplaceAllString(row, " ")), " ")
			sentence = sentence || strings.Contains(text, "token ada-automation (created by ada) created made-by-automation")
		}
		if !sentence {
			t.Error(`no row reads "token ada-automation (created by ada) created made-by-automation"`)
		}
		r.lacks(t, `<code data-testid="event-action-cell">`)
	})
	t.Run("actor", func(t *testing.T) {
		r := get(t, "actor=ada")
		for _, row := range eventRows(r.body) {
			if !strings.Contains(row, "ada") {
				t.Errorf("row without ada: %s", row)
			}
		}
		r.contains(t, "token ada-automation (created by ada)", "token.revoked")
		if got := eventActions(get(t, "actor=AUTOMATION").body); !slices.Equal(got, []string{"token.created"}) {
			t.Errorf("actor=AUTOMATION: actions %q, want the one token.created", got)
		}
	})
	t.Run("action", func(t *testing.T) {
		if got := eventActions(get(t, "action=token.revoked").body); len(got) != 2 || got[0] != "token.revoked" || got[1] != "token.revoked" {
			t.Errorf("actions %q, want two token.revoked (max-reports, ada-old)", got)
		}
	})
	t.Run("token by id and by value", func(t *testing.T) {
		want := []string{"token.revoked", "token.created"}
		if got := eventActions(get(t, "token="+f.tokens["max-reports"].ID).body); !slices.Equal(got, want) {
			t.Errorf("by id: %q, want %q", got, want)
		}
		// A whole token never rides in a URL: the form posts it, and an old
		// link holding one goes on to the id's URL at once.
		base := "/orgs/acme/settings/audit/events"
		wantURL := base + "?token=" + f.tokens["ada-automation"].ID
		for name, r := range map[string]response{
			"the form's POST": c.post(base+"/search", url.Values{"token": {f.apiToken}, "actor": {""}}),
			"an old link":     c.get(base + "?token=" + url.QueryEscape(f.apiToken)),
			"an old CSV link": c.get(base + ".csv?token=" + url.QueryEscape(f.apiToken)),
		} {
			want := wantURL
			if name == "an old CSV link" {
				want = strings.Replace(wantURL, base, base+".csv", 1)
			}
			if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != want {
				t.Errorf("%s: status %d, Location %q; want 303 to %s", name, r.status, loc, want)
			}
			r.lacks(t, f.apiToken)
		}
		r := get(t, "token="+f.tokens["ada-automation"].ID)
		r.contains(t, `value="`+f.tokens["ada-automation"].ID+`"`, `method="post" action="/orgs/acme/settings/audit/events/search"`, `name="csrf_token"`)
		if got := eventActions(r.body); !slices.Equal(got, []string{"token.created", "token.created"}) {
			t.Errorf("by value: %q, want what it did and its own creation", got)
		}
		form := url.Values{"token": {f.apiToken}, "csrf_token": {c.csrf}}
		req := c.request(http.MethodPost, base+"/search", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "event-table")
		hx := c.do(req)
		if push := hx.header.Get("HX-Push-Url"); hx.status != http.StatusOK || push != wantURL {
			t.Errorf("htmx POST: status %d, HX-Push-Url %q; want 200 and %s", hx.status, push, wantURL)
		}
		if got := eventActions(hx.body); !slices.Equal(got, []string{"token.created", "token.created"}) {
			t.Errorf("htmx POST lists %q", got)
		}
		hx.lacks(t, f.apiToken, "<html")
		bad := c.post(base+"/search", url.Values{"token": {"twa_<b>not-a-token</b>"}})
		if bad.status != http.StatusBadRequest {
			t.Errorf("a malformed token: status %d, want 400", bad.status)
		}
		bad.contains(t, `data-testid="filter-error"`)
		bad.lacks(t, "<b>not-a-token</b>")
	})
	t.Run("dates, UTC and inclusive", func(t *testing.T) {
		for q, want := range map[string]int{"from=2025-01-10&to=2025-01-10": 1, "from=2025-01-10&to=2025-01-20": 2, "from=2025-01-11&to=2025-01-20": 1,
			"to=2025-01-09": 0, "action=legacy.imported&from=2025-01-01": 2} {
			if got := len(eventRows(get(t, q).body)); got != want {
				t.Errorf("%s: %d rows, want %d", q, got, want)
			}
		}
	})
	t.Run("keyset pages", func(t *testing.T) {
		seen := map[string]bool{}
		path := "/orgs/acme/settings/audit/events?action=legacy.paged"
		pages := 0
		for path != "" {
			r := c.get(path)
			pages++
			for _, m := range eventRowPattern.FindAllStringSubmatch(r.body, -1) {
				if seen[m[1]] {
					t.Fatalf("event %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
			m := regexp.MustCompile(`href="([^"]+)" rel="next" data-testid="page-older"`).FindStringSubmatch(r.body)
			path = ""
			if m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
				if !strings.Contains(path, "action=legacy.paged") {
					t.Fatalf("the next page drops the filter: %s", path)
				}
			}
		}
		if len(seen) != 120 || pages != 3 {
			t.Errorf("%d events over %d pages, want 120 over 3", len(seen), pages)
		}
	})
}

// readCSV checks a CSV download's headers and parses it.
func readCSV(t *testing.T, r response, filename string) [][]string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d\n%.1000s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+filename) {
		t.Errorf("Content-Disposition %q, want an attachment named %s…", cd, filename)
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.body)
	}
	return rows
}

// column is one named column of a parsed CSV, by its header.
func column(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	i := slices.Index(rows[0], name)
	if i < 0 {
		t.Fatalf("no column %s in %q", name, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

var isoUTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestAuditCSV(t *testing.T) {
	t.Parallel()
	f := newEventFixture(t)
	ada := f.a.user(t, "ada")
	tricky := []string{"comma, \"quoted\"\nand a newline", "=SUM(A1:A9)", "+cmd", "-2+3", "@import", "\tindent", "\rreturn", "plain"}
	var toks []store.ImportedToken
	for _, n := range tricky {
		toks = append(toks, imported(n, ada.ID, []string{"repo"}, f.a.db.Now(), time.Time{}))
	}
	f.importTokens(t, toks...)
	if err := f.a.db.ImportEvents(context.Background(), []store.Event{{OrgID: f.a.org.ID, ActorLabel: `=HYPERLINK("http://evil","x")`,
		Action: "legacy.tricky", TargetType: "org", TargetLabel: "@SUM(1)", IP: "-1", Details: map[string]string{"note": "a, \"b\"\nc"}}}); err != nil {
		t.Fatal(err)
	}
	c := f.a.signIn("audra")

	t.Run("tokens", func(t *testing.T) {
		rows := readCSV(t, c.get("/orgs/acme/settings/audit/tokens.csv?scope=repo"), "acme-audit-tokens-")
		if !slices.Equal(rows[0], []string{"id", "name", "kind", "hint", "owner", "creator", "creator_role", "scopes", "visibility", "status",
			"created_at", "expires_at", "last_used_at", "last_used_ip", "recent_ips", "disabled_at", "revoked_at"}) {
			t.Errorf("header %q", rows[0])
		}
		want := []string{"comma, \"quoted\"\nand a newline", "'=SUM(A1:A9)", "'+cmd", "'-2+3", "'@import", "'\tindent", "'\rreturn", "plain"}
		if got := column(t, rows, "name"); !slices.Equal(sorted(got...), sorted(want...)) {
			t.Errorf("names %q, want %q", got, want)
		}
		for _, at := range column(t, rows, "created_at") {
			if !isoUTC.MatchString(at) {
				t.Errorf("created_at %q is not ISO 8601 UTC", at)
			}
		}
	})
	t.Run("tokens, every column", func(t *testing.T) {
		rows := readCSV(t, c.get("/orgs/acme/settings/audit/tokens.csv?kind=cli"), "acme-audit-tokens-")
		if len(rows) != 2 {
			t.Fatalf("%d rows, want the header and max-laptop", len(rows))
		}
		laptop := f.tokens["max-laptop"]
		got := map[string]string{}
		for i, h := range rows[0] {
			got[h] = rows[1][i]
		}
		for k, v := range map[string]string{"id": laptop.ID, "name": "max-laptop", "kind": "cli", "hint": laptop.Hint, "owner": "max", "creator": "max",
			"creator_role": "member", "scopes": "findings:local", "status": "active", "last_used_ip": "203.0.113.7",
			"recent_ips": "203.0.113.7 198.51.100.2", "revoked_at": ""} {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		for _, k := range []string{"created_at", "expires_at", "last_used_at"} {
			if !isoUTC.MatchString(got[k]) {
				t.Errorf("%s = %q, want ISO 8601 UTC", k, got[k])
			}
		}
	})
	t.Run("events", func(t *testing.T) {
		rows := readCSV(t, c.get("/orgs/acme/settings/audit/events.csv?action=legacy.tricky"), "acme-audit-events-")
		if !slices.Equal(rows[0], []string{"id", "at", "actor", "actor_token_id", "action", "target_type", "target_id", "target", "ip", "details"}) {
			t.Errorf("header %q", rows[0])
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows", len(rows))
		}
		row := rows[1]
		if row[2] != `'=HYPERLINK("http://evil","x")` || row[7] != "'@SUM(1)" || row[8] != "'-1" || row[9] != `{"note":"a, \"b\"\nc"}` {
			t.Errorf("row %q", row)
		}
		if !isoUTC.MatchString(row[1]) {
			t.Errorf("at %q", row[1])
		}
	})
	t.Run("events with every filter", func(t *testing.T) {
		q := "actor=ada&action=token.created&token=" + f.tokens["ada-automation"].ID + "&from=2020-01-01&to=2100-01-01"
		rows := readCSV(t, c.get("/orgs/acme/settings/audit/events.csv?"+q), "acme-audit-events-")
		if got := column(t, rows, "actor_token_id"); len(got) != 1 || got[0] != f.tokens["ada-automation"].ID {
			t.Errorf("actor_token_id %q, want the one event done with ada-automation", got)
		}
		page := c.get("/orgs/acme/settings/audit/events?" + q)
		page.contains(t, `href="/orgs/acme/settings/audit/events.csv?action=token.created&amp;actor=ada&amp;from=2020-01-01&amp;to=2100-01-01&amp;token=`+f.tokens["ada-automation"].ID+`"`)
	})
}

func TestAuditAPI(t *testing.T) {
	t.Parallel()
	f := newEventFixture(t)
	a := f.a
	rows := func(t *testing.T, r apiResponse) [][]string {
		t.Helper()
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("status %d, Content-Type %q\n%.500s", r.status, r.header.Get("Content-Type"), r.body)
		}
		out, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("csv", func(t *testing.T) {
		out := rows(t, a.call(t, http.MethodGet, "/api/v1/audit?format=csv&action=token.revoked", f.apiToken, "", ""))
		if len(out) != 3 || out[0][4] != "action" || out[1][4] != "token.revoked" || out[2][4] != "token.revoked" {
			t.Errorf("rows %q", out)
		}
		all := rows(t, a.call(t, http.MethodGet, "/api/v1/audit?format=csv", f.apiToken, "", ""))
		if len(all) < 130 {
			t.Errorf("%d rows: CSV without limit should hold every event", len(all))
		}
		if got := rows(t, a.call(t, http.MethodGet, "/api/v1/audit?format=csv&limit=5", f.apiToken, "", "")); len(got) != 6 {
			t.Errorf("limit=5: %d rows", len(got))
		}
		dated := rows(t, a.call(t, http.MethodGet, "/api/v1/audit?format=csv&from=2025-01-10&to=2025-01-10&actor=import", f.apiToken, "", ""))
		if len(dated) != 2 || dated[1][7] != "first" {
			t.Errorf("dated %q", dated)
		}
	})
	t.Run("json with filters", func(t *testing.T) {
		r := a.call(t, http.MethodGet, "/api/v1/audit?action=legacy.paged&limit=10", f.apiToken, "", "")
		evs, _ := r.json["events"].([]any)
		if r.status != http.StatusOK || len(evs) != 10 {
			t.Fatalf("status %d, %d events", r.status, len(evs))
		}
		last, _ := evs[9].(map[string]any)
		next := a.call(t, http.MethodGet, fmt.Sprintf("/api/v1/audit?action=legacy.paged&limit=10&before=%v", last["id"]), f.apiToken, "", "")
		more, _ := next.json["events"].([]any)
		first, _ := more[0].(map[string]any)
		if len(more) != 10 || first["id"].(float64) >= last["id"].(float64) {
			t.Errorf("the next page starts at %v after %v", first["id"], last["id"])
		}
	})
	t.Run("refused", func(t *testing.T) {
		ada, maxU := a.user(t, "ada"), a.user(t, "max")
		noScope := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Scopes: []string{"report:read"}, Expiry: "30", CreatorID: ada.ID, OwnerUserID: ada.ID})
		member := a.issue(t, core.TokenRequest{Kind: auth.KindAPI, Scopes: []string{"audit:read"}, Expiry: "30", CreatorID: maxU.ID, OwnerUserID: maxU.ID})
		for _, tc := range []struct {
			secret, query string
			want          int
		}{
			{noScope.Secret, "format=csv", http.StatusForbidden},
			{member.Secret, "format=csv", http.StatusOK}, // an API token is the org's, whoever made it (it once got 403)
			{"", "format=csv", http.StatusUnauthorized},
			{f.apiToken, "format=xml", http.StatusBadRequest},
			{f.apiToken, "format=csv&from=yesterday", http.StatusBadRequest},
			{f.apiToken, "format=csv&before=99999999", http.StatusBadRequest},
			{f.apiToken, "before=99999999", http.StatusBadRequest},
			{f.apiToken, "format=csv&limit=0", http.StatusBadRequest},
			{f.apiToken, "action=DROP%20TABLE", http.StatusBadRequest},
		} {
			r := a.call(t, http.MethodGet, "/api/v1/audit?"+tc.query, tc.secret, "", "")
			if r.status != tc.want {
				t.Errorf("%s: status %d, want %d\n%.300s", tc.query, r.status, tc.want, r.body)
			}
			if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: Content-Type %q, want a problem", tc.query, r.header.Get("Content-Type"))
			}
		}
	})
}
