package ui

import (
	"fmt"
	"net/http"
	"strings"

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

// forToken names the device in the revoke of a CLI token that `tokenward
// login` made: one word, Revoke, for everyone's, with the device said, and
// the owner told how to sign that device in again.
func (sc stateChange) forToken(st *plumbing.RequestState, t store.Token) stateChange {
	if sc.path != "revoke" || t.Kind != string(auth.KindCLI) || t.DeviceName == "" {
		return sc
	}
	device := strings.ReplaceAll(t.DeviceName, "%", "%%")
	sc.title = "Revoke %s (device " + device + ")?"
	sc.message = "tokenward on " + t.DeviceName + " can no longer make requests: its token is revoked, for good."
	if ownDevice(st, t) {
		sc.message += " Run tokenward login there to sign in again."
	}
	sc.done = "Revoked %s: tokenward on " + device + " is signed out."
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
