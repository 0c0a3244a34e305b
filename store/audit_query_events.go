package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"tokenward/auth/fault"
)

// EventQuery selects an org's audit events for the event log, newest first.
// Every filter set narrows the log.
type EventQuery struct {
	OrgID int64
	// Actor keeps events whose actor label contains it, ignoring ASCII case:
	// a user's label is their username, a token's names the token and its
	// creator.
	Actor  string
	Action string // exact
	// TokenID keeps events about the token or done with it.
	TokenID string
	// From (inclusive) and To (exclusive) bound the time; zero leaves that
	// side open.
	From, To time.Time
	// Before keeps events older than this one, for the next page.
	Before int64
	// Limit is the page size; EachEvent reads every match when it is 0.
	Limit int
}

// LogEvent is an event as the log shows it, with the kinds of the tokens it
// names, so pages can link to them ("" when it names none). EachEvent,
// which feeds exports, fills DetailsJSON (the details as stored) instead
// of Details and the kinds.
type LogEvent struct {
	Event
	ActorTokenKind  string
	TargetTokenKind string
	DetailsJSON     string
}

// EventPage is one page of the event log. More says older events match
// too: the next page is the one Before the last event here.
type EventPage struct {
	Events []LogEvent
	More   bool
}

// maxActorArms is how many distinct actor labels a filter may match and
// still be read label by label; more, and the log is scanned instead.
const maxActorArms = 32

// maxActorLabels bounds the walk over an org's distinct actor labels.
const maxActorLabels = 5000

const eventColumns = `e.id, e.at, COALESCE(e.org_id, 0), COALESCE(e.actor_user_id, 0), COALESCE(e.actor_token_id, ''),
	e.actor_label, e.action, e.target_type, e.target_id, e.target_label, e.ip, e.details`

const logEventColumns = eventColumns + `,
	COALESCE((SELECT kind FROM tokens WHERE id = e.actor_token_id), ''),
	CASE WHEN e.target_type = 'token' THEN COALESCE((SELECT kind FROM tokens WHERE id = e.target_id), '') ELSE '' END`

// scanLogEvent reads logEventColumns, or eventColumns alone for an export
// (raw), which keeps the details as stored.
func scanLogEvent(row interface{ Scan(...any) error }, raw bool) (LogEvent, error) {
	var e LogEvent
	var at sql.NullString
	dest := []any{&e.ID, &at, &e.OrgID, &e.ActorUserID, &e.ActorToken, &e.ActorLabel, &e.Action,
		&e.TargetType, &e.TargetID, &e.TargetLabel, &e.IP, &e.DetailsJSON}
	if !raw {
		dest = append(dest, &e.ActorTokenKind, &e.TargetTokenKind)
	}
	if err := row.Scan(dest...); err != nil {
		return LogEvent{}, err
	}
	e.At = scanTime(at)
	if raw {
		return e, nil
	}
	if err := json.Unmarshal([]byte(e.DetailsJSON), &e.Details); err != nil {
		return LogEvent{}, fmt.Errorf("event %d details: %w", e.ID, err)
	}
	e.DetailsJSON = ""
	return e, nil
}

// eventWhere builds q's conditions but the actor's. The keyset of Before
// is compared as a row value, which the (…, at, id) indexes answer as a
// range. A token's events are few: the unary + keeps SQLite from walking
// the whole log in order to find them rather than using the token's own
// indexes.
func eventWhere(ctx context.Context, tx *Tx, q EventQuery) ([]string, []any, error) {
	where := []string{"e.org_id = :org"}
	if q.TokenID != "" {
		where[0] = "+e.org_id = :org"
	}
	args := []any{named("org", q.OrgID)}
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.Action != "" {
		add("e.action = :action", named("action", q.Action))
	}
	if q.TokenID != "" {
		add("(e.actor_token_id = :token OR (e.target_type = 'token' AND e.target_id = :token))", named("token", q.TokenID))
	}
	if !q.From.IsZero() {
		add("e.at >= :from", named("from", formatTime(q.From)))
	}
	if !q.To.IsZero() {
		add("e.at < :to", named("to", formatTime(q.To)))
	}
	if q.Before != 0 {
		var at string
		err := tx.QueryRowContext(ctx, `SELECT at FROM audit_events WHERE id = ? AND org_id = ?`, q.Before, q.OrgID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, fault.Field(EInvalid, "before", "there is no such event in this organization's log")
		}
		if err != nil {
			return nil, nil, err
		}
		add("(e.at, e.id) < (:before_at, :before)", named("before_at", at), named("before", q.Before))
	}
	return where, args, nil
}

const newestFirst = " ORDER BY e.at DESC, e.id DESC"

// Events returns a page of the org's event log, newest first. An actor
// filter matching a few distinct labels reads each label's newest events
// from its index and merges them, so a rare actor is found without
// scanning the log; any other filter reads an index in page order.
func (db *DB) Events(ctx context.Context, q EventQuery) (EventPage, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return EventPage{}, err
	}
	defer tx.Rollback()
	where, args, err := eventWhere(ctx, tx, q)
	if err != nil {
		return EventPage{}, err
	}
	limit := max(1, min(q.Limit, 1000))
	take := fmt.Sprintf(" LIMIT %d", limit+1) // one more says whether there is a next page
	var query string
	labels, scan, err := actorLabels(ctx, tx, q)
	switch {
	case err != nil:
		return EventPage{}, err
	case q.Actor != "" && !scan && len(labels) == 0:
		return EventPage{}, nil
	case q.Actor != "" && !scan:
		arms := make([]string, len(labels))
		for i, l := range labels {
			p := fmt.Sprintf("label%d", i)
			arms[i] = `SELECT id, at FROM (SELECT e.id, e.at FROM audit_events e WHERE ` + strings.Join(where, " AND ") +
				` AND e.actor_label = :` + p + newestFirst + take + `) arm`
			args = append(args, named(p, l))
		}
		query = strings.Join(arms, " UNION ALL ") + " ORDER BY at DESC, id DESC" + take
	default:
		if q.Actor != "" {
			where = append(where, `e.actor_label LIKE :actor ESCAPE '\'`)
			args = append(args, named("actor", "%"+escapeLike(q.Actor)+"%"))
		}
		query = `SELECT e.id, e.at FROM audit_events e WHERE ` + strings.Join(where, " AND ") + newestFirst + take
	}
	ids, err := eventIDs(ctx, tx, query, args)
	if err != nil {
		return EventPage{}, fmt.Errorf("list events: %w", err)
	}
	var page EventPage
	if len(ids) > limit {
		ids, page.More = ids[:limit], true
	}
	for _, id := range ids {
		e, err := scanLogEvent(tx.QueryRowContext(ctx, `SELECT `+logEventColumns+` FROM audit_events e WHERE e.id = ?`, id), false)
		if err != nil {
			return EventPage{}, err
		}
		page.Events = append(page.Events, e)
	}
	return page, nil
}

func eventIDs(ctx context.Context, tx *Tx, query string, args []any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		var at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// actorLabels lists the org's distinct actor labels that contain q.Actor,
// hopping through audit_events_org_actor one label at a time. scan says to
// match by LIKE instead: there are too many labels to list, or too many
// match to read one by one.
func actorLabels(ctx context.Context, tx *Tx, q EventQuery) (labels []string, scan bool, err error) {
	if q.Actor == "" {
		return nil, false, nil
	}
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE l(label) AS (
			SELECT MIN(actor_label) FROM audit_events WHERE org_id = ?1
			UNION ALL
			SELECT (SELECT MIN(actor_label) FROM audit_events WHERE org_id = ?1 AND actor_label > l.label) FROM l WHERE l.label IS NOT NULL)
		SELECT label FROM l WHERE label IS NOT NULL LIMIT ?2`, q.OrgID, maxActorLabels+1)
	if err != nil {
		return nil, false, fmt.Errorf("actor labels: %w", err)
	}
	defer rows.Close()
	want := asciiLower(q.Actor)
	n := 0
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, false, err
		}
		if n++; n > maxActorLabels {
			return nil, true, nil
		}
		if strings.Contains(asciiLower(l), want) {
			labels = append(labels, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return labels, len(labels) > maxActorArms, nil
}

// asciiLower folds ASCII letters only, as SQLite's LIKE does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// EachEvent calls fn for every event q selects, newest first, reading them
// one at a time from a cursor so that memory stays flat however long the
// log is. Each event comes with DetailsJSON rather than Details. A Limit of 0 reads them all. An error from fn stops the walk and
// is returned.
func (db *DB) EachEvent(ctx context.Context, q EventQuery, fn func(LogEvent) error) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	where, args, err := eventWhere(ctx, tx, q)
	if err != nil {
		return err
	}
	if q.Actor != "" {
		where = append(where, `e.actor_label LIKE :actor ESCAPE '\'`)
		args = append(args, named("actor", "%"+escapeLike(q.Actor)+"%"))
	}
	query := `SELECT ` + eventColumns + ` FROM audit_events e WHERE ` + strings.Join(where, " AND ") + newestFirst
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("export events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanLogEvent(rows, true)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EventActions lists the distinct actions in the org's log, in order,
// hopping through audit_events_org_action one action at a time.
func (db *DB) EventActions(ctx context.Context, orgID int64) ([]string, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return column[string](ctx, tx, `WITH RECURSIVE a(action) AS (
			SELECT MIN(action) FROM audit_events WHERE org_id = ?1
			UNION ALL
			SELECT (SELECT MIN(action) FROM audit_events WHERE org_id = ?1 AND action > a.action) FROM a WHERE a.action IS NOT NULL)
		SELECT action FROM a WHERE action IS NOT NULL`, orgID)
}

// ImportEvents appends many events with their times, actors and IPs
// already decided, in one transaction. It is for filling test and load
// databases quickly; the log stays append-only (this only inserts).
func (db *DB) ImportEvents(ctx context.Context, events []Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit_events
		(at, org_id, actor_user_id, actor_token_id, actor_label, action, target_type, target_id, target_label, ip, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range events {
		details := "{}"
		if len(e.Details) > 0 {
			b, err := json.Marshal(e.Details)
			if err != nil {
				return err
			}
			details = string(b)
		}
		at := e.At
		if at.IsZero() {
			at = tx.now
		}
		if _, err := stmt.ExecContext(ctx, formatTime(at), nullID(e.OrgID), nullID(e.ActorUserID), nullString(e.ActorToken), e.ActorLabel,
			e.Action, e.TargetType, e.TargetID, e.TargetLabel, e.IP, details); err != nil {
			return fmt.Errorf("import event %s: %w", e.Action, err)
		}
	}
	return tx.Commit()
}
