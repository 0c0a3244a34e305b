package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// The members page's invitations: invite, resend, revoke. The rules are
// core's; the link's code is known only here, once, to email or show it.

// inviteFields maps core's field names to the invite form's.
var inviteFields = map[string]string{"email": "invite_email", "role": "invite_role"}

func parseInviteForm(c echo.Context) core.InvitationRequest {
	return core.InvitationRequest{Email: plumbing.FormText(c, "invite_email"), Role: c.FormValue("invite_role")}
}

// invitationsView is the members page's invitations section.
func (s *Server) invitationsView(c echo.Context, roles []string, form views.InviteForm, link *views.InviteLink) (views.InvitationsView, error) {
	st := plumbing.State(c)
	list, err := s.DB.Invitations(c.Request().Context(), st.Org.ID)
	if err != nil {
		return views.InvitationsView{}, err
	}
	v := views.InvitationsView{OrgSlug: st.Org.Slug, CSRF: st.CSRF, Roles: roles, Form: form, Link: link}
	now := s.Now()
	for _, i := range list {
		v.Rows = append(v.Rows, views.InvitationRow{ID: i.ID, Email: i.Email, Role: i.Role, Inviter: i.InviterName,
			Sent: moment(i.SentAt, now, ""), Expires: moment(i.ExpiresAt, now, ""), Expired: i.Status(now) == store.InvitationExpired})
	}
	return v, nil
}

// invite is POST /orgs/:org/settings/members/invitations.
func (s *Server) invite(c echo.Context) error {
	r := parseInviteForm(c)
	st := plumbing.State(c)
	is, err := s.Core.Invite(c.Request().Context(), st.Org.ID, r, st.User.ID, s.actor(c))
	if fe := fault.As(err); fe != nil && fe.Fields.Any() {
		form := views.InviteForm{Email: plumbing.PlainText(r.Email), Role: r.Role, Errors: views.FieldErrors{}}
		for field, msg := range fe.Fields {
			form.Errors[inviteFields[field]] = msg
		}
		return s.renderMembersPage(c, plumbing.Status(fe.Code), views.AddMemberForm{Role: string(auth.RoleMember)}, form, nil)
	}
	if err != nil {
		return err
	}
	return s.deliverInvitation(c, is, "Invited")
}

// deliverInvitation emails the invitation's link and says so; when it
// could not be emailed (no SMTP, or the mail server refused), the members
// page shows the link to pass on, this once.
func (s *Server) deliverInvitation(c echo.Context, is core.Invited, done string) error {
	inv := is.Invitation
	ctx := c.Request().Context()
	mail, err := s.Mail.SendInvitation(ctx, inv, s.Public+is.Path())
	if err != nil {
		return err
	}
	note, err := s.accountNote(ctx, inv.Email)
	if err != nil {
		return err
	}
	if !mail.Sent {
		link := &views.InviteLink{Email: inv.Email, URL: s.Public + is.Path(), Problem: mail.Problem, Note: note}
		return s.renderMembersPage(c, http.StatusOK, views.AddMemberForm{Role: string(auth.RoleMember)},
			views.InviteForm{Role: string(auth.RoleMember)}, link)
	}
	msg := done + " " + inv.Email + " as " + strings.ToLower(auth.Role(inv.Role).Label()) + ": the email is sent, and its link works for 7 days."
	if note != "" {
		msg += " " + note
	}
	if err := s.Flash(c, "success", msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/orgs/"+plumbing.State(c).Org.Slug+"/settings/members")
}

// accountNote tells the admin when the invited address already has an
// account: its owner signs in to it to accept ("" otherwise).
func (s *Server) accountNote(ctx context.Context, email string) (string, error) {
	owners, err := s.DB.UsersWithEmail(ctx, email)
	if err != nil || len(owners) == 0 {
		return "", err
	}
	names := make([]string, len(owners))
	for i, u := range owners {
		names[i] = u.Username
	}
	return email + " already has an account (" + strings.Join(names, ", ") + "): they sign in to it to accept.", nil
}

// resendInvitation is POST …/invitations/:id/resend: a new link, 7 more
// days; the old link stops working.
func (s *Server) resendInvitation(c echo.Context) error {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	is, err := s.Core.ResendInvitation(c.Request().Context(), plumbing.State(c).Org.ID, id, s.actor(c))
	if err != nil {
		return s.refuseInvitationChange(c, err)
	}
	return s.deliverInvitation(c, is, "Invited again")
}

// revokeInvitation is POST …/invitations/:id/revoke.
func (s *Server) revokeInvitation(c echo.Context) error {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	inv, err := s.DB.RevokeInvitation(c.Request().Context(), plumbing.State(c).Org.ID, id, s.actor(c))
	if err != nil {
		return s.refuseInvitationChange(c, err)
	}
	if err := s.Flash(c, "success", "Revoked the invitation of "+inv.Email+": its link no longer works."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/orgs/"+plumbing.State(c).Org.Slug+"/settings/members")
}

// refuseInvitationChange shows a refused resend or revoke (the invitation
// was accepted or revoked meanwhile) on the members page, with the
// conflict status; a missing one stays a 404.
func (s *Server) refuseInvitationChange(c echo.Context, err error) error {
	fe := fault.As(err)
	if fe == nil || fe.Code == fault.NotFound {
		return err
	}
	if ferr := s.Flash(c, "error", fe.Message); ferr != nil {
		return ferr
	}
	return s.renderMembers(c, plumbing.Status(fe.Code), views.AddMemberForm{Role: string(auth.RoleMember)})
}
