package core

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

// TokenChange is an edit of a token as asked, from the edit dialog or
// PATCH /api/v1/tokens/{id}: nil fields stay as they are.
type TokenChange struct {
	Name       *string
	Scopes     []string // nil: unchanged
	Visibility *string  // admins or org
	// RotateToShare saves the edit and then gives the token a new, shared
	// secret in one step: sharing a hash-only token needs a new secret.
	RotateToShare bool
	// ShareHow ends the message that refuses to share a hash-only token
	// without a rotation: how to rotate and share on the caller's surface.
	ShareHow string
}

// Changed is an edited token and, when the edit rotated it to share it,
// its new secret, to be shown once.
type Changed struct {
	Token  store.Token
	Secret string
}

// Messages of the edit and rotation rules.
const (
	visibilityChoice = "Choose admins only or the whole organization."
	cliPersonal      = "CLI tokens are personal: they cannot be shared with the organization."
	shareNeedsSecret = "Sharing this token needs a new secret, because only its hash is kept."
	graceChoice      = "Choose when the old secret stops: now, or after 1 hour (1h), 1 day (1d) or 7 days (7d)."
)

// EditToken applies ch to t. The rules: the name and scopes are valid for
// the kind; CLI tokens are never shared; an admins-only token keeps only
// its hash, so sharing it needs a new secret (RotateToShare); a token made
// admins-only loses its encrypted copy. A taken name is a conflict on
// "name".
func (s *Core) EditToken(ctx context.Context, t store.Token, ch TokenChange, actor store.Actor) (Changed, error) {
	kind := auth.Kind(t.Kind)
	edit := store.TokenEdit{Name: t.Name, Scopes: t.Scopes, Visibility: t.Visibility, Sealed: t.Sealed}
	errs := fault.Fields{}
	if ch.Name != nil {
		edit.Name = strings.TrimSpace(*ch.Name)
		if msg := auth.ValidateTokenName(edit.Name); msg != "" {
			errs["name"] = msg
		}
	}
	if ch.Scopes != nil {
		set, err := auth.ParseScopes(kind, ch.Scopes)
		if err != nil {
			errs["scopes"] = err.Error()
		}
		edit.Scopes = set.WithoutCovered().Strings() // a child its ticked parent grants is not kept twice
	}
	share := ch.RotateToShare // the edit is saved as it is, then the rotation shares it
	if ch.Visibility != nil {
		switch v := *ch.Visibility; {
		case v != auth.VisibilityAdmins && v != auth.VisibilityOrg:
			errs["visibility"] = visibilityChoice
		case v == auth.VisibilityOrg && kind == auth.KindCLI:
			errs["visibility"] = cliPersonal
		case share:
		case v == auth.VisibilityAdmins:
			edit.Visibility, edit.Sealed = v, nil // admins-only tokens keep no encrypted copy
		case t.Visibility != auth.VisibilityOrg:
			errs["visibility"] = strings.TrimSpace(shareNeedsSecret + " " + ch.ShareHow)
		}
	}
	if share && kind == auth.KindCLI {
		errs["visibility"] = cliPersonal
	}
	if errs.Any() {
		return Changed{}, fault.InvalidFields(errs)
	}
	updated, err := s.DB.UpdateToken(ctx, t.OrgID, t.ID, edit, actor)
	if err != nil || !share {
		return Changed{Token: updated}, err
	}
	rotated, secret, err := s.RotateSecret(ctx, updated, auth.VisibilityOrg, time.Time{}, actor) // sharing keeps the expiry
	return Changed{Token: rotated, Secret: secret}, err
}

// Rotation is a rotation as asked, from the rotate dialog or POST
// /api/v1/tokens/{id}/rotate.
type Rotation struct {
	// Org is the token's org, whose policy bounds the new expiry.
	Org   store.Org
	Grace string // how long the old secret keeps working: a value of Graces
	// Visibility, when not empty, is the token's new visibility (admins or
	// org; CLI tokens stay personal).
	Visibility string
	// Expiry and ExpiresOn are the new expiry, as TokenRequest's: days,
	// "custom" with a date, or "never". Empty: RenewedExpiry's default.
	Expiry, ExpiresOn string
}

// RotateToken gives t a new secret, shown once, and a new expiry, so an
// expired token is renewed by rotating it. The old secret works for the
// grace asked for. A token past the policy's maximum lifetime (counted from
// its creation) cannot be renewed: its new secret would not work either.
func (s *Core) RotateToken(ctx context.Context, t store.Token, r Rotation, actor store.Actor) (Changed, error) {
	errs := fault.Fields{}
	wait, ok := GraceChoices[r.Grace]
	if !ok {
		errs["grace"] = graceChoice
	}
	vis := t.Visibility
	switch {
	case r.Visibility == "":
	case r.Visibility != auth.VisibilityAdmins && r.Visibility != auth.VisibilityOrg:
		errs["visibility"] = visibilityChoice
	case r.Visibility == auth.VisibilityOrg && t.Kind == string(auth.KindCLI):
		errs["visibility"] = cliPersonal
	default:
		vis = r.Visibility
	}
	now := s.DB.Now()
	if r.Expiry == "" && r.ExpiresOn == "" {
		r.Expiry, r.ExpiresOn = RenewedExpiry(t, r.Org, now)
	}
	expires, msg := auth.ResolveExpiry(r.Expiry, r.ExpiresOn, now, ExpiryPolicyOf(r.Org, auth.Kind(t.Kind)))
	if msg != "" {
		errs["expiry"] = msg
	}
	if cut := PolicyCut(t, r.Org); !cut.IsZero() && !cut.After(now) {
		errs["expiry"] = fmt.Sprintf("This token is past the organization's maximum lifetime of %d days from its creation (it ended on %s), "+
			"so a new secret would not work either: create a new token instead.", r.Org.Policy.MaxDays, cut.UTC().Format("Mon 2 Jan 2006"))
	}
	if errs.Any() {
		return Changed{}, fault.InvalidFields(errs)
	}
	until := time.Time{}
	if wait > 0 {
		until = now.Add(wait)
	}
	rotated, secret, err := s.rotate(ctx, t, store.Rotation{Visibility: vis, OldValidUntil: until, SetExpiry: true, ExpiresAt: expires}, actor)
	return Changed{Token: rotated, Secret: secret}, err
}

// RenewedExpiry is a rotation's default new expiry, as the dialog's choice
// and date: the same lifetime from now as the current secret had (from the
// token's creation or last rotation to its own expiry), in whole days
// within the policy. A token without an expiry keeps none where the policy
// allows it, and otherwise gets the policy's default.
func RenewedExpiry(t store.Token, org store.Org, now time.Time) (choice, date string) {
	pol := ExpiryPolicyOf(org, auth.Kind(t.Kind))
	if t.ExpiresAt.IsZero() {
		if pol.NeverAllowed {
			return auth.ExpiryNever, ""
		}
		return strconv.Itoa(org.Policy.DefaultDays), ""
	}
	start := t.CreatedAt
	if !t.RotatedAt.IsZero() {
		start = t.RotatedAt
	}
	days := int(math.Round(t.ExpiresAt.Sub(start).Hours() / 24))
	days = min(max(days, auth.MinExpiryDays), auth.MaxExpiryDays)
	if pol.MaxDays > 0 {
		days = min(days, pol.MaxDays)
	}
	if slices.Contains(auth.ExpiryPresets, days) {
		return strconv.Itoa(days), ""
	}
	return "custom", now.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// PolicyCut is when org's maximum lifetime ends t, counted from its
// creation (store.EffectiveExpiry's rule); zero when there is no maximum.
func PolicyCut(t store.Token, org store.Org) time.Time {
	if org.Policy.MaxDays <= 0 {
		return time.Time{}
	}
	return store.EffectiveExpiry(store.Token{CreatedAt: t.CreatedAt}, org.Policy.MaxDays)
}

// ExpiryPolicyOf is what org's policy says about kind's expiry.
func ExpiryPolicyOf(org store.Org, kind auth.Kind) auth.ExpiryPolicy {
	return auth.ExpiryPolicy{MaxDays: org.Policy.MaxDays, NeverAllowed: org.Policy.NeverExpire[string(kind)]}
}
