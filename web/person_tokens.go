package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
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
	now := s.db.Now()
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
	members, err := s.db.Members(ctx, org.ID)
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
	st := state(c)
	tokens, err := s.db.PersonTokens(ctx, u.ID, st.org.ID)
	if err != nil {
		return err
	}
	if _, err := s.db.Membership(ctx, st.org.ID, u.ID); store.IsNotFound(err) && len(tokens) == 0 {
		return notFound() // never a member here, or gone without a trace: nothing to confirm
	}
	shell, err := s.pageShell(c, "API tokens of "+u.Username, "members")
	if err != nil {
		return err
	}
	back := personTokensPath(st.org.Slug, u.ID)
	v, err := s.personAPITokens(ctx, *st.org, u, tokens, true, st.csrf, back)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.PersonTokensPage(views.PersonTokensProps{Shell: shell, OrgSlug: st.org.Slug, Tokens: v}))
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
	st := state(c)
	back := backTo(c, personTokensPath(st.org.Slug, u.ID))
	to, _ := strconv.ParseInt(c.FormValue("transfer_to"), 10, 64)
	t, err := s.db.HandOverToken(ctx, st.org.ID, c.Param("id"), to, s.actor(c))
	if se := asStoreError(err); se != nil && se.Code == store.EInvalid {
		if ferr := s.flash(c, "error", "Not handed over: "+se.Message+"."); ferr != nil {
			return ferr
		}
		return redirect(c, back)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Handed API token %q to %s. %s may still hold its secret: rotate it so that copy stops working.", t.Name, t.OwnerName, u.Username)
	if err := s.flash(c, "success", msg); err != nil {
		return err
	}
	return redirect(c, back)
}

// pathUser loads the user named by id in the path's :user.
func (s *Server) pathUser(c echo.Context) (store.User, error) {
	id, err := pathID(c, "user")
	if err != nil {
		return store.User{}, err
	}
	return s.db.UserByID(c.Request().Context(), id)
}

// personTokensView is the person's API tokens in the request's org, for
// its admin; back is where a hand-over returns to.
func (s *Server) personTokensView(ctx context.Context, st *requestState, u store.User, back string) (views.PersonTokensView, error) {
	tokens, err := s.db.PersonTokens(ctx, u.ID, st.org.ID)
	if err != nil {
		return views.PersonTokensView{}, err
	}
	return s.personAPITokens(ctx, *st.org, u, tokens, true, st.csrf, back)
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
