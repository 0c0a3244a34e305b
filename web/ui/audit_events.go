package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// eventsPerPage is how many events a page of the log shows.
const eventsPerPage = 50

// auditEvents is the audit page's Event log tab.
func (s *Server) auditEvents(c echo.Context) error {
	return s.eventsAnswer(c, c.QueryParams(), false)
}

// searchEvents is the event filter form's POST, so that a whole pasted
// token never rides in a URL: the query goes on to the log's URL, where
// the token is named by its id. Without JavaScript it redirects there;
// htmx gets the table at once and pushes that URL.
func (s *Server) searchEvents(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	delete(form, "csrf_token")
	return s.eventsAnswer(c, form, true)
}

// eventsAnswer renders the event log for the query in vals. A posted
// query, or a whole token in the URL (an old link), goes on to the URL
// naming the token by its id once it parses.
func (s *Server) eventsAnswer(c echo.Context, vals url.Values, posted bool) error {
	ctx := c.Request().Context()
	org := plumbing.State(c).Org
	q, problem, err := s.Core.ParseEventQuery(ctx, *org, vals)
	if err != nil {
		return err
	}
	base := auditEventsPath(org.Slug)
	target := withQuery(base, q.Values())
	if problem == "" && (posted || q.Pasted) {
		if !plumbing.IsHTMX(c) {
			return plumbing.Redirect(c, target)
		}
		c.Response().Header().Set("HX-Push-Url", target)
	}
	page, beforeProblem, err := s.Core.Events(ctx, org.ID, &q, eventsPerPage)
	if err != nil {
		return err
	}
	problem = strings.TrimSpace(problem + " " + beforeProblem)
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	t, err := s.eventTable(c, org, q, page)
	if err != nil {
		return err
	}
	if plumbing.IsHTMX(c) && c.Request().Header.Get("HX-Target") == "event-table" {
		return s.Render(c, status, views.EventTableView(t))
	}
	shell, err := s.PageShell(c, "Audit · Event log", "audit")
	if err != nil {
		return err
	}
	actions, err := s.DB.EventActions(ctx, org.ID)
	if err != nil {
		return err
	}
	if q.Action != "" && !slices.Contains(actions, q.Action) {
		actions = append(actions, q.Action)
	}
	f := views.EventFilter{Actor: q.Actor, Action: q.Action, Token: q.Token, From: q.From, To: q.To, Actions: actions, Error: problem, URL: base,
		SearchURL: base + "/search", CSRF: plumbing.State(c).CSRF}
	return s.Render(c, status, views.AuditEventsPage(views.AuditEventsProps{Shell: shell, OrgSlug: org.Slug,
		Tabs: auditTabs(org.Slug, "events"), Filter: f, Table: t}))
}

// eventTable is a page of the log as the viewer may see it, with its links.
func (s *Server) eventTable(c echo.Context, org *store.Org, q core.EventQuery, page store.EventPage) (views.EventTable, error) {
	ctx := c.Request().Context()
	base := auditEventsPath(org.Slug)
	now := s.DB.Now()
	t := views.EventTable{ExportURL: withQuery(base+".csv", q.Values()), Empty: "Nothing has happened in this organization yet."}
	switch {
	case q.Before != 0 && len(page.Events) == 0:
		t.Empty = "Nothing is older than this: the page is past the end of the log. Newest shows the latest events."
	case len(q.Values()) > 0:
		t.Empty = "No events match these filters. Clear a filter or widen the dates."
	}
	names := core.NewActorNames(s.DB, org.ID, plumbing.Principal(plumbing.State(c)))
	for _, e := range page.Events {
		r, err := eventRow(ctx, names, org.Slug, e, now)
		if err != nil {
			return t, err
		}
		t.Rows = appendGrouped(t.Rows, r)
	}
	if q.Before != 0 {
		t.NewestURL = withQuery(base, q.Values())
	}
	if page.More && len(page.Events) > 0 {
		v := q.Values()
		v.Set("before", fmt.Sprint(page.Events[len(page.Events)-1].ID))
		t.OlderURL = withQuery(base, v)
	}
	return t, nil
}

// eventRow is one event as the log shows it, linking the tokens it names
// (the acting token only for a viewer who may see it).
func eventRow(ctx context.Context, names *core.ActorNames, org string, e store.LogEvent, now time.Time) (views.EventRow, error) {
	actor, err := names.Label(ctx, e.ActorToken, e.ActorLabel)
	if err != nil {
		return views.EventRow{}, err
	}
	r := views.EventRow{ID: e.ID, When: moment(e.At, now, ""), Actor: actor, Action: e.Action, Verb: eventVerb(e.Action),
		Target: eventTarget(e.TargetType, cmp.Or(e.TargetLabel, e.TargetID)), IP: e.IP, Details: eventFields(e.Details)}
	if e.ActorToken != "" && e.ActorTokenKind != "" && actor == e.ActorLabel {
		r.ActorURL = tokenPath(org, store.Token{Kind: e.ActorTokenKind, ID: e.ActorToken}, "")
	}
	if e.TargetTokenKind != "" {
		r.TargetURL = tokenPath(org, store.Token{Kind: e.TargetTokenKind, ID: e.TargetID}, "")
	}
	return r, nil
}
