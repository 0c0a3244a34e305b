package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// personTokensPath is the page of a person's API tokens in an org.
func personTokensPath(org string, userID int64) string {
	return fmt.Sprintf("/orgs/%s/settings/members/%d/tokens", org, userID)
}

// personAPITokens is what admins are shown of a person's API tokens in one
// org when that person is demoted, removed or disabled. act says whether
// the viewer may rotate, hand over and revoke them (an admin of the org).
func (s *Server) personAPITokens(ctx context.Context, org store.Org, u store.User, tokens []store.UserToken, act bool, csrf, back string) (views.PersonTokensView, error) {
	v := views.PersonTokensView{Username: u.Username, OrgName: org.Name, CSRF: csrf, Back: back}
	if !act {
		v.Note = "Only an admin of " + org.Name + " can act on it."
	}
	now := s.DB.Now()
	for _, t := range tokens {
		if t.Kind != string(auth.KindAPI) || t.OrgID != org.ID {
			continue
		}
		pt := views.PersonAPIToken{ID: t.ID, Name: t.Name, Owner: t.OwnerName, Status: store.TokenStatus(t.Token, now, org.Policy.MaxDays),
			URL: tokenPath(org.Slug, t.Token, "")}
		if act {
			pt.RotateURL, pt.RevokeURL = tokenPath(org.Slug, t.Token, "rotate"), tokenPath(org.Slug, t.Token, "revoke")
			pt.HandOverURL = personTokensPath(org.Slug, u.ID) + "/" + t.ID + "/handover"
		}
		v.Tokens = append(v.Tokens, pt)
	}
	if !act || len(v.Tokens) == 0 {
		return v, nil
	}
	members, err := s.DB.Members(ctx, org.ID)
	if err != nil {
		return v, err
	}
	for _, m := range members {
		if m.Role == string(auth.RoleAdmin) && m.User.ID != u.ID && !m.User.Disabled() {
			v.Admins = append(v.Admins, views.AdminChoice{ID: m.User.ID, Username: m.User.Username})
		}
	}
	return v, nil
}

// personTokens is GET /orgs/{org}/settings/members/{user}/tokens: the API
// tokens a member (or a former one) made or owns here, with rotate, hand
// over and revoke.
func (s *Server) personTokens(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.pathUser(c)
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	tokens, err := s.DB.PersonTokens(ctx, u.ID, st.Org.ID)
	if err != nil {
		return err
	}
	if _, err := s.DB.Membership(ctx, st.Org.ID, u.ID); store.IsNotFound(err) && len(tokens) == 0 {
		return plumbing.NotFound() // never a member here, or gone without a trace: nothing to confirm
	}
	shell, err := s.PageShell(c, "API tokens of "+u.Username, "members")
	if err != nil {
		return err
	}
	back := personTokensPath(st.Org.Slug, u.ID)
	v, err := s.personAPITokens(ctx, *st.Org, u, tokens, true, st.CSRF, back)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.PersonTokensPage(views.PersonTokensProps{Shell: shell, OrgSlug: st.Org.Slug, Tokens: v}))
}

// handOverToken is POST /orgs/{org}/settings/members/{user}/tokens/{id}/handover:
// one of the person's API tokens goes to another admin. The flash says
// that the person may still hold the secret until the token is rotated.
func (s *Server) handOverToken(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.pathUser(c)
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	back := backTo(c, personTokensPath(st.Org.Slug, u.ID))
	to, _ := strconv.ParseInt(c.FormValue("transfer_to"), 10, 64)
	t, err := s.DB.HandOverToken(ctx, st.Org.ID, c.Param("id"), to, s.actor(c))
	if fe := fault.As(err); fe != nil && fe.Code == fault.Invalid {
		if ferr := s.Flash(c, "error", "Not handed over: "+fe.Message+"."); ferr != nil {
			return ferr
		}
		return plumbing.Redirect(c, back)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Handed API token %q to %s. %s may still hold its secret: rotate it so that copy stops working.", t.Name, t.OwnerName, u.Username)
	if err := s.Flash(c, "success", msg); err != nil {
		return err
	}
	return plumbing.Redirect(c, back)
}

// pathUser loads the user named by id in the path's :user.
func (s *Server) pathUser(c echo.Context) (store.User, error) {
	id, err := plumbing.PathID(c, "user")
	if err != nil {
		return store.User{}, err
	}
	return s.DB.UserByID(c.Request().Context(), id)
}

// personTokensView is the person's API tokens in the request's org, for
// its admin; back is where a hand-over returns to.
func (s *Server) personTokensView(ctx context.Context, st *plumbing.RequestState, u store.User, back string) (views.PersonTokensView, error) {
	tokens, err := s.DB.PersonTokens(ctx, u.ID, st.Org.ID)
	if err != nil {
		return views.PersonTokensView{}, err
	}
	return s.personAPITokens(ctx, *st.Org, u, tokens, true, st.CSRF, back)
}

// countKind counts the tokens of a kind.
func countKind(tokens []store.UserToken, k auth.Kind) int {
	n := 0
	for _, t := range tokens {
		if t.Kind == string(k) {
			n++
		}
	}
	return n
}
