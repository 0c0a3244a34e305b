package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// maxCutsListed bounds the preview's table; the count covers them all.
const maxCutsListed = 500

// policyForm is the token policy form as posted.
type policyForm struct {
	MaxDays     string
	DefaultDays string
	Never       map[string]bool // per kind
	Action      string          // "save"; anything else previews
}

func parsePolicyForm(c echo.Context) policyForm {
	f := policyForm{MaxDays: plumbing.FormText(c, "max_days"), DefaultDays: plumbing.FormText(c, "default_days"),
		Action: c.FormValue("action"), Never: map[string]bool{}}
	for _, k := range auth.Kinds {
		f.Never[string(k)] = c.FormValue("never_"+string(k)) != ""
	}
	return f
}

// policyFormOf is the form filled in with a saved policy.
func policyFormOf(p store.Policy) policyForm {
	f := policyForm{DefaultDays: strconv.Itoa(p.DefaultDays), Never: map[string]bool{}}
	if p.MaxDays > 0 {
		f.MaxDays = strconv.Itoa(p.MaxDays)
	}
	for k, v := range p.NeverExpire {
		f.Never[k] = v
	}
	return f
}

// Validate checks the form and returns the policy it describes, or a
// message per bad field (core.CheckPolicy).
func (f policyForm) Validate() (store.Policy, views.FieldErrors) {
	return core.CheckPolicy(core.PolicyRequest{MaxDays: f.MaxDays, DefaultDays: f.DefaultDays, Never: f.Never})
}

func (f policyForm) view(errs views.FieldErrors) views.PolicyForm {
	v := views.PolicyForm{MaxDays: plumbing.PlainText(f.MaxDays), DefaultDays: plumbing.PlainText(f.DefaultDays), Errors: errs}
	for _, k := range auth.Kinds {
		v.Never = append(v.Never, views.NeverChoice{Field: "never_" + string(k), Label: k.Label() + " tokens", Checked: f.Never[string(k)]})
	}
	return v
}

func (s *Server) policy(c echo.Context) error {
	return s.renderPolicy(c, http.StatusOK, policyFormOf(plumbing.State(c).Org.Policy).view(nil), nil)
}

func (s *Server) renderPolicy(c echo.Context, status int, form views.PolicyForm, preview *views.PolicyPreview) error {
	shell, err := s.PageShell(c, "Token policy", "policy")
	if err != nil {
		return err
	}
	p := views.PolicyProps{Shell: shell, OrgSlug: plumbing.State(c).Org.Slug, Form: form, Preview: preview}
	for _, d := range auth.ExpiryPresets {
		p.Defaults = append(p.Defaults, views.PolicyChoice{Value: strconv.Itoa(d), Label: fmt.Sprintf("%d days", d)})
	}
	return s.Render(c, status, views.PolicyPage(p))
}

// policySubmit previews the posted policy (the default, so Enter never
// saves unseen) or, with action=save, saves it.
func (s *Server) policySubmit(c echo.Context) error {
	f := parsePolicyForm(c)
	pol, errs := f.Validate()
	if errs.Any() {
		return s.renderPolicy(c, http.StatusUnprocessableEntity, f.view(errs), nil)
	}
	ctx := c.Request().Context()
	org := plumbing.State(c).Org
	if f.Action == "save" {
		if _, err := s.DB.SetPolicy(ctx, org.ID, pol, s.actor(c)); err != nil {
			return err
		}
		if err := s.Flash(c, "success", "Saved the token policy."); err != nil {
			return err
		}
		return plumbing.Redirect(c, "/orgs/"+org.Slug+"/settings/policy")
	}
	effect, err := s.Core.PolicyEffect(ctx, *org, pol.MaxDays, maxCutsListed)
	if err != nil {
		return err
	}
	return s.renderPolicy(c, http.StatusOK, f.view(nil), policyPreview(effect, s.DB.Now()))
}

// policyPreview says what a new maximum lifetime would do: the tokens it
// cuts, listed, and those that would live longer.
func policyPreview(e core.PolicyEffect, now time.Time) *views.PolicyPreview {
	p := &views.PolicyPreview{}
	for _, c := range e.Cuts {
		p.Cuts = append(p.Cuts, policyCut(c.Token, c.Current, c.Next, now))
	}
	switch {
	case e.Cut == 0 && e.Longer == 0:
		p.Summary = "No token's expiry changes."
	case e.Cut == 0:
		p.Summary = "This change cuts no token."
	default:
		p.Summary = fmt.Sprintf("This change cuts %s: each expires earlier than it does now.", nTokens(e.Cut))
	}
	if e.Longer > 0 {
		p.Longer = fmt.Sprintf("%s would live longer, up to their own expiry.", nTokens(e.Longer))
		if e.Revived > 0 {
			p.Longer += fmt.Sprintf(" %d of them expired under the current policy and would work again.", e.Revived)
		}
	}
	if e.Cut > len(p.Cuts) {
		p.Hidden = fmt.Sprintf("And %d more, not listed here.", e.Cut-len(p.Cuts))
	}
	return p
}

func policyCut(t store.Token, cur, next, now time.Time) views.PolicyCut {
	pc := views.PolicyCut{ID: t.ID, Name: t.Name, Kind: auth.Kind(t.Kind).Label(), Creator: t.CreatorName,
		Current: moment(cur, now, "Never"), New: moment(next, now, "Never")}
	if !now.Before(next) {
		pc.Note = "expires at once"
		if !cur.IsZero() && !now.Before(cur) {
			pc.Note = "already expired"
		}
	}
	return pc
}
