package core

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"

	"github.com/google/uuid"
)

// EventQuery is the event log's query, from the page's URL or the API's.
type EventQuery struct {
	Actor  string
	Action string
	// Token is the token filter as shown: always an id (a pasted token is
	// looked up and replaced by its id), never a secret.
	Token    string
	From, To string // YYYY-MM-DD, UTC, both inclusive
	from, to time.Time
	Before   int64
	// Pasted says Token came from a whole token, so the URL pushed must not
	// be the one requested.
	Pasted bool
}

var actionPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)

// ParseEventQuery reads actor, action, token, from, to and before. A bad
// value is a message for the person, and the rest still parses. A whole
// token is looked up by its hash in org; one that is not the org's is a bad
// value too, so the filter confirms nothing about other orgs' tokens.
func (s *Core) ParseEventQuery(ctx context.Context, org store.Org, v url.Values) (EventQuery, string, error) {
	var q EventQuery
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
			tok, _, err := s.DB.TokenBySecretHash(ctx, h[:])
			switch {
			case err == nil && tok.OrgID == org.ID:
				q.Token, q.Pasted = tok.ID, true
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

// Values is the query as URL values, without the page.
func (q EventQuery) Values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"actor", q.Actor}, {"action", q.Action}, {"token", q.Token}, {"from", q.From}, {"to", q.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// StoreQuery is the store's query for q in org; To is made exclusive.
func (q EventQuery) StoreQuery(orgID int64, limit int) store.EventQuery {
	sq := store.EventQuery{OrgID: orgID, Actor: q.Actor, Action: q.Action, TokenID: q.Token, From: q.from, Before: q.Before, Limit: limit}
	if !q.to.IsZero() {
		sq.To = q.to.AddDate(0, 0, 1)
	}
	return sq
}

// Events reads a page of the log. A Before that is not an event of the
// org's is a bad value: the first page is read instead.
func (s *Core) Events(ctx context.Context, orgID int64, q *EventQuery, limit int) (store.EventPage, string, error) {
	page, err := s.DB.Events(ctx, q.StoreQuery(orgID, limit))
	if fault.FieldsOf(err).Has("before") {
		q.Before = 0
		page, err = s.DB.Events(ctx, q.StoreQuery(orgID, limit))
		return page, "Before is the id of an event in this organization's log.", err
	}
	return page, "", err
}
