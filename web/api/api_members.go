package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// The members API follows the members page's rules: the store refuses the
// last admin's demotion or removal, core.RemoveMember revokes the member's
// CLI tokens and keeps, revokes or hands over their API tokens, and every
// change is an audit event. auth.Authorize's ManageMembers decides who may.

type apiMember struct {
	Username    string    `json:"username"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Since       time.Time `json:"since"`
}

func memberJSON(m store.Member) apiMember {
	return apiMember{Username: m.User.Username, Email: m.User.Email, DisplayName: m.User.DisplayName, Role: m.Role, Since: m.Since}
}

// apiListMembers is GET /api/v1/members.
func (s *Server) apiListMembers(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageMembers, "list members"); err != nil {
		return err
	}
	members, err := s.DB.Members(c.Request().Context(), plumbing.Bearer(c).Org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Members []apiMember `json:"members"`
	}{Members: []apiMember{}}
	for _, m := range members {
		out.Members = append(out.Members, memberJSON(m))
	}
	return c.JSON(http.StatusOK, out)
}

// apiRole reads a role field: one of admin, member, auditor.
func apiRole(s string) (auth.Role, error) {
	r, err := auth.ParseRole(strings.TrimSpace(s))
	if err != nil {
		return "", fault.Field(fault.Invalid, "role", "Role is admin, member or auditor.")
	}
	return r, nil
}

// apiUser finds the user a request names, as a field error when there is
// none.
func (s *Server) apiUser(c echo.Context, field, username string) (store.User, error) {
	name := auth.NormalizeUsername(username)
	if name == "" {
		return store.User{}, fault.Field(fault.Invalid, field, "Give a username.")
	}
	u, err := s.DB.UserByUsername(c.Request().Context(), name)
	if store.IsNotFound(err) {
		return store.User{}, fault.Field(fault.Invalid, field, "There is no user named "+name+
			". A site admin can create the account, or an admin can add it on the members page.")
	}
	return u, err
}

// apiAddMember is POST /api/v1/members: add an existing user with a role.
func (s *Server) apiAddMember(c echo.Context) error {
	if err := apiAllowed(c, auth.ManageMembers, "add members"); err != nil {
		return err
	}
	var body struct {
		Username string `json:"username"`
		Role     string `json:"role"`
	}
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	role, err := apiRole(body.Role)
	if err != nil {
		return err
	}
	u, err := s.apiUser(c, "username", body.Username)
	if err != nil {
		return err
	}
	m, err := s.DB.AddMember(c.Request().Context(), plumbing.Bearer(c).Org.ID, u.ID, string(role), plumbing.APIActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, memberJSON(m))
}

// apiMemberFor loads the member the path names (404 when they are not one).
func (s *Server) apiMemberFor(c echo.Context) (store.Member, error) {
	name := auth.NormalizeUsername(c.Param("username"))
	u, err := s.DB.UserByUsername(c.Request().Context(), name)
	if err == nil {
		var m store.Member
		m, err = s.DB.Membership(c.Request().Context(), plumbing.Bearer(c).Org.ID, u.ID)
		if err == nil {
			return m, nil
		}
	}
	if store.IsNotFound(err) {
		return store.Member{}, &fault.Error{Code: fault.NotFound, Title: "No such member",
			Message: "No member of this organization is called " + name + "."}
	}
	return store.Member{}, err
}

// memberHandler serves an API route about one member, whom its guard
// loaded.
type memberHandler func(c echo.Context, m store.Member) error

// member is the handler of an API route about the member in its path:
// auth.Authorize's ManageMembers first (403 naming verb), then the member
// (404 when the path names none), then h.
func (s *Server) member(verb string, h memberHandler) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := apiAllowed(c, auth.ManageMembers, verb); err != nil {
			return err
		}
		m, err := s.apiMemberFor(c)
		if err != nil {
			return err
		}
		return h(c, m)
	}
}

// apiChangeRole is PATCH /api/v1/members/{username}: change the role.
func (s *Server) apiChangeRole(c echo.Context, m store.Member) error {
	var body struct {
		Role string `json:"role"`
	}
	if err := plumbing.DecodeJSON(c, &body); err != nil {
		return err
	}
	role, err := apiRole(body.Role)
	if err != nil {
		return err
	}
	changed, err := s.DB.ChangeRole(c.Request().Context(), plumbing.Bearer(c).Org.ID, m.User.ID, string(role), plumbing.APIActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, memberJSON(changed))
}

// apiRemoveMember is DELETE /api/v1/members/{username}. An optional body
// says what becomes of their API tokens: {"api_tokens": "keep" (the
// default), "revoke" or "transfer", "transfer_to": "<an admin's username>"};
// their CLI tokens are always revoked.
func (s *Server) apiRemoveMember(c echo.Context, m store.Member) error {
	var body struct {
		APITokens  string `json:"api_tokens"`
		TransferTo string `json:"transfer_to"`
	}
	if c.Request().ContentLength != 0 {
		if err := plumbing.DecodeJSON(c, &body); err != nil {
			return err
		}
	}
	r := core.Removal{APITokens: strings.TrimSpace(body.APITokens)}
	if body.TransferTo != "" {
		to, err := s.apiUser(c, "transfer_to", body.TransferTo)
		if err != nil {
			return err
		}
		r.TransferTo = to.ID
	}
	res, err := s.Core.RemoveMember(c.Request().Context(), plumbing.Bearer(c).Org.ID, m.User.ID, r, plumbing.APIActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Username       string `json:"username"`
		CLIRevoked     int    `json:"cli_tokens_revoked"`
		APIRevoked     int    `json:"api_tokens_revoked"`
		APITransferred int    `json:"api_tokens_transferred"`
		APIKept        int    `json:"api_tokens_kept"`
		TransferredTo  string `json:"transferred_to,omitempty"`
	}{res.User.Username, res.CLIRevoked, res.APIRevoked, res.APITransferred, res.APIKept, res.TransferredTo})
}
