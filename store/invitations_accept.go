package store

import (
	"context"
	"fmt"
	"strings"
)

// NoticeInvitationAccepted tells an inviter that their invitation was
// accepted: a notification about an invitation, not a token.
const NoticeInvitationAccepted = "invitation_accepted"

// Acceptance is what accepting an invitation did.
type Acceptance struct {
	Invitation Invitation
	Member     Member
	NewUser    bool // the account was made from the invitation
}

// AcceptInvitation makes userID a member of the invitation's org with its
// role, in one transaction that uses the invitation up, records the events
// and notifies the inviter. An invitation no longer pending, a disabled
// account, and someone already a member are refused; nothing is written.
func (db *DB) AcceptInvitation(ctx context.Context, id, userID int64, ip string) (Acceptance, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Acceptance{}, err
	}
	defer tx.Rollback()
	u, err := userByID(ctx, tx, userID)
	if err != nil {
		return Acceptance{}, err
	}
	if u.Disabled() {
		return Acceptance{}, &Error{Code: EConflict, Message: "This account is disabled. Ask a site admin to enable it."}
	}
	a, err := acceptInvitation(ctx, tx, id, u, ip)
	if err != nil {
		return Acceptance{}, err
	}
	return a, tx.Commit()
}

// AcceptInvitationAsNewUser creates the account nu (whose email is the
// invitation's) and makes it a member, in one transaction, so a refusal
// leaves neither. An address that already has an account is refused: its
// owner signs in to accept instead.
func (db *DB) AcceptInvitationAsNewUser(ctx context.Context, id int64, nu NewUser, ip string) (Acceptance, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Acceptance{}, err
	}
	defer tx.Rollback()
	if existing, err := usersWithEmail(ctx, tx, nu.Email); err != nil {
		return Acceptance{}, err
	} else if len(existing) > 0 {
		return Acceptance{}, ErrEmailHasAccount
	}
	u, err := insertUser(ctx, tx, nu)
	if err != nil {
		return Acceptance{}, err
	}
	a, err := acceptInvitation(ctx, tx, id, u, ip)
	if err != nil {
		return Acceptance{}, err
	}
	if err := recordEvent(ctx, tx, Actor{UserID: u.ID, Label: u.Username, IP: ip}, Event{OrgID: a.Invitation.OrgID, Action: "user.created",
		TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username,
		Details: map[string]string{"invitation": fmt.Sprint(id)}}); err != nil {
		return Acceptance{}, err
	}
	a.NewUser = true
	return a, tx.Commit()
}

// ErrEmailHasAccount refuses a second account for an invited address.
var ErrEmailHasAccount = &Error{Code: EConflict,
	Message: "An account with this email address already exists. Sign in to that account to accept the invitation."}

// acceptInvitation uses the invitation up for u, if it is still pending
// (checked by the update itself, so two acceptances cannot both win), and
// adds the membership.
func acceptInvitation(ctx context.Context, tx *Tx, id int64, u User, ip string) (Acceptance, error) {
	now := formatTime(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE invitations SET accepted_at = ?, accepted_by = ?
		WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?`, now, u.ID, id, now)
	if err != nil {
		return Acceptance{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return Acceptance{}, err
	} else if n == 0 {
		return Acceptance{}, &Error{Code: EConflict, Message: "This invitation is no longer open: it was used, revoked or has expired."}
	}
	inv, err := invitationWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return Acceptance{}, err
	}
	if err := insertMembership(ctx, tx, inv.OrgID, u.ID, inv.Role); err != nil {
		if IsConflict(err) {
			return Acceptance{}, &Error{Code: EConflict, Message: fmt.Sprintf("%s is already a member of %s.", u.Username, inv.OrgName)}
		}
		return Acceptance{}, err
	}
	actor := Actor{UserID: u.ID, Label: u.Username, IP: ip}
	for _, e := range []Event{
		{OrgID: inv.OrgID, Action: "invitation.accepted", TargetType: "invitation", TargetID: fmt.Sprint(id), TargetLabel: inv.Email,
			Details: map[string]string{"email": inv.Email, "role": inv.Role, "user": u.Username}},
		{OrgID: inv.OrgID, Action: "member.added", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username,
			Details: map[string]string{"role": inv.Role, "invitation": fmt.Sprint(id)}},
	} {
		if err := recordEvent(ctx, tx, actor, e); err != nil {
			return Acceptance{}, err
		}
	}
	if inv.InvitedBy != 0 && inv.InvitedBy != u.ID {
		msg := fmt.Sprintf("%s accepted your invitation of %s and joined %s as %s.", u.Username, inv.Email, inv.OrgName, roleWord(inv.Role))
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, org_id, token_id, kind, message, link, created_at)
			VALUES (?, ?, NULL, ?, ?, ?, ?)`, inv.InvitedBy, inv.OrgID, NoticeInvitationAccepted, msg,
			"/orgs/"+inv.OrgSlug+"/settings/members", now); err != nil {
			return Acceptance{}, fmt.Errorf("notify the inviter: %w", err)
		}
	}
	return Acceptance{Invitation: inv, Member: Member{User: u, Role: inv.Role, Since: tx.now}}, nil
}

// roleWord is a role as a sentence names it: "an admin", "a member".
func roleWord(role string) string {
	if role == "admin" || role == "auditor" {
		return "an " + role
	}
	return "a " + strings.ToLower(role)
}

// IsConflict reports whether err says a unique value is taken or a rule
// would break.
func IsConflict(err error) bool { return ErrorCode(err) == EConflict }
