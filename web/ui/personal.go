package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// Paths of a person's personal tokens on /me/tokens.
const myPersonalPath = "/me/tokens/personal"

func personalPath(id, action string) string {
	return myPersonalPath + "/" + url.PathEscape(id) + "/" + action
}

// personalSection builds /me/tokens' personal-token part for the signed-in
// user: their tokens, the orgs each reaches, and the create form f.
func (s *Server) personalSection(c echo.Context, f views.PersonalForm) (views.PersonalSection, error) {
	ctx, st := c.Request().Context(), plumbing.State(c)
	tokens, err := s.DB.PersonalTokens(ctx, st.User.ID)
	if err != nil {
		return views.PersonalSection{}, err
	}
	orgs, err := s.DB.UserOrgs(ctx, st.User.ID)
	if err != nil {
		return views.PersonalSection{}, err
	}
	member := map[string]string{}
	for _, o := range orgs {
		member[o.Org.Slug] = o.Org.Name
	}
	now := s.DB.Now()
	p := views.PersonalSection{CSRF: st.CSRF, Form: f}
	for _, t := range tokens {
		row := views.PersonalRow{ID: t.ID, Name: t.Name, Hint: t.Hint, Scopes: strings.Join(t.Scopes, " "),
			Expires: moment(t.ExpiresAt, now, "No expiry"), Status: store.TokenStatus(t.Token, now, 0),
			AddAction: personalPath(t.ID, "orgs"), RevokeAction: personalPath(t.ID, "revoke"),
			EditAction: personalPath(t.ID, "edit"), RotateAction: personalPath(t.ID, "rotate"), ScopeChecks: personalScopes(t.Scopes)}
		reached := map[string]bool{}
		for _, g := range t.Grants {
			reached[g.OrgSlug] = true
			pg := views.PersonalGrant{Slug: g.OrgSlug, Name: g.OrgName, Live: g.Live()}
			_, stillMember := member[g.OrgSlug]
			switch {
			case g.Live():
				pg.Action = personalPath(t.ID, "orgs/"+url.PathEscape(g.OrgSlug)+"/remove")
			case stillMember:
				pg.Note, pg.Action = grantNote(g), personalPath(t.ID, "orgs")
			default:
				pg.Note = grantNote(g) + " You are no longer a member."
			}
			row.Grants = append(row.Grants, pg)
		}
		for _, o := range orgs {
			if !reached[o.Org.Slug] {
				row.AddOrgs = append(row.AddOrgs, views.Option{Value: o.Org.Slug, Label: o.Org.Name})
			}
		}
		p.Rows = append(p.Rows, row)
	}
	if p.Form.Action == "" {
		p.Form = views.PersonalForm{Expiry: "30"}
	}
	p.Form.Action, p.Form.Presets = myPersonalPath, auth.ExpiryPresets
	checked := map[string]bool{}
	for _, o := range p.Form.Orgs {
		checked[o.Value] = o.Checked
	}
	p.Form.Orgs = nil
	for _, o := range orgs {
		p.Form.Orgs = append(p.Form.Orgs, views.Check{Value: o.Org.Slug, Label: o.Org.Name, Checked: checked[o.Org.Slug]})
	}
	if p.Form.Scopes == nil {
		p.Form.Scopes = personalScopes(core.DefaultScopeNames(auth.KindPersonal))
	}
	return p, nil
}

// grantNote says when an org stopped reaching a token.
func grantNote(g store.Grant) string {
	return fmt.Sprintf("Since %s: %s.", g.RemovedAt.UTC().Format("2006-01-02"), g.RemovedReason)
}

// personalScopes are the scope checkboxes of the create form.
func personalScopes(chosen []string) []views.Check {
	on := map[string]bool{}
	for _, s := range chosen {
		on[s] = true
	}
	var out []views.Check
	for _, info := range auth.ScopesFor(auth.KindPersonal) {
		out = append(out, views.Check{Value: string(info.Name), Label: info.Description, Checked: on[string(info.Name)]})
	}
	return out
}

// createPersonal is POST /me/tokens/personal: a personal token of the
// signed-in user for the orgs they picked, among their own. The secret is
// shown once; a bad form comes back with its values and messages.
func (s *Server) createPersonal(c echo.Context) error {
	ctx, st := c.Request().Context(), plumbing.State(c)
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f := views.PersonalForm{Action: myPersonalPath, Name: form.Get("name"), Expiry: form.Get("expiry"), Scopes: personalScopes(form["scopes"])}
	orgs, err := s.DB.UserOrgs(ctx, st.User.ID)
	if err != nil {
		return err
	}
	r := core.TokenRequest{Kind: auth.KindPersonal, Name: f.Name, Scopes: form["scopes"], Expiry: f.Expiry,
		CreatorID: st.User.ID, OwnerUserID: st.User.ID}
	errs := fault.Fields{}
	for _, slug := range form["orgs"] {
		f.Orgs = append(f.Orgs, views.Check{Value: slug, Checked: true})
		found := false
		for _, o := range orgs {
			if o.Org.Slug == slug {
				r.Orgs, found = append(r.Orgs, o.Org), true
			}
		}
		if !found {
			errs["orgs"] = fmt.Sprintf("You are not a member of %q: a personal token may reach only your organizations.", slug)
		}
	}
	if len(r.Orgs) > 0 {
		r.Org = r.Orgs[0]
	}
	var issued core.Issued
	if len(errs) == 0 {
		if issued, errs, err = core.IssueToken(ctx, s.DB, s.Sealer, r, s.actor(c)); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		f.Errors = errs
		return s.renderMyTokens(c, http.StatusUnprocessableEntity, f, "", "")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.renderMyTokens(c, http.StatusCreated, views.PersonalForm{}, issued.Secret, issued.Token.Name)
}

// addPersonalOrg is POST /me/tokens/personal/{id}/orgs: the owner lets the
// token reach one of their orgs, anew or again.
func (s *Server) addPersonalOrg(c echo.Context) error {
	ctx, st := c.Request().Context(), plumbing.State(c)
	org, err := s.DB.OrgBySlug(ctx, c.FormValue("org"))
	if store.IsNotFound(err) {
		return &fault.Error{Code: fault.Invalid, Title: "Unknown organization", Message: "Choose one of your organizations to add."}
	}
	if err != nil {
		return err
	}
	t, err := s.DB.AddTokenOrg(ctx, st.User.ID, c.Param("id"), org.ID, s.actor(c))
	if err != nil {
		return err
	}
	if err := s.Flash(c, "success", fmt.Sprintf("%s reaches %s again.", t.Name, org.Name)); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/me/tokens")
}

// removePersonalOrg is POST /me/tokens/personal/{id}/orgs/{org}/remove:
// the owner stops their token reaching one org.
func (s *Server) removePersonalOrg(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.ownPersonal(c)
	if err != nil {
		return err
	}
	org, err := s.DB.OrgBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if _, err := s.DB.RemoveTokenOrg(ctx, org.ID, t.ID, store.GrantRemovedByOwner, s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", fmt.Sprintf("%s no longer reaches %s.", t.Name, org.Name)); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/me/tokens")
}

// revokePersonal is POST /me/tokens/personal/{id}/revoke.
func (s *Server) revokePersonal(c echo.Context) error {
	t, err := s.ownPersonal(c)
	if err != nil {
		return err
	}
	if _, err := s.DB.RevokeToken(c.Request().Context(), t.OrgID, t.ID, "", s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Revoked "+t.Name+"."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/me/tokens")
}

// ownPersonal loads the personal token in the path if it is the signed-in
// user's (404 otherwise).
func (s *Server) ownPersonal(c echo.Context) (store.Token, error) {
	t, err := s.DB.PersonalToken(c.Request().Context(), c.Param("id"))
	if err != nil {
		return store.Token{}, err
	}
	if t.OwnerUserID != plumbing.State(c).User.ID {
		return store.Token{}, plumbing.NotFound()
	}
	return t, nil
}

// editPersonal is POST /me/tokens/personal/{id}/edit: the owner renames the
// token or changes its scopes. A bad value comes back as a message.
func (s *Server) editPersonal(c echo.Context) error {
	t, err := s.ownPersonal(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	name := form.Get("name")
	ch := core.TokenChange{Name: &name, Scopes: form["scopes"]}
	if ch.Scopes == nil {
		ch.Scopes = []string{}
	}
	changed, err := s.Core.EditToken(c.Request().Context(), t, ch, s.actor(c))
	if fe := fault.FieldsOf(err); fe.Any() {
		msgs := make([]string, 0, len(fe))
		for _, field := range []string{"name", "scopes"} {
			if m := fe[field]; m != "" {
				msgs = append(msgs, views.EndSentence(m))
			}
		}
		if ferr := s.Flash(c, "error", "Not saved: "+strings.Join(msgs, " ")); ferr != nil {
			return ferr
		}
		return plumbing.Redirect(c, "/me/tokens")
	}
	if err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Saved "+changed.Token.Name+"."); err != nil {
		return err
	}
	return plumbing.Redirect(c, "/me/tokens")
}

// rotatePersonal is POST /me/tokens/personal/{id}/rotate: a new secret,
// shown once; the old one stops working now.
func (s *Server) rotatePersonal(c echo.Context) error {
	t, err := s.ownPersonal(c)
	if err != nil {
		return err
	}
	changed, err := s.Core.RotateToken(c.Request().Context(), t, core.Rotation{Grace: "now"}, s.actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.renderMyTokens(c, http.StatusOK, views.PersonalForm{}, changed.Secret, changed.Token.Name+" (rotated: the old secret no longer works)")
}
