package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// bulkTokens revokes or disables the selected rows of a tab. The first post
// shows a confirmation naming the tokens and their count; the confirmed
// post does it.
func (s *Server) bulkTokens(c echo.Context) error {
	kind, err := tokenKind(c)
	if err != nil {
		return err
	}
	st := plumbing.State(c)
	form, _ := c.FormParams()
	action := c.FormValue("action")
	if action != "revoke" && action != "disable" {
		return &fault.Error{Code: fault.Invalid, Title: "Choose an action", Message: "Choose Revoke or Disable for the selected tokens."}
	}
	tokens, ok, err := s.Core.BulkTargets(c.Request().Context(), *st.Org, kind, form["ids"])
	if err != nil {
		return err
	}
	if !ok {
		if err := s.Flash(c, "error", fmt.Sprintf("Select between 1 and %d tokens first, with the boxes at the start of each row.", core.MaxBulk)); err != nil {
			return err
		}
		q, _ := core.ParseTokenQuery(c.QueryParams(), kind)
		p, err := s.tokensProps(c, kind, q, "")
		if err != nil {
			return err
		}
		return s.Render(c, http.StatusUnprocessableEntity, views.TokensPage(p))
	}
	return s.confirmTokens(c, kind, tokens, action, "", tabPath(st.Org.Slug, kind)+"/bulk",
		map[string][]string{"ids": tokenIDs(tokens), "action": {action}})
}

// revokeAll revokes every live token of one user or one service, after a
// confirmation that states the count. Live is neither revoked nor expired;
// the confirmed post revokes only the tokens the confirmation counted.
func (s *Server) revokeAll(c echo.Context) error {
	st := plumbing.State(c)
	userID, serviceID, whose, err := s.revokeAllTarget(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	var counted map[string]bool // nil: count them now, for the confirmation
	if c.FormValue("confirm") == "yes" && form.Has("ids") {
		counted = map[string]bool{}
		for _, id := range form["ids"] {
			counted[id] = true
		}
	}
	tokens, err := s.Core.RevokeAllTargets(c.Request().Context(), *st.Org, userID, serviceID, counted)
	if err != nil {
		return err
	}
	hidden := map[string][]string{"user": {c.FormValue("user")}, "ids": tokenIDs(tokens)}
	kind := auth.KindAPI
	if serviceID != 0 {
		hidden = map[string][]string{"service": {c.FormValue("service")}, "ids": tokenIDs(tokens)}
		kind = auth.KindService
	}
	return s.confirmTokens(c, kind, tokens, "revoke", whose, "/orgs/"+st.Org.Slug+"/settings/tokens/revoke-all", hidden)
}

// revokeAllTarget reads whose tokens "revoke all" is about: a service of
// the org (the service field) or a member (the user field).
func (s *Server) revokeAllTarget(c echo.Context) (userID, serviceID int64, whose string, err error) {
	ctx, org := c.Request().Context(), plumbing.State(c).Org
	if v := c.FormValue("service"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, "", plumbing.NotFound()
		}
		sv, err := s.DB.ServiceByID(ctx, org.ID, id)
		return 0, sv.ID, sv.Name, err
	}
	id, err := strconv.ParseInt(c.FormValue("user"), 10, 64)
	if err != nil {
		return 0, 0, "", plumbing.NotFound()
	}
	m, err := s.DB.Membership(ctx, org.ID, id)
	return m.User.ID, 0, m.User.Username, err
}

// confirmTokens asks before revoking or disabling tokens (all of whose, when
// set), then does it once confirmed.
func (s *Server) confirmTokens(c echo.Context, kind auth.Kind, tokens []store.Token, verb, whose, post string, hidden map[string][]string) error {
	st := plumbing.State(c)
	back := tabPath(st.Org.Slug, kind)
	if len(tokens) == 0 {
		msg := "None of the chosen tokens can be changed: they are revoked already or no longer exist."
		if whose != "" {
			msg = whose + " has no live tokens to revoke: they are revoked or expired already."
		}
		if err := s.Flash(c, "info", msg); err != nil {
			return err
		}
		return plumbing.Redirect(c, back)
	}
	if c.FormValue("confirm") != "yes" {
		hidden["confirm"] = []string{"yes"}
		title := fmt.Sprintf("%s %d token%s?", plumbing.Capitalize(verb), len(tokens), plumbing.Plural(len(tokens)))
		msg := "Requests with these tokens are refused from now on, until an admin enables them."
		if verb == "revoke" {
			msg = "Revoking is final: requests with these tokens are refused from now on."
		}
		if whose != "" {
			title = fmt.Sprintf("Revoke all %d live token%s of %s?", len(tokens), plumbing.Plural(len(tokens)), whose)
		}
		var items []string
		for _, t := range tokens {
			items = append(items, fmt.Sprintf("%s (%s, %s)", t.Name, t.Kind, t.Hint))
		}
		return s.showDialog(c, http.StatusOK, kind, views.ConfirmDialog(views.ConfirmForm{Title: title, Message: msg, Items: items,
			Action: post, Cancel: back, CSRF: st.CSRF, Button: fmt.Sprintf("%s %d token%s", plumbing.Capitalize(verb), len(tokens), plumbing.Plural(len(tokens))),
			Danger: verb == "revoke", Hidden: hidden, TestID: "bulk-dialog"}))
	}
	var res store.BulkResult
	var err error
	if verb == "revoke" {
		res, err = s.DB.RevokeTokens(c.Request().Context(), st.Org.ID, tokenIDs(tokens), "", s.actor(c))
	} else {
		res, err = s.DB.DisableTokens(c.Request().Context(), st.Org.ID, tokenIDs(tokens), s.actor(c))
	}
	if err != nil {
		return err
	}
	done := map[string]string{"revoke": "Revoked", "disable": "Disabled"}[verb]
	if err := s.Flash(c, "success", fmt.Sprintf("%s %d token%s.", done, res.Changed, plumbing.Plural(res.Changed))); err != nil {
		return err
	}
	return plumbing.Redirect(c, back)
}

func tokenIDs(ts []store.Token) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}
