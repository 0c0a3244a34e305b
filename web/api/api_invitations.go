package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// The invitations API follows the members page: core's rules, the same
// audit events, ManageMembers deciding who may. The answer to a new
// invitation always holds its link (url), so automation can deliver it
// another way; it is never shown again.

type apiInvitation struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Status    string    `json:"status"`
	InvitedBy string    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func invitationJSON(i store.Invitation, now time.Time) apiInvitation {
	return apiInvitation{ID: i.ID, Email: i.Email, Role: i.Role, Status: i.Status(now), InvitedBy: i.InviterName,
		CreatedAt: i.CreatedAt, SentAt: i.SentAt, ExpiresAt: i.ExpiresAt}
}

// apiListInvitations is GET /api/v1/invitations: the open ones (pending or
// expired), newest first.
func (s *Server) apiListInvitations(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageMembers, "list invitations"); err != nil {
		return err
	}
	list, err := s.DB.Invitations(c.Request().Context(), plumbing.Bearer(c).Org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Invitations []apiInvitation `json:"invitations"`
	}{Invitations: []apiInvitation{}}
	now := s.Now()
	for _, i := range list {
		out.Invitations = append(out.Invitations, invitationJSON(i, now))
	}
	return c.JSON(http.StatusOK, out)
}

// apiInvite is POST /api/v1/invitations: {"email": …, "role": …}. The
// invitation names the calling token's owner as who invited.
func (s *Server) apiInvite(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageMembers, "invite members"); err != nil {
		return err
	}
	var body struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	ct := plumbing.Bearer(c)
	by := ct.Token.OwnerUserID
	if by == 0 {
		by = ct.Token.CreatorID
	}
	is, err := s.Core.Invite(c.Request().Context(), ct.Org.ID, core.InvitationRequest{Email: body.Email, Role: strings.TrimSpace(body.Role)},
		by, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	mail, err := s.Mail.SendInvitation(c.Request().Context(), is.Invitation, s.Public+is.Path())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, struct {
		apiInvitation
		URL          string `json:"url"`
		Emailed      bool   `json:"emailed"`
		EmailProblem string `json:"email_problem,omitempty"`
	}{invitationJSON(is.Invitation, s.Now()), s.Public + is.Path(), mail.Sent, mail.Problem})
}

// apiRevokeInvitation is DELETE /api/v1/invitations/{id}.
func (s *Server) apiRevokeInvitation(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageMembers, "revoke invitations"); err != nil {
		return err
	}
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	inv, err := s.DB.RevokeInvitation(c.Request().Context(), plumbing.Bearer(c).Org.ID, id, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, invitationJSON(inv, s.Now()))
}
