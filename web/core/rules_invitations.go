package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

// The rules of invitations, which the members page, the API and (through
// AcceptInvitation) any way of signing in share: who may be invited, what an
// invitation link says in each state, and who may accept it.

// InvitationRequest is an invitation as an admin asks for it.
type InvitationRequest struct {
	Email string
	Role  string
}

// Check says what is wrong with the request, a message per field.
func (r InvitationRequest) Check() fault.Fields {
	errs := fault.Fields{}
	if msg := auth.ValidateEmail(r.Email); msg != "" {
		errs["email"] = msg
	}
	if _, err := auth.ParseRole(r.Role); err != nil {
		errs["role"] = "Choose Admin, Member or Auditor."
	}
	return errs
}

// Invited is an invitation just made or resent, with its link's code: the
// one time the code is known, since only its hash is stored.
type Invited struct {
	Invitation store.Invitation
	Code       string
}

// Path is the invitation link's path; the public URL goes before it.
func (i Invited) Path() string { return InvitationPath(i.Code) }

// InvitationPath is the path of the link with this code.
func InvitationPath(code string) string { return "/invite/" + code }

// Invite invites r.Email to org with r.Role, on behalf of invitedBy (who is
// shown to the invitee and hears when it is accepted). Bad values are
// fault.InvalidFields; an address that is a member's or already invited, and
// the org's 101st pending invitation, are conflicts on "email".
func (c *Core) Invite(ctx context.Context, orgID int64, r InvitationRequest, invitedBy int64, actor store.Actor) (Invited, error) {
	r.Email = strings.TrimSpace(r.Email)
	if errs := r.Check(); errs.Any() {
		return Invited{}, fault.InvalidFields(errs)
	}
	code, hash := auth.NewInviteCode()
	inv, err := c.DB.CreateInvitation(ctx, store.NewInvitation{OrgID: orgID, Email: r.Email, Role: r.Role, LinkHash: hash,
		InvitedBy: invitedBy, TTL: auth.InvitationTTL}, actor)
	if err != nil {
		return Invited{}, err
	}
	return Invited{Invitation: inv, Code: code}, nil
}

// ResendInvitation gives an open invitation a new link valid for another
// 7 days; the link sent before stops working.
func (c *Core) ResendInvitation(ctx context.Context, orgID, id int64, actor store.Actor) (Invited, error) {
	code, hash := auth.NewInviteCode()
	inv, err := c.DB.ResendInvitation(ctx, orgID, id, hash, auth.InvitationTTL, actor)
	if err != nil {
		return Invited{}, err
	}
	return Invited{Invitation: inv, Code: code}, nil
}

// errUnknownInvitation answers a link code that names no invitation.
var errUnknownInvitation = &fault.Error{Code: fault.NotFound, Title: "Invitation not found",
	Message: "This invitation link is not valid. It may be mistyped, or replaced by a newer invitation email: " +
		"use the newest one, or ask the person who invited you to send it again."}

// InvitationByCode finds the invitation of a link code, in any state; a
// malformed or unknown code is fault.NotFound.
func (c *Core) InvitationByCode(ctx context.Context, code string) (store.Invitation, error) {
	if !auth.WellFormedInviteCode(code) {
		return store.Invitation{}, errUnknownInvitation
	}
	inv, err := c.DB.InvitationByLink(ctx, auth.HashInviteCode(code))
	if store.IsNotFound(err) {
		return store.Invitation{}, errUnknownInvitation
	}
	return inv, err
}

// ClosedInvitation is what a link says when its invitation is no longer
// pending ("" while it is): expired, used or revoked, and what to do.
func ClosedInvitation(inv store.Invitation, status string) string {
	who := inv.InviterDescr
	if who == "" {
		who = "an admin of " + inv.OrgName
	}
	switch status {
	case store.InvitationExpired:
		return fmt.Sprintf("This invitation to %s expired on %s. Ask %s to send you a new one.",
			inv.OrgName, inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), who)
	case store.InvitationAccepted:
		return fmt.Sprintf("This invitation to %s was already used. If it was you, sign in to reach the organization.", inv.OrgName)
	case store.InvitationRevoked:
		return fmt.Sprintf("This invitation to %s was revoked. Ask %s if you should still join.", inv.OrgName, who)
	}
	return ""
}

// pendingInvitation finds the invitation of code and refuses it, with what
// its link says, unless it is pending.
func (c *Core) pendingInvitation(ctx context.Context, code string) (store.Invitation, error) {
	inv, err := c.InvitationByCode(ctx, code)
	if err != nil {
		return store.Invitation{}, err
	}
	if msg := ClosedInvitation(inv, inv.Status(c.DB.Now())); msg != "" {
		return store.Invitation{}, &fault.Error{Code: fault.Conflict, Title: "Invitation closed", Message: msg}
	}
	return inv, nil
}

// AcceptInvitation makes the user a member of the org of the invitation
// whose link code is code, with its role, and uses the invitation up. It is
// the one acceptance step, whatever way the person signed in (password
// today; an identity provider calls it the same way). When accounts with
// the invited address exist, only one of them may accept: the invitee signs
// in to that account rather than joining with another. Refusals are
// fault.Error with a message for the person; nothing is written.
func (c *Core) AcceptInvitation(ctx context.Context, code string, userID int64, ip string) (store.Acceptance, error) {
	inv, err := c.pendingInvitation(ctx, code)
	if err != nil {
		return store.Acceptance{}, err
	}
	owners, err := c.DB.UsersWithEmail(ctx, inv.Email)
	if err != nil {
		return store.Acceptance{}, err
	}
	if len(owners) > 0 && !slices.ContainsFunc(owners, func(u store.User) bool { return u.ID == userID }) {
		names := make([]string, len(owners))
		for i, u := range owners {
			names[i] = u.Username
		}
		return store.Acceptance{}, &fault.Error{Code: fault.Conflict, Title: "Another account's invitation",
			Message: fmt.Sprintf("This invitation is for %s, which is the email address of another account (%s). Sign in to that account to accept it.",
				inv.Email, strings.Join(names, ", "))}
	}
	return c.DB.AcceptInvitation(ctx, inv.ID, userID, ip)
}

// NewAccount is the account an invitee makes to accept: the email address
// is the invitation's.
type NewAccount struct {
	Username    string
	DisplayName string
	Password    string
}

// Check says what is wrong with the account, a message per field.
func (a NewAccount) Check() fault.Fields {
	errs := fault.Fields{}
	for field, msg := range map[string]string{"username": auth.ValidateUsername(a.Username),
		"display_name": auth.ValidateDisplayName(a.DisplayName), "password": auth.ValidatePassword(a.Password)} {
		if msg != "" {
			errs[field] = msg
		}
	}
	return errs
}

// JoinWithNewAccount creates an account with the invitation's email
// address and the chosen username and password, and makes it a member, in
// one transaction. An address that already has an account is refused: its
// owner signs in to accept.
func (c *Core) JoinWithNewAccount(ctx context.Context, code string, a NewAccount, ip string) (store.Acceptance, error) {
	if _, err := c.pendingInvitation(ctx, code); err != nil {
		return store.Acceptance{}, err
	}
	a.Username = auth.NormalizeUsername(a.Username)
	if errs := a.Check(); errs.Any() {
		return store.Acceptance{}, fault.InvalidFields(errs)
	}
	hash, err := auth.HashPassword(a.Password)
	if err != nil {
		return store.Acceptance{}, err
	}
	return c.JoinAsNewUser(ctx, code, store.NewUser{Username: a.Username, DisplayName: a.DisplayName, PasswordHash: hash}, ip)
}

// JoinAsNewUser creates the account nu, whose email address is always the
// invitation's, and makes it a member, in one transaction: the new-account
// form goes through it, and a sign-in that makes its account another way
// (an identity provider) can too. nu is not checked here beyond what the
// store enforces (a taken username is a conflict on "username"); an address
// that already has an account is refused.
func (c *Core) JoinAsNewUser(ctx context.Context, code string, nu store.NewUser, ip string) (store.Acceptance, error) {
	inv, err := c.pendingInvitation(ctx, code)
	if err != nil {
		return store.Acceptance{}, err
	}
	nu.Email, nu.SiteAdmin = inv.Email, false
	return c.DB.AcceptInvitationAsNewUser(ctx, inv.ID, nu, ip)
}
