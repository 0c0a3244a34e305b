package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Actor is who does a change: a signed-in user or, later, a token. Label is
// the name shown in the audit trail (the username at the time).
type Actor struct {
	UserID  int64
	TokenID string
	Label   string
	IP      string
}

// Event is one entry of the append-only audit trail. It never holds a secret.
type Event struct {
	ID          int64
	At          time.Time
	OrgID       int64 // 0 for events outside any org (sign-in, site admin)
	ActorUserID int64
	ActorToken  string
	ActorLabel  string
	Action      string
	TargetType  string
	TargetID    string
	TargetLabel string
	IP          string
	Details     map[string]string
}

// recordEvent appends e to the audit trail inside tx, stamped with the
// transaction's time and the actor.
func recordEvent(ctx context.Context, tx *Tx, actor Actor, e Event) error {
	details := "{}"
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return err
		}
		details = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(at, org_id, actor_user_id, actor_token_id, actor_label, action, target_type, target_id, target_label, ip, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(tx.now), nullID(e.OrgID), nullID(actor.UserID), nullString(actor.TokenID), actor.Label,
		e.Action, e.TargetType, e.TargetID, e.TargetLabel, actor.IP, details)
	if err != nil {
		return fmt.Errorf("record %s: %w", e.Action, err)
	}
	return nil
}

// RecordEvent appends one event on its own, for things that change nothing
// else (a failed sign-in, a reveal).
func (db *DB) RecordEvent(ctx context.Context, actor Actor, e Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := recordEvent(ctx, tx, actor, e); err != nil {
		return err
	}
	return tx.Commit()
}

// OrgEvents returns an org's most recent events, newest first.
func (db *DB) OrgEvents(ctx context.Context, orgID int64, limit int) ([]Event, error) {
	return db.queryEvents(ctx, `WHERE org_id = ? ORDER BY id DESC LIMIT ?`, orgID, max(1, limit))
}

// queryEvents reads the events a WHERE ... ORDER BY ... LIMIT clause selects.
func (db *DB) queryEvents(ctx context.Context, clause string, args ...any) ([]Event, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, at, COALESCE(org_id, 0), COALESCE(actor_user_id, 0),
		COALESCE(actor_token_id, ''), actor_label, action, target_type, target_id, target_label, ip, details
		FROM audit_events `+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at sql.NullString
		var details string
		if err := rows.Scan(&e.ID, &at, &e.OrgID, &e.ActorUserID, &e.ActorToken, &e.ActorLabel, &e.Action,
			&e.TargetType, &e.TargetID, &e.TargetLabel, &e.IP, &details); err != nil {
			return nil, err
		}
		e.At = scanTime(at)
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, fmt.Errorf("event %d details: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
