package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// stateChange is disable, enable or revoke: a confirm dialog, then the change.
type stateChange struct {
	path    string // the action's last path segment
	title   string // "Disable %s?"
	message string
	button  string
	danger  bool
	done    string // flash, "Disabled %s."
	apply   func(s *Server, c echo.Context, t store.Token) (store.Token, error)
}

// The state changes, each routed with its own action in routes.go.
var (
	disableChange = stateChange{"disable", "Disable %s?", "Requests with this token are refused from now on, until an admin enables it again.",
		"Disable", false, "Disabled %s.", func(s *Server, c echo.Context, t store.Token) (store.Token, error) {
			return s.DB.SetTokenDisabled(c.Request().Context(), t.OrgID, t.ID, true, s.actor(c))
		}}
	enableChange = stateChange{"enable", "Enable %s?", "Requests with this token work again, within its scopes and expiry.",
		"Enable", false, "Enabled %s.", func(s *Server, c echo.Context, t store.Token) (store.Token, error) {
			return s.DB.SetTokenDisabled(c.Request().Context(), t.OrgID, t.ID, false, s.actor(c))
		}}
	endGraceChange = stateChange{"end-grace", "End the grace of %s?", "The secret from before the last rotation stops working now, instead of at the end of its grace. The current secret keeps working.",
		"End grace now", true, "Ended the grace of %s: its old secret no longer works.", func(s *Server, c echo.Context, t store.Token) (store.Token, error) {
			return s.DB.EndGrace(c.Request().Context(), t.OrgID, t.ID, s.actor(c))
		}}
	revokeChange = stateChange{"revoke", "Revoke %s?", "Revoking is final: every request with this token is refused from now on, and it cannot be enabled again.",
		"Revoke", true, "Revoked %s.", func(s *Server, c echo.Context, t store.Token) (store.Token, error) {
			return s.DB.RevokeToken(c.Request().Context(), t.OrgID, t.ID, "", s.actor(c))
		}}
)

// forToken words a revoke of the viewer's own CLI token as signing out
// that device: the same change, in the words of the person whose CLI it is.
func (sc stateChange) forToken(st *plumbing.RequestState, t store.Token) stateChange {
	if sc.path == "revoke" && ownDevice(st, t) {
		sc.title = "Sign out this device (%s)?"
		sc.message = "The command line using this token on that device can no longer make requests: its token is revoked, for good. Run tokenward login there to sign in again."
		sc.button = "Sign out this device"
		sc.done = "Signed out %s: its token is revoked."
	}
	return sc
}

// confirmState is the confirm dialog of a disable, enable or revoke.
func (s *Server) confirmState(sc stateChange) tokenHandler {
	return func(c echo.Context, t store.Token) error {
		org := plumbing.State(c).Org
		sc := sc.forToken(plumbing.State(c), t)
		f := views.ConfirmForm{Title: fmt.Sprintf(sc.title, t.Name), Message: sc.message, Action: tokenPath(org.Slug, t, sc.path),
			Cancel: tabPath(org.Slug, auth.Kind(t.Kind)), CSRF: plumbing.State(c).CSRF, Button: sc.button, Danger: sc.danger, TestID: sc.path + "-dialog"}
		if b := c.QueryParam("back"); b != "" && safeNext(b) == b {
			f.Hidden, f.Cancel = map[string][]string{"back": {b}}, b // opened from the detail page: back to it
		}
		return s.showDialog(c, http.StatusOK, auth.Kind(t.Kind), views.ConfirmDialog(f))
	}
}

// applyState does a confirmed disable, enable or revoke.
func (s *Server) applyState(sc stateChange) tokenHandler {
	return func(c echo.Context, t store.Token) error {
		sc := sc.forToken(plumbing.State(c), t)
		t, err := sc.apply(s, c, t)
		if err != nil {
			return err
		}
		if err := s.Flash(c, "success", fmt.Sprintf(sc.done, t.Name)); err != nil {
			return err
		}
		return plumbing.Redirect(c, backTo(c, tabPath(plumbing.State(c).Org.Slug, auth.Kind(t.Kind))))
	}
}

// backTo is where to go after an action: the posted "back" path when it is
// local (the detail page, say), else def.
func backTo(c echo.Context, def string) string {
	if b := c.FormValue("back"); b != "" && safeNext(b) == b {
		return b
	}
	return def
}
