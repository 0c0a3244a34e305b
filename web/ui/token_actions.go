package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// orgToken loads the token in the path for an action; tokenRoute calls it
// for every token route, so no handler has to. A token the viewer
// may not see, of another org or another kind, is a 404, so ids are never
// confirmed; one they see but may not act on is a 403.
func (s *Server) orgToken(c echo.Context, a auth.Action) (store.Token, error) {
	kind, err := tokenKind(c)
	if err != nil {
		return store.Token{}, err
	}
	st := plumbing.State(c)
	t, err := s.DB.TokenByID(c.Request().Context(), st.Org.ID, c.Param("id"))
	if err != nil {
		return store.Token{}, err
	}
	me, facts := plumbing.Principal(st), core.TokenFacts(t)
	if t.Kind != string(kind) || !auth.Authorize(me, auth.ViewToken, facts) {
		return store.Token{}, plumbing.NotFound()
	}
	if !auth.Authorize(me, a, facts) {
		return store.Token{}, refusal(me, a, facts)
	}
	return t, nil
}

// errNotShared answers a reveal of an admins-only token by someone who could
// reveal it were it shared.
var errNotShared = &fault.Error{Code: fault.Forbidden, Title: "Not shared", Message: "Only tokens shared with the organization can be revealed: " +
	"Tokenward keeps only the hash of an admins-only token, so its secret cannot be shown again. Rotate it to get a new secret, " +
	"or use “Rotate and share” in Edit to share it."}

// refusal says why a viewer who can see a token may not do a to it: for a
// reveal that only its visibility stands in the way of, that it is not
// shared, rather than blaming the role.
func refusal(me auth.Principal, a auth.Action, facts *auth.TokenFacts) error {
	if a == auth.RevealToken {
		shared := *facts
		shared.Visibility = auth.VisibilityOrg
		if auth.Authorize(me, a, &shared) {
			return errNotShared
		}
	}
	return plumbing.Forbidden()
}

// showDialog answers with a dialog: alone for htmx (it lands in the page's
// dialog slot), or over the tab's page for a plain request.
func (s *Server) showDialog(c echo.Context, status int, kind auth.Kind, dialog templ.Component) error {
	if plumbing.IsHTMX(c) {
		return s.Render(c, status, dialog)
	}
	q, _ := core.ParseTokenQuery(c.QueryParams(), kind)
	p, err := s.tokensProps(c, kind, q, "")
	if err != nil {
		return err
	}
	p.Dialog = dialog
	return s.Render(c, status, views.TokensPage(p))
}

// revealSecret shows a secret once, with no-store so no cache keeps it.
func (s *Server) revealSecret(c echo.Context, status int, t store.Token, secret, title string, once bool) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	org := plumbing.State(c).Org
	return s.showDialog(c, status, auth.Kind(t.Kind), views.RevealDialog(views.Reveal{Title: title, TokenID: t.ID,
		Name: t.Name, Secret: secret, Once: once, Shared: t.Visibility == auth.VisibilityOrg, Close: tabPath(org.Slug, auth.Kind(t.Kind)),
		Expires: expiresOn(store.EffectiveExpiry(t, org.Policy.MaxDays))}))
}

// tokenForm builds the create or edit dialog for kind from the posted or
// stored values.
func (s *Server) tokenForm(c echo.Context, kind auth.Kind, scopes []string) views.TokenForm {
	org := plumbing.State(c).Org
	f := views.TokenForm{Kind: string(kind), KindLabel: kind.Label(), CSRF: plumbing.State(c).CSRF,
		Expiry:         expiryField("Expires", *org, kind, s.DB.Now(), strconv.Itoa(org.Policy.DefaultDays), ""),
		ShowVisibility: kind != auth.KindCLI, Visibility: auth.VisibilityAdmins, Cancel: tabPath(org.Slug, kind), Errors: views.FieldErrors{}}
	checked := map[string]bool{}
	for _, sc := range scopes {
		checked[sc] = true
	}
	offered := auth.ScopesFor(kind)
	group := map[auth.Scope]int{} // a parent's index in f.Scopes
	for _, info := range offered {
		sc := views.ScopeChoice{Name: string(info.Name), Description: info.Description, Checked: checked[string(info.Name)]}
		if i, ok := group[info.Parent]; ok && info.Parent != "" {
			f.Scopes[i].Children = append(f.Scopes[i].Children, sc)
			continue
		}
		group[info.Name] = len(f.Scopes)
		f.Scopes = append(f.Scopes, views.ScopeGroup{Parent: sc}) // a child whose parent the kind may not hold stands alone
	}
	return f
}

// newToken is the create dialog.
func (s *Server) newToken(c echo.Context, kind auth.Kind) error {
	var start []string
	for _, sc := range auth.StartingScopes(kind) {
		start = append(start, string(sc))
	}
	f := s.tokenForm(c, kind, start)
	f.Action = tabPath(plumbing.State(c).Org.Slug, kind)
	return s.showDialog(c, http.StatusOK, kind, views.CreateTokenDialog(f))
}

// mayCreate checks that the viewer may create a kind's token for
// themselves. Service tokens are made by onboarding a service.
func (s *Server) mayCreate(c echo.Context, kind auth.Kind) error {
	me := plumbing.Principal(plumbing.State(c))
	if kind == auth.KindService || !auth.Authorize(me, auth.CreateToken, &auth.TokenFacts{Kind: kind, OwnerUserID: me.UserID}) {
		return plumbing.Forbidden()
	}
	return nil
}

// createToken makes a token from the create dialog and reveals it once.
// The kind comes from the path, never the form.
func (s *Server) createToken(c echo.Context, kind auth.Kind) error {
	st := plumbing.State(c)
	form, _ := c.FormParams()
	r := core.TokenRequest{Org: *st.Org, Kind: kind, Name: c.FormValue("name"), Scopes: form["scopes"], Expiry: c.FormValue("expiry"),
		ExpiresOn: c.FormValue("expires_on"), Visibility: c.FormValue("visibility"), Quota: c.FormValue("quota"),
		CreatorID: st.User.ID, OwnerUserID: st.User.ID}
	if kind == auth.KindCLI && r.Visibility == "" {
		r.Visibility = auth.VisibilityAdmins
	}
	if len(r.Scopes) == 0 {
		r.Scopes = []string{""} // an unticked form means no scopes, not the defaults
	}
	issued, errs, err := core.IssueToken(c.Request().Context(), s.DB, s.Sealer, r, s.actor(c))
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		f := s.tokenForm(c, kind, form["scopes"])
		f.Action = tabPath(st.Org.Slug, kind)
		f.Name, f.Visibility, f.Quota = plumbing.PlainText(r.Name), r.Visibility, plumbing.PlainText(r.Quota)
		f.Expiry = expiryField("Expires", *st.Org, kind, s.DB.Now(), plumbing.PlainText(r.Expiry), plumbing.PlainText(r.ExpiresOn))
		f.Errors = views.FieldErrors(errs)
		return s.showDialog(c, http.StatusUnprocessableEntity, kind, views.CreateTokenDialog(f))
	}
	if err := s.Flash(c, "success", "Created "+views.EndSentence(issued.Token.Name)); err != nil {
		return err
	}
	return s.revealSecret(c, http.StatusCreated, issued.Token, issued.Secret, "Your new "+kind.Label()+" token", true)
}

// editToken is the edit dialog.
func (s *Server) editToken(c echo.Context, t store.Token) error {
	return s.showDialog(c, http.StatusOK, auth.Kind(t.Kind), views.EditTokenDialog(s.editForm(c, t, t.Scopes)))
}

func (s *Server) editForm(c echo.Context, t store.Token, scopes []string) views.TokenForm {
	f := s.tokenForm(c, auth.Kind(t.Kind), scopes)
	f.Action = tokenPath(plumbing.State(c).Org.Slug, t, "edit")
	f.Name, f.Visibility, f.HashOnly, f.Hint = t.Name, t.Visibility, t.Visibility != auth.VisibilityOrg, t.Hint
	return f
}

// updateToken saves the edit dialog. Sharing a hash-only token needs a new
// secret, so "Rotate and share" rotates it at once and reveals the new one
// (core.EditToken holds the rules).
func (s *Server) updateToken(c echo.Context, t store.Token) error {
	kind := auth.Kind(t.Kind)
	form, _ := c.FormParams()
	name, vis, op := c.FormValue("name"), c.FormValue("visibility"), c.FormValue("op")
	if vis == "" || kind == auth.KindCLI {
		vis = t.Visibility // the dialog of a CLI token has no visibility to change
	}
	if op != "save" && op != "rotate-share" && op != "" {
		return s.editAgain(c, t, name, vis, form["scopes"], fault.InvalidFields(fault.Fields{"name": "Use Save or Rotate and share."}))
	}
	if op == "rotate-share" {
		if err := notRotatedSince(c, t); err != nil {
			return err
		}
	}
	scopes := form["scopes"]
	if scopes == nil {
		scopes = []string{} // none ticked: refused, not kept
	}
	changed, err := s.Core.EditToken(c.Request().Context(), t, core.TokenChange{Name: &name, Scopes: scopes, Visibility: &vis,
		RotateToShare: op == "rotate-share", ShareHow: "Use “Rotate and share”."}, s.actor(c))
	if fault.FieldsOf(err).Any() {
		return s.editAgain(c, t, name, vis, form["scopes"], err)
	}
	if err != nil {
		return err
	}
	if changed.Secret != "" {
		return s.revealSecret(c, http.StatusOK, changed.Token, changed.Secret, "New secret for "+changed.Token.Name, true)
	}
	if err := s.Flash(c, "success", "Saved "+changed.Token.Name+"."); err != nil {
		return err
	}
	return plumbing.Redirect(c, tabPath(plumbing.State(c).Org.Slug, kind))
}

// editAgain shows the edit dialog again with what was typed and err's field
// messages, with err's status (422 for a rule, 409 for a taken name).
func (s *Server) editAgain(c echo.Context, t store.Token, name, vis string, scopes []string, err error) error {
	f := s.editForm(c, t, scopes)
	f.Name, f.Visibility, f.Errors = plumbing.PlainText(name), vis, fault.FieldsOf(err)
	return s.showDialog(c, plumbing.Status(fault.CodeOf(err)), auth.Kind(t.Kind), views.EditTokenDialog(f))
}

// rotateDialog is the rotate dialog, its new expiry set to the default
// (core.RenewedExpiry).
func (s *Server) rotateDialog(c echo.Context, t store.Token) error {
	choice, date := core.RenewedExpiry(t, *plumbing.State(c).Org, s.DB.Now())
	return s.showDialog(c, http.StatusOK, auth.Kind(t.Kind), views.RotateTokenDialog(s.rotateForm(c, t, choice, date, nil)))
}

func (s *Server) rotateForm(c echo.Context, t store.Token, choice, date string, errs fault.Fields) views.RotateForm {
	org := plumbing.State(c).Org
	f := views.RotateForm{Name: t.Name, Hint: t.Hint, Action: tokenPath(org.Slug, t, "rotate"), Cancel: tabPath(org.Slug, auth.Kind(t.Kind)),
		CSRF: plumbing.State(c).CSRF, Graces: graceOptions(), Grace: c.FormValue("grace"), Errors: errs,
		Expiry: expiryField("New expiry", *org, auth.Kind(t.Kind), s.DB.Now(), choice, date)}
	if cut := core.PolicyCut(t, *org); !cut.IsZero() {
		f.PolicyCut = fmt.Sprintf("Whatever you choose, the policy's maximum lifetime of %d days from the token's creation ends it on %s.",
			org.Policy.MaxDays, cut.UTC().Format("Mon 2 Jan 2006"))
	}
	return f
}

// rotateToken makes a new secret with the new expiry asked for, keeping the
// old secret for the chosen grace.
func (s *Server) rotateToken(c echo.Context, t store.Token) error {
	if err := notRotatedSince(c, t); err != nil {
		return err
	}
	r := core.Rotation{Org: *plumbing.State(c).Org, Grace: c.FormValue("grace"), Expiry: c.FormValue("expiry"), ExpiresOn: c.FormValue("expires_on")}
	changed, err := s.Core.RotateToken(c.Request().Context(), t, r, s.actor(c))
	if fe := fault.FieldsOf(err); fe.Any() {
		f := s.rotateForm(c, t, plumbing.PlainText(r.Expiry), plumbing.PlainText(r.ExpiresOn), fe)
		return s.showDialog(c, http.StatusUnprocessableEntity, auth.Kind(t.Kind), views.RotateTokenDialog(f))
	}
	if err != nil {
		return err
	}
	return s.revealSecret(c, http.StatusOK, changed.Token, changed.Secret, "New secret for "+changed.Token.Name, true)
}

// notRotatedSince refuses a rotation posted from a dialog opened before the
// token's last rotation: a reload of the reveal, or a second tab, must not
// rotate again and kill the secret just copied.
func notRotatedSince(c echo.Context, t store.Token) error {
	if c.FormValue("hint") == "" {
		return &fault.Error{Code: fault.Malformed, Title: "Incomplete form",
			Message: "This form lacks its hint field, which makes sure a token is not rotated twice by mistake. Nothing was changed: open Rotate again from the tokens page."}
	}
	if c.FormValue("hint") != t.Hint {
		return &fault.Error{Code: fault.Conflict, Title: "Already rotated",
			Message: "This token was rotated after this form was opened, and its new secret was shown then. Open Rotate again from the tokens page if you need another secret."}
	}
	return nil
}

// revealToken shows an org-visible token's secret and records who saw it.
// Asked for an admins-only token by someone who could reveal it were it
// shared, it says that only shared tokens can be, rather than blaming the
// role.
func (s *Server) revealToken(c echo.Context, t store.Token) error {
	if len(t.Sealed) == 0 {
		return errNotShared
	}
	secret, err := s.Sealer.Open(t.ID, t.Sealed)
	if err != nil {
		return err
	}
	if err := s.DB.RecordEvent(c.Request().Context(), s.actor(c), store.Event{OrgID: t.OrgID, Action: "token.revealed",
		TargetType: "token", TargetID: t.ID, TargetLabel: t.Name, Details: map[string]string{"kind": t.Kind}}); err != nil {
		return err
	}
	return s.revealSecret(c, http.StatusOK, t, secret, "Copy "+t.Name, false)
}
