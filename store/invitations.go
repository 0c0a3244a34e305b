package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tokenward/auth/fault"
)

// What state an invitation is in.
const (
	InvitationPending  = "pending"  // the link works
	InvitationExpired  = "expired"  // past its expiry; an admin may resend it
	InvitationAccepted = "accepted" // used: the invitee joined
	InvitationRevoked  = "revoked"  // an admin withdrew it
)

// MaxPendingInvitations is how many pending invitations an org may have.
const MaxPendingInvitations = 100

// Invitation is an email address invited to join an org with a role. The
// link's code is never stored, only its hash.
type Invitation struct {
	ID           int64
	OrgID        int64
	OrgSlug      string
	OrgName      string
	Email        string
	Role         string
	InvitedBy    int64  // 0: the inviter's account is gone
	InviterName  string // username
	InviterDescr string // display name, or the username
	CreatedAt    time.Time
	SentAt       time.Time // the current link's issue
	ExpiresAt    time.Time
	Resent       int
	AcceptedAt   time.Time
	AcceptedBy   int64
	AcceptedName string // the username that joined
	RevokedAt    time.Time
}

// Status is the invitation's state at now.
func (i Invitation) Status(now time.Time) string {
	switch {
	case !i.AcceptedAt.IsZero():
		return InvitationAccepted
	case !i.RevokedAt.IsZero():
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// NewInvitation is what it takes to invite someone; LinkHash is the hash
// of the link's code, and the link works for TTL from now.
type NewInvitation struct {
	OrgID     int64
	Email     string
	Role      string
	LinkHash  string
	InvitedBy int64
	TTL       time.Duration
}

const invitationSelect = `SELECT i.id, i.org_id, o.slug, o.name, i.email, i.role, COALESCE(i.invited_by, 0),
	COALESCE(iu.username, ''), COALESCE(iu.display_name, ''), i.created_at, i.sent_at, i.expires_at, i.resent,
	i.accepted_at, COALESCE(i.accepted_by, 0), COALESCE(au.username, ''), i.revoked_at
	FROM invitations i JOIN organizations o ON o.id = i.org_id
	LEFT JOIN users iu ON iu.id = i.invited_by LEFT JOIN users au ON au.id = i.accepted_by `

// openInvitation is the clause of invitations neither accepted nor revoked.
const openInvitation = `i.accepted_at IS NULL AND i.revoked_at IS NULL`

func scanInvitation(row interface{ Scan(...any) error }) (Invitation, error) {
	var i Invitation
	var display string
	var created, sent, expires, accepted, revoked sql.NullString
	if err := row.Scan(&i.ID, &i.OrgID, &i.OrgSlug, &i.OrgName, &i.Email, &i.Role, &i.InvitedBy, &i.InviterName, &display,
		&created, &sent, &expires, &i.Resent, &accepted, &i.AcceptedBy, &i.AcceptedName, &revoked); err != nil {
		return Invitation{}, err
	}
	i.InviterDescr = i.InviterName
	if display != "" {
		i.InviterDescr = display
	}
	i.CreatedAt, i.SentAt, i.ExpiresAt = scanTime(created), scanTime(sent), scanTime(expires)
	i.AcceptedAt, i.RevokedAt = scanTime(accepted), scanTime(revoked)
	return i, nil
}

func invitationWhere(ctx context.Context, tx *Tx, clause string, args ...any) (Invitation, error) {
	i, err := scanInvitation(tx.QueryRowContext(ctx, invitationSelect+`WHERE `+clause, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, notFound("invitation")
	}
	return i, err
}

// pendingInvitations counts an org's pending invitations.
func pendingInvitations(ctx context.Context, tx *Tx, orgID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations i WHERE i.org_id = ? AND `+openInvitation+`
		AND i.expires_at > ?`, orgID, formatTime(tx.now)).Scan(&n)
	return n, err
}

var errTooManyInvitations = fault.Field(EConflict, "email", fmt.Sprintf("This organization has %d pending invitations, the most it may have: "+
	"revoke some, or wait until they are accepted or expire.", MaxPendingInvitations))

// CreateInvitation invites an email address to an org, in one transaction
// with its audit event. An address that is already a member's, or that has
// a pending invitation to the org, and a 101st pending invitation are
// refused as EConflict on the field "email".
func (db *DB) CreateInvitation(ctx context.Context, ni NewInvitation, actor Actor) (Invitation, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Invitation{}, err
	}
	defer tx.Rollback()
	var member string
	err = tx.QueryRowContext(ctx, `SELECT u.username FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND lower(u.email) = lower(?) ORDER BY u.username LIMIT 1`, ni.OrgID, ni.Email).Scan(&member)
	if err == nil {
		return Invitation{}, conflict("email", fmt.Sprintf("%s is already the email address of a member of this organization (%s).", ni.Email, member))
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, err
	}
	if _, err := invitationWhere(ctx, tx, `i.org_id = ? AND lower(i.email) = lower(?) AND `+openInvitation+` AND i.expires_at > ?`,
		ni.OrgID, ni.Email, formatTime(tx.now)); err == nil {
		return Invitation{}, conflict("email", ni.Email+" already has a pending invitation: resend it from the list below instead.")
	} else if !IsNotFound(err) {
		return Invitation{}, err
	}
	if n, err := pendingInvitations(ctx, tx, ni.OrgID); err != nil {
		return Invitation{}, err
	} else if n >= MaxPendingInvitations {
		return Invitation{}, errTooManyInvitations
	}
	now := formatTime(tx.now)
	id, err := insertID(ctx, tx, `INSERT INTO invitations (org_id, email, role, link_hash, invited_by, created_at, sent_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ni.OrgID, ni.Email, ni.Role, ni.LinkHash, nullID(ni.InvitedBy), now, now, formatTime(tx.now.Add(ni.TTL)))
	if err != nil {
		return Invitation{}, fmt.Errorf("insert invitation: %w", err)
	}
	if err := recordEvent(ctx, tx, actor, invitationEvent(ni.OrgID, "invitation.created", id, ni.Email, ni.Role)); err != nil {
		return Invitation{}, err
	}
	inv, err := invitationWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return Invitation{}, err
	}
	return inv, tx.Commit()
}

func invitationEvent(orgID int64, action string, id int64, email, role string) Event {
	return Event{OrgID: orgID, Action: action, TargetType: "invitation", TargetID: fmt.Sprint(id), TargetLabel: email,
		Details: map[string]string{"email": email, "role": role}}
}

// Invitations lists an org's open invitations (pending or expired, not
// accepted or revoked), newest first.
func (db *DB) Invitations(ctx context.Context, orgID int64) ([]Invitation, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, invitationSelect+`WHERE i.org_id = ? AND `+openInvitation+` ORDER BY i.sent_at DESC, i.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		i, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// Invitation returns one of an org's invitations, in any state.
func (db *DB) Invitation(ctx context.Context, orgID, id int64) (Invitation, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Invitation{}, err
	}
	defer tx.Rollback()
	return invitationWhere(ctx, tx, `i.org_id = ? AND i.id = ?`, orgID, id)
}

// InvitationByLink finds the invitation whose link code hashes to hash, in
// any state; a replaced (resent) or unknown code is ENotFound.
func (db *DB) InvitationByLink(ctx context.Context, hash string) (Invitation, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Invitation{}, err
	}
	defer tx.Rollback()
	return invitationWhere(ctx, tx, `i.link_hash = ?`, hash)
}

// closedInvitation is the refusal of a change to an invitation that is no
// longer open.
func closedInvitation(i Invitation) error {
	if !i.AcceptedAt.IsZero() {
		return &Error{Code: EConflict, Message: fmt.Sprintf("The invitation of %s was already accepted (by %s).", i.Email, i.AcceptedName)}
	}
	return &Error{Code: EConflict, Message: fmt.Sprintf("The invitation of %s was already revoked.", i.Email)}
}

// ResendInvitation gives an open invitation a new link (linkHash), valid
// for ttl from now; the old link stops working. An expired invitation is
// resent only while the org has room for another pending one.
func (db *DB) ResendInvitation(ctx context.Context, orgID, id int64, linkHash string, ttl time.Duration, actor Actor) (Invitation, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Invitation{}, err
	}
	defer tx.Rollback()
	i, err := invitationWhere(ctx, tx, `i.org_id = ? AND i.id = ?`, orgID, id)
	if err != nil {
		return Invitation{}, err
	}
	switch i.Status(tx.now) {
	case InvitationAccepted, InvitationRevoked:
		return Invitation{}, closedInvitation(i)
	case InvitationExpired:
		if n, err := pendingInvitations(ctx, tx, orgID); err != nil {
			return Invitation{}, err
		} else if n >= MaxPendingInvitations {
			return Invitation{}, errTooManyInvitations
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET link_hash = ?, sent_at = ?, expires_at = ?, resent = resent + 1 WHERE id = ?`,
		linkHash, formatTime(tx.now), formatTime(tx.now.Add(ttl)), id); err != nil {
		return Invitation{}, err
	}
	if err := recordEvent(ctx, tx, actor, invitationEvent(orgID, "invitation.resent", id, i.Email, i.Role)); err != nil {
		return Invitation{}, err
	}
	if i, err = invitationWhere(ctx, tx, `i.id = ?`, id); err != nil {
		return Invitation{}, err
	}
	return i, tx.Commit()
}

// RevokeInvitation withdraws an open (pending or expired) invitation: its
// link says so from then on.
func (db *DB) RevokeInvitation(ctx context.Context, orgID, id int64, actor Actor) (Invitation, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Invitation{}, err
	}
	defer tx.Rollback()
	i, err := invitationWhere(ctx, tx, `i.org_id = ? AND i.id = ?`, orgID, id)
	if err != nil {
		return Invitation{}, err
	}
	if s := i.Status(tx.now); s == InvitationAccepted || s == InvitationRevoked {
		return Invitation{}, closedInvitation(i)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = ?, revoked_by = ? WHERE id = ?`,
		formatTime(tx.now), nullID(actor.UserID), id); err != nil {
		return Invitation{}, err
	}
	if err := recordEvent(ctx, tx, actor, invitationEvent(orgID, "invitation.revoked", id, i.Email, i.Role)); err != nil {
		return Invitation{}, err
	}
	i.RevokedAt = tx.now
	return i, tx.Commit()
}

// UsersWithEmail lists the accounts whose email address is email, ignoring
// case, by username.
func (db *DB) UsersWithEmail(ctx context.Context, email string) ([]User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return usersWithEmail(ctx, tx, email)
}

func usersWithEmail(ctx context.Context, tx *Tx, email string) ([]User, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower(?) ORDER BY username`, email)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
