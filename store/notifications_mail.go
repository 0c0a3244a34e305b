package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// The mail queue is the notifications table itself: a notification not
// emailed yet is queued. Failed sends are retried after EmailRetryAfter,
// up to EmailMaxAttempts times, and only while the notification is younger
// than EmailMaxAge, so a mail server set up later does not send old news.
const (
	EmailRetryAfter  = time.Minute
	EmailMaxAttempts = 10
	EmailMaxAge      = 48 * time.Hour
)

// OutgoingEmail is a queued notification with what its email needs.
type OutgoingEmail struct {
	Notification
	Username  string
	Email     string
	TokenName string
	TokenKind string
	OrgName   string
	Role      string // the recipient's role in the org now ("" outside it)
}

// EmailClaim is how long QueuedEmails holds the notifications it returns
// for the caller to send: longer than any mail pass takes.
const EmailClaim = 10 * time.Minute

// QueuedEmails claims and returns up to limit notifications due to be
// emailed, oldest first: made after email was set up, never tried or failed
// at least EmailRetryAfter ago, and not claimed by another pass. Users
// without an address, or disabled, are left out. The claim lasts
// EmailClaim or until MarkEmailed, so no other process (or overlapping
// pass) gets the same notifications meanwhile.
func (db *DB) QueuedEmails(ctx context.Context, limit int) ([]OutgoingEmail, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT n.id, n.user_id, n.org_id, n.token_id, n.kind, n.message, n.link, n.created_at,
		n.read_at, n.emailed_at, COALESCE(n.actor_token_id, ''), n.actor_label, u.username, u.email, t.name, t.kind, o.name,
		COALESCE((SELECT m.role FROM memberships m WHERE m.org_id = n.org_id AND m.user_id = n.user_id), '')
		FROM notifications n
		JOIN users u ON u.id = n.user_id
		JOIN tokens t ON t.id = n.token_id
		JOIN organizations o ON o.id = n.org_id
		WHERE n.emailed_at IS NULL AND n.created_at >= ? AND n.email_attempts < ?
		AND n.id > COALESCE((SELECT mail_after FROM smtp_settings WHERE id = 1), 0)
		AND (n.email_tried_at IS NULL OR n.email_tried_at <= ?)
		AND (n.email_claimed_until IS NULL OR n.email_claimed_until <= ?)
		AND u.disabled_at IS NULL AND u.email != ''
		ORDER BY n.created_at, n.id LIMIT ?`,
		formatTime(tx.now.Add(-EmailMaxAge)), EmailMaxAttempts, formatTime(tx.now.Add(-EmailRetryAfter)), formatTime(tx.now), max(1, limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutgoingEmail
	for rows.Next() {
		var e OutgoingEmail
		var created, read, emailed sql.NullString
		if err := rows.Scan(&e.ID, &e.UserID, &e.OrgID, &e.TokenID, &e.Kind, &e.Message, &e.Link, &created, &read, &emailed,
			&e.ActorTokenID, &e.ActorLabel, &e.Username, &e.Email, &e.TokenName, &e.TokenKind, &e.OrgName, &e.Role); err != nil {
			return nil, err
		}
		e.CreatedAt, e.ReadAt, e.EmailedAt = scanTime(created), scanTime(read), scanTime(emailed)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	for i, e := range out {
		ids[i] = e.ID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET email_claimed_until = ? WHERE id IN (`+noticePlaceholders(len(ids))+`)`,
		append([]any{formatTime(tx.now.Add(EmailClaim))}, noticeIDArgs(ids)...)...); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// MarkEmailed records that these notifications were emailed, and failed
// that these were not (to be retried later).
func (db *DB) MarkEmailed(ctx context.Context, sent, failed []int64) error {
	if len(sent) == 0 && len(failed) == 0 {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := formatTime(tx.now)
	if len(sent) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET emailed_at = ?, email_claimed_until = NULL WHERE id IN (`+noticePlaceholders(len(sent))+`)`,
			append([]any{now}, noticeIDArgs(sent)...)...); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET email_attempts = email_attempts + 1, email_tried_at = ?, email_claimed_until = NULL
			WHERE id IN (`+noticePlaceholders(len(failed))+`)`, append([]any{now}, noticeIDArgs(failed)...)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func noticePlaceholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func noticeIDArgs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
