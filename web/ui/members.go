package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// memberForm is the add-member form as posted.
type memberForm struct {
	Username    string
	Email       string
	DisplayName string
	Password    string
	Role        string
}

func parseMemberForm(c echo.Context) memberForm {
	return memberForm{
		Username:    auth.NormalizeUsername(c.FormValue("username")),
		Email:       plumbing.FormText(c, "email"),
		DisplayName: plumbing.FormText(c, "display_name"),
		Password:    c.FormValue("password"),
		Role:        c.FormValue("role"),
	}
}

// Validate checks the form. newUser says whether the username is unknown,
// in which case email and password are needed to create the account.
func (f memberForm) Validate(newUser bool) views.FieldErrors {
	msgs := map[string]string{"username": auth.ValidateUsername(f.Username)}
	if _, err := auth.ParseRole(f.Role); err != nil {
		msgs["role"] = "Choose Admin, Member or Auditor."
	}
	if newUser {
		msgs["email"] = auth.ValidateEmail(f.Email)
		msgs["display_name"] = auth.ValidateDisplayName(f.DisplayName)
		msgs["password"] = auth.ValidatePassword(f.Password)
	}
	return collectErrors(msgs)
}

func (f memberForm) view(errs views.FieldErrors) views.AddMemberForm {
	return views.AddMemberForm{Username: plumbing.PlainText(f.Username), Email: plumbing.PlainText(f.Email),
		DisplayName: plumbing.PlainText(f.DisplayName), Role: f.Role, Errors: errs}
}

func (s *Server) members(c echo.Context) error {
	return s.renderMembers(c, http.StatusOK, views.AddMemberForm{Role: string(auth.RoleMember)})
}

func (s *Server) renderMembers(c echo.Context, status int, add views.AddMemberForm) error {
	return s.renderMembersPage(c, status, add, views.InviteForm{Role: string(auth.RoleMember)}, nil)
}

// renderMembersPage renders the members page with the add-member form, the
// invite form and, when one was just made and not emailed, its link.
func (s *Server) renderMembersPage(c echo.Context, status int, add views.AddMemberForm, invite views.InviteForm, link *views.InviteLink) error {
	st := plumbing.State(c)
	shell, err := s.PageShell(c, "Members", "members")
	if err != nil {
		return err
	}
	members, err := s.DB.Members(c.Request().Context(), st.Org.ID)
	if err != nil {
		return err
	}
	p := views.MembersProps{Shell: shell, OrgSlug: st.Org.Slug, Add: add}
	for _, r := range auth.Roles {
		p.Roles = append(p.Roles, string(r))
	}
	for _, m := range members {
		p.Members = append(p.Members, views.MemberRow{UserID: m.User.ID, Username: m.User.Username,
			DisplayName: m.User.DisplayName, Email: m.User.Email, Role: m.Role, Since: m.Since.Format("2006-01-02"),
			Disabled: m.User.Disabled(), IsViewer: m.User.ID == st.User.ID})
	}
	if p.Invitations, err = s.invitationsView(c, p.Roles, invite, link); err != nil {
		return err
	}
	return s.Render(c, status, views.MembersPage(p))
}

func (s *Server) actor(c echo.Context) store.Actor {
	u := plumbing.State(c).User
	return store.Actor{UserID: u.ID, Label: u.Username, IP: c.RealIP()}
}

// addMember adds an existing user by username, or creates the user when the
// username is new and the form has what an account needs.
func (s *Server) addMember(c echo.Context) error {
	ctx := c.Request().Context()
	f := parseMemberForm(c)
	existing, err := s.DB.UserByUsername(ctx, f.Username)
	newUser := store.IsNotFound(err)
	if err != nil && !newUser {
		return err
	}
	if f.Username == "" || auth.ValidateUsername(f.Username) != "" {
		newUser = false // report the username first; the other fields may be fine
	}
	errs := f.Validate(newUser)
	if errs.Any() {
		return s.renderMembers(c, http.StatusUnprocessableEntity, f.view(errs))
	}
	org := plumbing.State(c).Org
	var m store.Member
	if newUser {
		hash, herr := auth.HashPassword(f.Password)
		if herr != nil {
			return herr
		}
		m, err = s.DB.CreateMember(ctx, org.ID, store.NewUser{Username: f.Username, Email: f.Email,
			DisplayName: f.DisplayName, PasswordHash: hash}, f.Role, s.actor(c))
	} else {
		m, err = s.DB.AddMember(ctx, org.ID, existing.ID, f.Role, s.actor(c))
	}
	if fields := fault.FieldsOf(err); fields.Any() {
		return s.renderMembers(c, http.StatusConflict, f.view(fields))
	}
	if err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Added "+m.User.Username+" as "+strings.ToLower(auth.Role(m.Role).Label())+"."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/orgs/"+org.Slug+"/settings/members")
}

func (s *Server) changeRole(c echo.Context) error {
	id, err := plumbing.PathID(c, "user")
	if err != nil {
		return err
	}
	role, err := auth.ParseRole(c.FormValue("role"))
	if err != nil {
		return &fault.Error{Code: fault.Invalid, Title: "Unknown role", Message: "Choose Admin, Member or Auditor."}
	}
	org := plumbing.State(c).Org
	ctx := c.Request().Context()
	before, err := s.DB.Membership(ctx, org.ID, id)
	if err != nil {
		return err
	}
	m, err := s.DB.ChangeRole(ctx, org.ID, id, string(role), s.actor(c))
	if err != nil {
		return s.refuseMemberChange(c, err)
	}
	msg := m.User.Username + " is now " + strings.ToLower(role.Label()) + "."
	next := "/orgs/" + org.Slug + "/settings/members"
	if before.Role != string(role) && role != auth.RoleAdmin && id != plumbing.State(c).User.ID {
		// A demoted person's API tokens keep working as the org's: show them,
		// with rotate, hand over and revoke.
		tokens, err := s.DB.PersonTokens(ctx, id, org.ID)
		if err != nil {
			return err
		}
		if n := countKind(tokens, auth.KindAPI); n > 0 {
			msg += fmt.Sprintf(" Their %s keep working as the organization's; %s may still hold the secrets.", countOf(n, "API token"), m.User.Username)
			next = personTokensPath(org.Slug, id)
		}
	}
	if err := s.Flash(c, "success", msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, next)
}

// confirmRemoveMember lists a member's live tokens and asks what becomes of
// their API tokens; their CLI tokens are always revoked.
func (s *Server) confirmRemoveMember(c echo.Context) error {
	return s.renderRemoveMember(c, http.StatusOK, views.RemoveMemberForm{APITokens: store.KeepAPITokens})
}

func (s *Server) renderRemoveMember(c echo.Context, status int, form views.RemoveMemberForm) error {
	ctx := c.Request().Context()
	id, err := plumbing.PathID(c, "user")
	if err != nil {
		return err
	}
	org := plumbing.State(c).Org
	m, err := s.DB.Membership(ctx, org.ID, id)
	if err != nil {
		return err
	}
	live, err := s.DB.LiveTokensOf(ctx, org.ID, id)
	if err != nil {
		return err
	}
	members, err := s.DB.Members(ctx, org.ID)
	if err != nil {
		return err
	}
	shell, err := s.PageShell(c, "Remove "+m.User.Username, "members")
	if err != nil {
		return err
	}
	p := views.RemoveMemberProps{Shell: shell, OrgSlug: org.Slug, UserID: id, Username: m.User.Username,
		CLICount: live.Counts["cli"], APICount: live.Counts["api"], Form: form}
	now := s.Now().UTC()
	for _, t := range live.Tokens {
		p.Tokens = append(p.Tokens, views.MemberToken{Name: t.Name, KindLabel: auth.Kind(t.Kind).Label(),
			Status: store.TokenStatus(t, now, org.Policy.MaxDays), URL: tokenPath(org.Slug, t, "")})
	}
	p.More = live.Counts["api"] + live.Counts["cli"] + live.Counts["service"] - len(live.Tokens)
	for _, o := range members {
		if o.Role == string(auth.RoleAdmin) && o.User.ID != id {
			p.Admins = append(p.Admins, views.AdminChoice{ID: o.User.ID, Username: o.User.Username})
		}
	}
	if p.APITokens, err = s.personTokensView(ctx, plumbing.State(c), m.User, fmt.Sprintf("/orgs/%s/settings/members/%d/remove", org.Slug, id)); err != nil {
		return err
	}
	return s.Render(c, status, views.RemoveMemberPage(p))
}

// parseRemoval reads the confirmation's choice for the member's API tokens;
// no choice keeps them.
func parseRemoval(c echo.Context) core.Removal {
	to, _ := strconv.ParseInt(c.FormValue("transfer_to"), 10, 64)
	return core.Removal{APITokens: c.FormValue("api_tokens"), TransferTo: to}
}

func (s *Server) removeMember(c echo.Context) error {
	id, err := plumbing.PathID(c, "user")
	if err != nil {
		return err
	}
	opt := parseRemoval(c)
	org := plumbing.State(c).Org
	r, err := s.Core.RemoveMember(c.Request().Context(), org.ID, id, opt, s.actor(c))
	if fe := fault.As(err); fe != nil && fe.Code == fault.Invalid && fe.Fields.Any() {
		form := views.RemoveMemberForm{APITokens: opt.APITokens, TransferTo: opt.TransferTo, Errors: fe.Fields}
		if fe.Fields.Has("api_tokens") {
			form.APITokens = "" // no such choice: none is ticked
		}
		return s.renderRemoveMember(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return s.refuseMemberChange(c, err)
	}
	if err := s.Flash(c, "success", removalMessage(r, org.Name)); err != nil {
		return err
	}
	if r.User.ID == plumbing.State(c).User.ID {
		return plumbing.Redirect(c, "/")
	}
	return plumbing.Redirect(c, "/orgs/"+org.Slug+"/settings/members")
}

// removalMessage says what removing a member did to their tokens.
func removalMessage(r store.Removal, org string) string {
	msg := "Removed " + r.User.Username + " from " + views.EndSentence(org)
	if r.CLIRevoked > 0 {
		msg += fmt.Sprintf(" Revoked %s.", countOf(r.CLIRevoked, "CLI token"))
	}
	switch {
	case r.APIRevoked > 0:
		msg += fmt.Sprintf(" Revoked %s.", countOf(r.APIRevoked, "API token"))
	case r.APITransferred > 0:
		msg += fmt.Sprintf(" Handed %s to %s.", countOf(r.APITransferred, "API token"), r.TransferredTo)
	case r.APIKept == 1:
		msg += " Their API token keeps working."
	case r.APIKept > 1:
		msg += fmt.Sprintf(" Their %d API tokens keep working.", r.APIKept)
	}
	if r.APITransferred+r.APIKept > 0 {
		msg += " " + r.User.Username + " may still hold their secrets: rotate them so those copies stop working."
	}
	return msg
}

// countOf writes a count with its noun: "1 CLI token", "2 CLI tokens".
func countOf(n int, noun string) string { return fmt.Sprintf("%d %s%s", n, noun, plumbing.Plural(n)) }

// refuseMemberChange shows a refused change (the last admin, say) as an
// error message on the members page, with the conflict status; other
// errors go to the error handler.
func (s *Server) refuseMemberChange(c echo.Context, err error) error {
	se := fault.As(err)
	if se == nil || se.Code == fault.NotFound {
		return err
	}
	if ferr := s.Flash(c, "error", se.Message); ferr != nil {
		return ferr
	}
	return s.renderMembers(c, http.StatusConflict, views.AddMemberForm{Role: string(auth.RoleMember)})
}
