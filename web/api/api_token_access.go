package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// apiRemoveTokenOrg is DELETE /api/v1/orgs/{org}/tokens/{id}/access:
// "Remove organization from token" for a personal token granted to the
// request's org. The token lives on for its other orgs; its owner is
// notified. A token that does not reach this org is 404.
func (s *Server) apiRemoveTokenOrg(c echo.Context) error {
	ctx, org := c.Request().Context(), plumbing.Bearer(c).Org
	t, err := s.DB.GrantedToken(ctx, org.ID, c.Param("id"))
	if err != nil {
		return err
	}
	if me := plumbing.APIPrincipal(c); !auth.Authorize(me, auth.RemoveTokenOrg, core.TokenFacts(t)) {
		return apiForbidden(me, "remove the organization from "+t.OwnerName+"'s personal token")
	}
	if _, err := s.DB.RemoveTokenOrg(ctx, org.ID, t.ID, store.GrantRemovedByAdmin, plumbing.APIActor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
