package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/wneessen/go-mail"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
)

// InvitationMail is what became of an invitation's email.
type InvitationMail struct {
	Sent bool
	// Problem says why it was not sent when SMTP is set up but sending
	// failed ("" when it was sent or when no SMTP is set up).
	Problem string
}

// SendInvitation emails an invitation's link to the invitee at once. The
// link's code is not stored (only its hash), so it cannot wait in the
// notification queue: it goes now or not at all, and when it does not go
// the caller shows the link to pass on. Without SMTP set up nothing is
// tried. The wait is bounded by SMTPTimeout.
func (m *Mailer) SendInvitation(ctx context.Context, inv store.Invitation, link string) (InvitationMail, error) {
	set, err := m.db.SMTPSettings(ctx)
	if err != nil || !set.Configured() {
		return InvitationMail{}, err
	}
	e, err := m.invitationEmail(ctx, inv, link)
	if err != nil {
		return InvitationMail{}, err
	}
	msg, err := m.message(set, e)
	if err != nil {
		return InvitationMail{Problem: "The invitation email could not be written: " + cleanError(err)}, nil
	}
	ok, err := m.send(ctx, set, []*mail.Msg{msg})
	if err == nil && ok[0] {
		return InvitationMail{Sent: true}, nil
	}
	if err == nil {
		err = msg.SendError()
	}
	m.log.Warn("emailing an invitation failed; the admin is shown the link", "invitation", inv.ID, "host", set.Host, "error", err)
	return InvitationMail{Problem: m.describeFailure(set, err, "the invitation email")}, nil
}

// invitationEmail words an invitation: who invites, to which org, with
// which role, the link and until when it works.
func (m *Mailer) invitationEmail(ctx context.Context, inv store.Invitation, link string) (email, error) {
	inviter := inv.InviterDescr
	if inviter == "" {
		inviter = "An admin"
	}
	role := auth.Role(inv.Role).Label()
	expires := inv.ExpiresAt.UTC().Format("Mon 2 Jan 2006 15:04 UTC")
	subject := subjectText(fmt.Sprintf("Tokenward: %s invited you to join %s", inviter, inv.OrgName))
	var text strings.Builder
	fmt.Fprintf(&text, "Hello,\n\n%s invited you to join the organization %s on Tokenward, with the role %s.\n\n"+
		"Accept the invitation: %s\n\nOn that page you sign in, or create an account for %s. The link works once, until %s.\n"+
		"If you did not expect this invitation, ignore this email.\n\n-- \nTokenward at %s. You get this email because %s invited %s.\n",
		inviter, inv.OrgName, role, link, inv.Email, expires, m.public, inviter, inv.Email)
	var body bytes.Buffer
	err := views.InvitationEmail(views.InvitationEmailProps{Subject: subject, Inviter: inviter, OrgName: inv.OrgName, Role: role,
		Email: inv.Email, Link: link, Expires: expires, SiteURL: m.public}).Render(ctx, &body)
	return email{to: inv.Email, subject: subject, text: text.String(), html: body.String()}, err
}
