package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Notification kinds: what happened to the token.
const (
	NoticeRevoked    = "revoked"
	NoticeDisabled   = "disabled"
	NoticeRotated    = "rotated"
	NoticeLeaked     = "leaked" // revoked through the revocation endpoint
	NoticeExpires30d = "expires_30d"
	NoticeExpires7d  = "expires_7d"
	NoticeExpires1d  = "expires_1d"
	NoticeExpired    = "expired"
	// NoticeOrgRemoved: an org no longer reaches the owner's personal token.
	NoticeOrgRemoved = "org_removed"
	// NoticeInvitationAccepted (invitations_accept.go) is about an
	// invitation: its TokenID is "".
)

// ReasonLeakReport is the revocation reason of a token revoked through the
// revocation endpoint (RFC 7009), which is how leaked tokens are reported.
const ReasonLeakReport = "reported through /oauth/revoke"

// Notification is one message to a user about one of their tokens, or
// about an invitation they sent (then TokenID is "").
type Notification struct {
	ID        int64
	UserID    int64
	OrgID     int64
	TokenID   string
	Kind      string
	Message   string
	Link      string // the token's detail page, a local path
	CreatedAt time.Time
	ReadAt    time.Time // zero: unread
	EmailedAt time.Time
	// ActorTokenID is the token the change was made with ("" when a person
	// made it), and ActorLabel the words naming it in Message, which a page
	// or an email replaces for a recipient who may not see that token.
	ActorTokenID string
	ActorLabel   string
}

// Unread reports whether the user has not read it yet.
func (n Notification) Unread() bool { return n.ReadAt.IsZero() }

// tokenOwner is who hears about a token: its owner, or for service tokens
// (owned by a service) the user who made it.
func tokenOwner(t Token) int64 {
	if t.OwnerUserID != 0 {
		return t.OwnerUserID
	}
	return t.CreatorID
}

// tokenLink is a token's detail page.
func tokenLink(ctx context.Context, tx *Tx, t Token) (string, error) {
	var slug string
	if err := tx.QueryRowContext(ctx, `SELECT slug FROM organizations WHERE id = ?`, t.OrgID).Scan(&slug); err != nil {
		return "", fmt.Errorf("org of token %s: %w", t.ID, err)
	}
	return "/orgs/" + slug + "/settings/tokens/" + t.Kind + "/" + t.ID, nil
}

// tokenLabel names a token in a message: `API token "deploy"`.
func tokenLabel(t Token) string {
	return fmt.Sprintf("%s token %q", kindLabel(t.Kind), t.Name)
}

// notifyTokenChange tells t's owner, inside the transaction that made the
// change, that someone else revoked, disabled or rotated their token, or
// that it was reported leaked. A change the owner made themselves, signed
// in, tells them nothing. detail ends the message (a reason, what became of
// the old secret); it never holds a secret.
func notifyTokenChange(ctx context.Context, tx *Tx, t Token, kind string, actor Actor, detail string) error {
	owner := tokenOwner(t)
	if owner == 0 || (actor.UserID == owner && actor.TokenID == "") {
		return nil
	}
	by := actor.Label
	if by == "" {
		by = "an administrator"
	}
	var msg string
	switch kind {
	case NoticeLeaked:
		msg = fmt.Sprintf("Your %s was reported as leaked through the revocation endpoint and is revoked. "+
			"If you did not revoke it yourself (tokenward logout --revoke), find where it leaked and replace it.", tokenLabel(t))
	case NoticeRevoked:
		msg = fmt.Sprintf("Your %s was revoked by %s.", tokenLabel(t), by)
	case NoticeDisabled:
		msg = fmt.Sprintf("Your %s was disabled by %s: requests with it are refused until an admin enables it again.", tokenLabel(t), by)
	case NoticeRotated:
		msg = fmt.Sprintf("Your %s was rotated by %s.", tokenLabel(t), by)
	default:
		return fmt.Errorf("notify: unknown kind %q", kind)
	}
	if detail != "" {
		msg += " " + detail
	}
	link, err := tokenLink(ctx, tx, t)
	if err != nil {
		return err
	}
	actorLabel := ""
	if actor.TokenID != "" {
		actorLabel = by
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (user_id, org_id, token_id, kind, message, link, created_at,
		actor_token_id, actor_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		owner, t.OrgID, t.ID, kind, msg, link, formatTime(tx.now), nullString(actor.TokenID), actorLabel)
	if err != nil {
		return fmt.Errorf("notify %s: %w", kind, err)
	}
	return nil
}

// revokeNotice is the notification kind and detail of a revocation.
func revokeNotice(reason string) (kind, detail string) {
	switch reason {
	case ReasonLeakReport:
		return NoticeLeaked, ""
	case "":
		return NoticeRevoked, ""
	}
	return NoticeRevoked, "Reason: " + reason + "."
}

const notificationColumns = `id, user_id, org_id, COALESCE(token_id, ''), kind, message, link, created_at, read_at, emailed_at,
	COALESCE(actor_token_id, ''), actor_label`

func scanNotification(row interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var created, read, emailed sql.NullString
	if err := row.Scan(&n.ID, &n.UserID, &n.OrgID, &n.TokenID, &n.Kind, &n.Message, &n.Link, &created, &read, &emailed,
		&n.ActorTokenID, &n.ActorLabel); err != nil {
		return Notification{}, err
	}
	n.CreatedAt, n.ReadAt, n.EmailedAt = scanTime(created), scanTime(read), scanTime(emailed)
	return n, nil
}

// Notifications lists a user's most recent notifications, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, limit int) ([]Notification, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, max(1, limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadNotifications counts a user's unread notifications (the bell), from
// an index alone.
func (db *DB) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// ReadNotification marks one of a user's notifications read and returns it.
// Another user's notification is ENotFound.
func (db *DB) ReadNotification(ctx context.Context, userID, id int64) (Notification, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Notification{}, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`,
		formatTime(tx.now), id, userID); err != nil {
		return Notification{}, err
	}
	n, err := scanNotification(tx.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Notification{}, notFound("notification")
	}
	if err != nil {
		return Notification{}, err
	}
	return n, tx.Commit()
}

// ReadAllNotifications marks every unread notification of a user read and
// says how many it marked.
func (db *DB) ReadAllNotifications(ctx context.Context, userID int64) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, formatTime(tx.now), userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), tx.Commit()
}

// rotateNotice says what became of a rotated token's old secret.
func rotateNotice(oldValidUntil time.Time, grace bool) string {
	if grace {
		return "Its old secret keeps working until " + oldValidUntil.UTC().Format("2006-01-02 15:04 UTC") + "."
	}
	return "Its old secret stopped working at once."
}
