package ui

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// removeOrgPath is where an org's admin removes the org from a personal token.
func removeOrgPath(org, id string) string {
	return "/orgs/" + url.PathEscape(org) + "/settings/tokens/personal/" + url.PathEscape(id) + "/remove-org"
}

// grantedToken loads the personal token in the path that the org's grant
// stands on (404 otherwise).
func (s *Server) grantedToken(c echo.Context) (store.Token, error) {
	return s.DB.GrantedToken(c.Request().Context(), plumbing.State(c).Org.ID, c.Param("id"))
}

// personalDetail is the page of a personal token the org's grant stands
// on, as the org sees it: its admins may remove the org from it there.
func (s *Server) personalDetail(c echo.Context) error {
	t, err := s.grantedToken(c)
	if err != nil {
		return err
	}
	if !auth.Authorize(plumbing.Principal(plumbing.State(c)), auth.ViewToken, core.TokenFacts(t)) {
		return plumbing.NotFound()
	}
	return s.tokenDetail(c, t)
}

// tabOf is the tab a kind's tokens are listed on: personal tokens granted
// to an org are on its API tab.
func tabOf(k auth.Kind) auth.Kind {
	if k == auth.KindPersonal {
		return auth.KindAPI
	}
	return k
}

// confirmRemoveOrg is the confirm of "Remove organization from token",
// naming the owner.
func (s *Server) confirmRemoveOrg(c echo.Context) error {
	t, err := s.grantedToken(c)
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	return s.showDialog(c, http.StatusOK, auth.KindAPI, views.ConfirmDialog(views.ConfirmForm{
		Title: fmt.Sprintf("Remove %s from %s's token %s?", st.Org.Name, t.OwnerName, t.Name),
		Message: fmt.Sprintf("Requests with %s's personal token %q for %s are refused from the next one. The token is not deleted: "+
			"it keeps working for its other organizations, and %s is notified and may add %s again while a member.",
			t.OwnerName, t.Name, st.Org.Name, t.OwnerName, st.Org.Name),
		Action: removeOrgPath(st.Org.Slug, t.ID), Cancel: tabPath(st.Org.Slug, auth.KindAPI), CSRF: st.CSRF,
		Button: "Remove organization from token", Danger: true, TestID: "remove-org-dialog"}))
}

// removeOrg does a confirmed "Remove organization from token".
func (s *Server) removeOrg(c echo.Context) error {
	t, err := s.grantedToken(c)
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	if _, err := s.DB.RemoveTokenOrg(c.Request().Context(), st.Org.ID, t.ID, store.GrantRemovedByAdmin, s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", fmt.Sprintf("Removed %s from %s's token %s. %s is notified.", st.Org.Name, t.OwnerName, t.Name, t.OwnerName)); err != nil {
		return err
	}
	return plumbing.Redirect(c, tabPath(st.Org.Slug, auth.KindAPI))
}
