package ui

import (
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

// The invitation link's page, /invite/:code, open to anyone holding the
// link: it shows the invitation, and the person joins by signing in (the
// sign-in page's own code path), as the account already signed in, or with
// a new account. Every way ends in core.AcceptInvitation or
// core.JoinWithNewAccount.

// invitePage is GET /invite/:code.
func (s *Server) invitePage(c echo.Context) error {
	return s.renderInvite(c, http.StatusOK, views.InvitePageProps{})
}

// renderInvite renders the invitation of the path's code with p's forms. A
// link no longer pending (expired, used, revoked: 410; unknown: 404) says so
// and offers nothing else.
func (s *Server) renderInvite(c echo.Context, status int, p views.InvitePageProps) error {
	ctx := c.Request().Context()
	p.Shell = s.BaseShell(c, "Invitation")
	inv, err := s.Core.InvitationByCode(ctx, c.Param("code"))
	if fe := fault.As(err); fe != nil && fe.Code == fault.NotFound {
		p.Closed = fe.Message
		return s.Render(c, http.StatusNotFound, views.InvitePage(p))
	}
	if err != nil {
		return err
	}
	if p.Closed = core.ClosedInvitation(inv, inv.Status(s.Now())); p.Closed != "" {
		return s.Render(c, http.StatusGone, views.InvitePage(p))
	}
	p.Code, p.OrgName, p.Role, p.Email = c.Param("code"), inv.OrgName, auth.Role(inv.Role).Label(), inv.Email
	p.Inviter, p.Expires = inv.InviterDescr, inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	if p.Inviter == "" {
		p.Inviter = "An admin"
	}
	if u := plumbing.State(c).User; u != nil {
		p.SignedInAs = u.Username
	}
	owners, err := s.DB.UsersWithEmail(ctx, inv.Email)
	if err != nil {
		return err
	}
	p.HasAccount = len(owners) > 0
	return s.Render(c, status, views.InvitePage(p))
}

// inviteSignIn is POST /invite/:code/sign-in: the password sign-in, then
// the acceptance as that account.
func (s *Server) inviteSignIn(c echo.Context) error {
	// A link that no longer works signs nobody in; its page says why.
	if inv, err := s.Core.InvitationByCode(c.Request().Context(), c.Param("code")); err != nil || inv.Status(s.Now()) != store.InvitationPending {
		return s.renderInvite(c, http.StatusOK, views.InvitePageProps{})
	}
	u, refused, err := s.signInWithPassword(c, c.FormValue("username"), c.FormValue("password"))
	if err != nil {
		return err
	}
	if refused != nil {
		return s.renderInvite(c, refused.Status, views.InvitePageProps{
			SignIn: views.InviteSignIn{Username: refused.Username, Error: refused.Error, Errors: refused.Errors}})
	}
	return s.acceptAs(c, u)
}

// inviteAccept is POST /invite/:code/accept: the signed-in account joins.
func (s *Server) inviteAccept(c echo.Context) error {
	return s.acceptAs(c, *plumbing.State(c).User)
}

// acceptAs accepts the path's invitation as u and goes to the org; a
// refusal (another account's address, already a member, closed
// meanwhile) is shown on the invitation page.
func (s *Server) acceptAs(c echo.Context, u store.User) error {
	a, err := s.Core.AcceptInvitation(c.Request().Context(), c.Param("code"), u.ID, c.RealIP())
	if fe := fault.As(err); fe != nil && fe.Code != fault.Internal {
		return s.renderInvite(c, plumbing.Status(fe.Code), views.InvitePageProps{Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.joined(c, a)
}

// joinFields maps core's field names to the new-account form's.
var joinFields = map[string]string{"username": "new_username", "display_name": "display_name", "password": "new_password"}

// inviteJoin is POST /invite/:code/join: a new account with the
// invitation's address, then the session, as a sign-in starts it.
func (s *Server) inviteJoin(c echo.Context) error {
	na := core.NewAccount{Username: c.FormValue("new_username"), DisplayName: plumbing.FormText(c, "display_name"), Password: c.FormValue("new_password")}
	a, err := s.Core.JoinWithNewAccount(c.Request().Context(), c.Param("code"), na, c.RealIP())
	if fe := fault.As(err); fe != nil && fe.Code != fault.Internal {
		p := views.InvitePageProps{Join: views.InviteJoin{Username: plumbing.PlainText(auth.NormalizeUsername(na.Username)),
			DisplayName: plumbing.PlainText(na.DisplayName), Errors: views.FieldErrors{}}}
		for field, msg := range fe.Fields {
			p.Join.Errors[joinFields[field]] = msg
		}
		if !fe.Fields.Any() {
			p.Error = fe.Message
		}
		return s.renderInvite(c, plumbing.Status(fe.Code), p)
	}
	if err != nil {
		return err
	}
	if err := s.SignIn(c, a.Member.User); err != nil {
		return err
	}
	return s.joined(c, a)
}

// joined welcomes the new member to the org's first section.
func (s *Server) joined(c echo.Context, a store.Acceptance) error {
	inv := a.Invitation
	if err := s.Flash(c, "success", "Welcome to "+inv.OrgName+": you joined as "+strings.ToLower(auth.Role(inv.Role).Label())+"."); err != nil {
		return err
	}
	if nav := plumbing.OrgNav(inv.OrgSlug, inv.Role, ""); len(nav) > 0 {
		return plumbing.Redirect(c, nav[0].Href)
	}
	return plumbing.Redirect(c, "/orgs/"+inv.OrgSlug)
}
