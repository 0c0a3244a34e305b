package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
)

// eventsPerPage is how many events a page of the log shows.
const eventsPerPage = 50

// eventQuery is the event log's query, from the page's URL or the API's.
type eventQuery struct {
	Actor  string
	Action string
	// Token is the token filter as shown: always an id (a pasted token is
	// looked up and replaced by its id), never a secret.
	Token    string
	From, To string // YYYY-MM-DD, UTC, both inclusive
	from, to time.Time
	Before   int64
	// pasted says Token came from a whole token, so the URL pushed must not
	// be the one requested.
	pasted bool
}

var actionPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)

// parseEventQuery reads actor, action, token, from, to and before. A bad
// value is a message for the person, and the rest still parses. A whole
// token is looked up by its hash in org; one that is not the org's is a bad
// value too, so the filter confirms nothing about other orgs' tokens.
func (s *Server) parseEventQuery(ctx context.Context, org store.Org, v url.Values) (eventQuery, string, error) {
	var q eventQuery
	var problems []string
	bad := func(msg string) { problems = append(problems, msg) }
	if a := strings.TrimSpace(v.Get("actor")); a != "" {
		if !utf8Text(a) || len(a) > 200 {
			bad("Actor is plain text of at most 200 characters.")
		} else {
			q.Actor = a
		}
	}
	if a := v.Get("action"); a != "" {
		if len(a) > 64 || !actionPattern.MatchString(a) {
			bad("Choose an action from the list, such as token.revoked.")
		} else {
			q.Action = a
		}
	}
	if t := strings.TrimSpace(v.Get("token")); t != "" {
		if _, err := auth.ParseToken(t); err == nil {
			h := auth.HashToken(t)
			tok, _, err := s.db.TokenBySecretHash(ctx, h[:])
			switch {
			case err == nil && tok.OrgID == org.ID:
				q.Token, q.pasted = tok.ID, true
			case err == nil || store.IsNotFound(err):
				bad("No token of this organization has that value.")
			default:
				return q, "", err
			}
		} else if id, err := uuid.Parse(t); err == nil && id.String() == strings.ToLower(t) {
			q.Token = id.String()
		} else {
			bad("Token is a token id, or a whole token (twa_… as issued).")
		}
	}
	q.From, q.from = parseDay(v.Get("from"), "From", bad)
	q.To, q.to = parseDay(v.Get("to"), "To", bad)
	if !q.from.IsZero() && !q.to.IsZero() && q.to.Before(q.from) {
		bad("From is on or before To.")
		q.From, q.from = "", time.Time{}
	}
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			bad("Before is an event id, a whole number from 1.")
		} else {
			q.Before = n
		}
	}
	return q, strings.Join(problems, " "), nil
}

// parseDay reads a YYYY-MM-DD date as the start of that day, UTC.
func parseDay(s, name string, bad func(string)) (string, time.Time) {
	if s == "" {
		return "", time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		bad(name + " is a date written YYYY-MM-DD, such as 2026-11-22.")
		return "", time.Time{}
	}
	return s, d
}

// values is the query as URL values, without the page.
func (q eventQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"actor", q.Actor}, {"action", q.Action}, {"token", q.Token}, {"from", q.From}, {"to", q.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// storeQuery is the store's query for q in org; To is made exclusive.
func (q eventQuery) storeQuery(orgID int64, limit int) store.EventQuery {
	sq := store.EventQuery{OrgID: orgID, Actor: q.Actor, Action: q.Action, TokenID: q.Token, From: q.from, Before: q.Before, Limit: limit}
	if !q.to.IsZero() {
		sq.To = q.to.AddDate(0, 0, 1)
	}
	return sq
}

// events reads a page of the log. A Before that is not an event of the
// org's is a bad value: the first page is read instead.
func (s *Server) events(ctx context.Context, orgID int64, q *eventQuery, limit int) (store.EventPage, string, error) {
	page, err := s.db.Events(ctx, q.storeQuery(orgID, limit))
	if se := asStoreError(err); se != nil && se.Field == "before" {
		q.Before = 0
		page, err = s.db.Events(ctx, q.storeQuery(orgID, limit))
		return page, "Before is the id of an event in this organization's log.", err
	}
	return page, "", err
}

// auditEvents is the audit page's Event log tab.
func (s *Server) auditEvents(c echo.Context) error {
	ctx := c.Request().Context()
	org := state(c).org
	q, problem, err := s.parseEventQuery(ctx, *org, c.QueryParams())
	if err != nil {
		return err
	}
	page, beforeProblem, err := s.events(ctx, org.ID, &q, eventsPerPage)
	if err != nil {
		return err
	}
	problem = strings.TrimSpace(problem + " " + beforeProblem)
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	base := auditPath(org.Slug) + "/events"
	if q.pasted {
		c.Response().Header().Set("HX-Push-Url", withQuery(base, q.values()))
	}
	now := s.db.Now()
	t := views.EventTable{ExportURL: withQuery(base+".csv", q.values()), Empty: "Nothing has happened in this organization yet."}
	switch {
	case q.Before != 0 && len(page.Events) == 0:
		t.Empty = "Nothing is older than this: the page is past the end of the log. Newest shows the latest events."
	case len(q.values()) > 0:
		t.Empty = "No events match these filters. Clear a filter or widen the dates."
	}
	names := newActorNames(s.db, org.ID, principal(state(c)))
	for _, e := range page.Events {
		r, err := eventRow(ctx, names, org.Slug, e, now)
		if err != nil {
			return err
		}
		t.Rows = append(t.Rows, r)
	}
	if q.Before != 0 {
		t.NewestURL = withQuery(base, q.values())
	}
	if page.More && len(page.Events) > 0 {
		v := q.values()
		v.Set("before", fmt.Sprint(page.Events[len(page.Events)-1].ID))
		t.OlderURL = withQuery(base, v)
	}
	if isHTMX(c) && c.Request().Header.Get("HX-Target") == "event-table" {
		return s.render(c, status, views.EventTableView(t))
	}
	shell, err := s.pageShell(c, "Audit · Event log", "audit")
	if err != nil {
		return err
	}
	actions, err := s.db.EventActions(ctx, org.ID)
	if err != nil {
		return err
	}
	if q.Action != "" && !slices.Contains(actions, q.Action) {
		actions = append(actions, q.Action)
	}
	f := views.EventFilter{Actor: q.Actor, Action: q.Action, Token: q.Token, From: q.From, To: q.To, Actions: actions, Error: problem}
	return s.render(c, status, views.AuditEventsPage(views.AuditEventsProps{Shell: shell, OrgSlug: org.Slug,
		Tabs: auditTabs(org.Slug, "events"), Filter: f, Table: t}))
}

// eventRow is one event as the log shows it, linking the tokens it names
// (the acting token only for a viewer who may see it).
func eventRow(ctx context.Context, names *actorNames, org string, e store.LogEvent, now time.Time) (views.EventRow, error) {
	actor, err := names.label(ctx, e.ActorToken, e.ActorLabel)
	if err != nil {
		return views.EventRow{}, err
	}
	r := views.EventRow{ID: e.ID, When: moment(e.At, now, ""), Actor: actor, Action: e.Action,
		Target: strings.TrimSpace(e.TargetType + " " + cmp.Or(e.TargetLabel, e.TargetID)), IP: e.IP, Details: eventDetails(e.Details)}
	if e.ActorToken != "" && e.ActorTokenKind != "" && actor == e.ActorLabel {
		r.ActorURL = tokenPath(org, store.Token{Kind: e.ActorTokenKind, ID: e.ActorToken}, "")
	}
	if e.TargetTokenKind != "" {
		r.TargetURL = tokenPath(org, store.Token{Kind: e.TargetTokenKind, ID: e.TargetID}, "")
	}
	return r, nil
}
