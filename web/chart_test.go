package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
)

// svgNode is an element of a rendered SVG, decoded as XML.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// find returns every element below n (n included) whose name and class
// match ("" matches any class).
func (n svgNode) find(name, class string) []svgNode {
	var out []svgNode
	if n.XMLName.Local == name && (class == "" || n.attr("class") == class) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.find(name, class)...)
	}
	return out
}

// renderSVG renders a component and decodes it as strict XML.
func renderSVG(t *testing.T, c templ.Component) (svgNode, string) {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	var root svgNode
	d := xml.NewDecoder(strings.NewReader(html))
	d.Strict = true
	if err := d.Decode(&root); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, html)
	}
	if _, err := d.Token(); err != io.EOF {
		t.Errorf("more than one root element:\n%s", html)
	}
	if strings.Contains(html, "style=") {
		t.Errorf("a style attribute, which the CSP refuses:\n%s", html)
	}
	return root, html
}

func TestUsageChartSVG(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC)
	c := views.UsageChart{ID: "usage-chart"}
	var counts []string
	for i := range 30 {
		n := int64(0)
		if i%4 == 1 {
			n = int64(i * 3)
		}
		c.Days = append(c.Days, views.ChartDay{Day: first.AddDate(0, 0, i).Format(time.DateOnly), Requests: n})
		c.Total += n
		counts = append(counts, fmt.Sprint(n))
	}
	root, _ := renderSVG(t, views.UsageChartView(c))
	if root.XMLName.Local != "svg" || root.attr("role") != "img" || root.attr("viewBox") == "" {
		t.Fatalf("root = %s role=%q viewBox=%q", root.XMLName.Local, root.attr("role"), root.attr("viewBox"))
	}
	want := "Requests per day from 2026-10-24 to 2026-11-22: " + strings.Join(counts, ", ") + "; total " + fmt.Sprint(c.Total)
	titles := root.find("title", "")
	if len(titles) == 0 || titles[0].Text != want || titles[0].attr("id") != root.attr("aria-labelledby") {
		t.Errorf("chart title = %+v, want %q labelling the svg", titles[0], want)
	}
	if d := root.find("desc", ""); len(d) != 1 || !strings.Contains(d[0].Text, "2026-11-22, had 87 requests") {
		t.Errorf("desc = %+v", d)
	}
	bars := root.find("rect", "chart-bar")
	days := root.find("g", "chart-day")
	if len(bars) != 30 || len(days) != 30 {
		t.Fatalf("%d bars in %d days, want 30", len(bars), len(days))
	}
	for i, g := range days {
		d := c.Days[i]
		ts := g.find("title", "")
		if want := fmt.Sprintf("%s: %d requests", d.Day, d.Requests); len(ts) != 1 || ts[0].Text != want {
			t.Errorf("day %d title = %+v, want %q", i, ts, want)
		}
		h := g.find("rect", "chart-bar")[0].attr("height")
		if (d.Requests == 0) != (h == "0") {
			t.Errorf("day %d with %d requests has height %s", i, d.Requests, h)
		}
	}
	var labels []string
	for _, l := range root.find("text", "chart-label") {
		labels = append(labels, l.Text)
	}
	if got := strings.Join(labels, " "); got != "87 0 2026-10-24 2026-11-22" {
		t.Errorf("axis labels = %q", got)
	}

	t.Run("no requests: a sentence, no chart", func(t *testing.T) {
		c := views.UsageChart{ID: "x", Days: []views.ChartDay{{Day: "2026-11-21"}, {Day: "2026-11-22"}}}
		var b strings.Builder
		views.UsageChartView(c).Render(context.Background(), &b)
		if got := b.String(); strings.Contains(got, "<svg") || !strings.Contains(got, "No requests from 2026-11-21 to 2026-11-22") {
			t.Errorf("empty chart = %s", got)
		}
	})
}

func TestSparklineSVG(t *testing.T) {
	t.Parallel()
	counts := make([]int64, 30)
	counts[3], counts[29] = 5, 2
	root, _ := renderSVG(t, views.Sparkline(views.SparklineData{From: "2026-10-24", To: "2026-11-22", Counts: counts}))
	want := "Requests per day from 2026-10-24 to 2026-11-22: 0, 0, 0, 5, " + strings.Repeat("0, ", 25) + "2; total 7"
	if ts := root.find("title", ""); len(ts) != 1 || ts[0].Text != want || root.attr("aria-label") != want {
		t.Errorf("title = %+v, want %q", ts, want)
	}
	lines := root.find("polyline", "sparkline-line")
	if len(lines) != 1 || len(strings.Fields(lines[0].attr("points"))) != 30 {
		t.Fatalf("polyline = %+v", lines)
	}
	t.Run("no requests: a flat line", func(t *testing.T) {
		root, _ := renderSVG(t, views.Sparkline(views.SparklineData{From: "a", To: "b", Counts: make([]int64, 30)}))
		for _, p := range strings.Fields(root.find("polyline", "")[0].attr("points")) {
			if !strings.HasSuffix(p, ",23") {
				t.Errorf("point %s off the baseline", p)
			}
		}
	})
}

// fixClock stops the app's clock at 2026-11-22 12:00 UTC.
func fixClock(a *app) time.Time {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	a.clock.Set(now)
	return now
}

// issue makes a token of kind for owner expiring in days.
func issue(t *testing.T, a *app, kind auth.Kind, owner int64, name string, days int) store.Token {
	t.Helper()
	sealer, err := auth.NewSealer(make([]byte, auth.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	scopes := []string{"api"}
	if kind == auth.KindCLI {
		scopes = nil
	}
	is, fe, err := core.IssueToken(context.Background(), a.db, sealer, core.TokenRequest{Org: a.org, Kind: kind, Name: name,
		Scopes: scopes, Expiry: fmt.Sprint(days), CreatorID: owner, OwnerUserID: owner}, store.Actor{UserID: owner, Label: "test"})
	if err != nil || len(fe) > 0 {
		t.Fatalf("issue %s: %v %v", name, fe, err)
	}
	return is.Token
}

func TestTokenDetailUsageChart(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	now := fixClock(a)
	ada, err := a.db.UserByUsername(context.Background(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	used := issue(t, a, auth.KindAPI, ada.ID, "charted", 30)
	idle := issue(t, a, auth.KindAPI, ada.ID, "idle", 30)
	uses := []store.Use{
		{TokenID: used.ID, At: now.AddDate(0, 0, -2), IP: "10.0.0.1", Count: 3},
		{TokenID: used.ID, At: now.Add(-time.Minute), IP: "10.0.0.2"},
		{TokenID: used.ID, At: now.AddDate(0, 0, -29).Truncate(24 * time.Hour), IP: "10.0.0.1", Count: 2},
		{TokenID: used.ID, At: now.AddDate(0, 0, -30), IP: "10.0.0.1", Count: 50}, // before the chart's first day
	}
	if err := a.db.RecordUses(context.Background(), uses); err != nil {
		t.Fatal(err)
	}
	admin := a.signIn("ada")
	r := admin.get(tokenURL(used, ""))
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	want := "Requests per day from 2026-10-24 to 2026-11-22: 2, " + strings.Repeat("0, ", 26) + "3, 0, 1; total 6"
	r.contains(t, "Requests per day, last 30 days", `data-testid="usage-chart"`, "<title id=\"usage-chart-title\">"+want+"</title>",
		"<title>2026-11-20: 3 requests</title>", "<title>2026-11-22: 1 request</title>")
	r = admin.get(tokenURL(idle, ""))
	r.contains(t, `data-testid="usage-empty"`, "No requests from 2026-10-24 to 2026-11-22")
	r.lacks(t, `data-testid="usage-chart"`)
}

func TestExpiryBadgeAndBanner(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	fixClock(a)
	ctx := context.Background()
	ada, err := a.db.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	maxU, err := a.db.UserByUsername(ctx, "max")
	if err != nil {
		t.Fatal(err)
	}
	const odd = `<b>"soon" & co</b>`
	// The banner warns of tokens whose expiry nobody acted on: made a month
	// ago, they expire within the week. A token made just now to live a
	// week is not warned of.
	now := a.db.Now()
	a.clock.Set(now.AddDate(0, 0, -30))
	issue(t, a, auth.KindAPI, ada.ID, odd, 33)
	issue(t, a, auth.KindCLI, ada.ID, "ada-laptop", 31)
	a.clock.Set(now)
	issue(t, a, auth.KindAPI, ada.ID, "fresh-week", 7)
	issue(t, a, auth.KindAPI, ada.ID, "next-week", 10)
	issue(t, a, auth.KindAPI, ada.ID, "far", 60)
	gone := issue(t, a, auth.KindAPI, ada.ID, "revoked-soon", 2)
	if _, err := a.db.RevokeToken(ctx, a.org.ID, gone.ID, "", store.Actor{UserID: ada.ID, Label: "ada"}); err != nil {
		t.Fatal(err)
	}
	issue(t, a, auth.KindCLI, maxU.ID, "max-desktop", 10)

	admin, member, auditor := a.signIn("ada"), a.signIn("max"), a.signIn("audra")
	t.Run("the owner's banner names every kind, escaped, with links", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/service")
		r.contains(t, `data-testid="expiry-banner"`, "2 of your tokens expire within 7 days.",
			"&lt;b&gt;&#34;soon&#34; &amp; co&lt;/b&gt;", "expires in 3 days", "ada-laptop", "CLI token,", "expires in 1 day<",
			`href="/orgs/acme/settings/tokens/cli/`, `title="2026-11-23 12:00:00 UTC"`)
		r.lacks(t, odd, "next-week", "revoked-soon", "max-desktop", "fresh-week")
	})
	t.Run("rows within 30 days carry a badge with the exact date", func(t *testing.T) {
		r := admin.get("/orgs/acme/settings/tokens/api?sort=name&dir=asc")
		// The badge is the Expires cell's one time, said once: no "in 10
		// days" beside an "expires in 10 days" badge.
		r.contains(t, `data-testid="expiry-badge"><time class="moment" datetime="2026-12-02T12:00:00Z" title="2026-12-02 12:00:00 UTC" data-exact="2026-12-02 12:00:00 UTC" tabindex="0">in 10 days</time></span>`,
			`tabindex="0">in 3 days</time></span>`,
			// A token made now to live 7 days reads "in 7 days", not "in 6 days".
			`tabindex="0">in 7 days</time></span>`)
		r.lacks(t, "expires in 10 days", "in 6 days")
		if n := strings.Count(r.body, `data-testid="expiry-badge"`); n != 3 {
			t.Errorf("%d badges on the API tab, want 3 (not far or revoked)", n)
		}
		r.lacks(t, ">soon<")
	})
	t.Run("the detail page carries the badge", func(t *testing.T) {
		tok, err := a.db.Tokens(ctx, store.TokenQuery{OrgID: a.org.ID, Kind: "api", Search: "next-week", PerPage: 1})
		if err != nil || len(tok.Tokens) != 1 {
			t.Fatal(tok, err)
		}
		r := admin.get(tokenURL(tok.Tokens[0], ""))
		r.contains(t, `data-testid="expiry-badge"><time class="moment"`, `tabindex="0">in 10 days</time></span>`)
		r.lacks(t, "expires in 10 days")
	})
	t.Run("no banner when nothing of one's own expires within 7 days", func(t *testing.T) {
		for name, c := range map[string]*client{"member": member, "auditor": auditor} {
			if r := c.get("/orgs/acme/settings/tokens/cli"); r.status != http.StatusOK || strings.Contains(r.body, "expiry-banner") {
				t.Errorf("%s: status %d, banner shown", name, r.status)
			}
		}
		a.clock.Set(now.AddDate(0, 0, -30))
		issue(t, a, auth.KindCLI, maxU.ID, "max-phone", 32)
		a.clock.Set(now)
		r := member.get("/orgs/acme/settings/tokens/api")
		r.contains(t, "One of your tokens expires within 7 days.", "max-phone", "expires in 2 days")
		r.lacks(t, "ada-laptop")
	})
	t.Run("the table fragment htmx swaps has no banner", func(t *testing.T) {
		req := admin.request(http.MethodGet, "/orgs/acme/settings/tokens/api", nil, "")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "token-table")
		r := admin.do(req)
		r.contains(t, `data-testid="expiry-badge"`)
		r.lacks(t, "expiry-banner")
	})
}

func TestAuditSparkline(t *testing.T) {
	t.Parallel()
	a := seededApp(t)
	now := fixClock(a)
	ada, err := a.db.UserByUsername(context.Background(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	tok := issue(t, a, auth.KindAPI, ada.ID, "sparkled", 30)
	if err := a.db.RecordUses(context.Background(), []store.Use{{TokenID: tok.ID, At: now, IP: "10.0.0.1", Count: 4}}); err != nil {
		t.Fatal(err)
	}
	r := a.signIn("audra").get("/orgs/acme/settings/audit")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	r.contains(t, `data-testid="sparkline"`, "<title>Requests per day from 2026-10-24 to 2026-11-22: "+strings.Repeat("0, ", 29)+"4; total 4</title>")
}
