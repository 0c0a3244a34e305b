package core

import (
	"context"
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
		edit.Scopes = set.Strings()
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
	rotated, secret, err := s.RotateSecret(ctx, updated, auth.VisibilityOrg, time.Time{}, actor)
	return Changed{Token: rotated, Secret: secret}, err
}

// RotateToken gives t a new secret, shown once. grace is how long the old
// secret keeps working (a key of GraceChoices); visibility, when not empty,
// is the token's new visibility (admins or org; CLI tokens stay personal).
func (s *Core) RotateToken(ctx context.Context, t store.Token, grace, visibility string, actor store.Actor) (Changed, error) {
	errs := fault.Fields{}
	wait, ok := GraceChoices[grace]
	if !ok {
		errs["grace"] = graceChoice
	}
	vis := t.Visibility
	switch {
	case visibility == "":
	case visibility != auth.VisibilityAdmins && visibility != auth.VisibilityOrg:
		errs["visibility"] = visibilityChoice
	case visibility == auth.VisibilityOrg && t.Kind == string(auth.KindCLI):
		errs["visibility"] = cliPersonal
	default:
		vis = visibility
	}
	if errs.Any() {
		return Changed{}, fault.InvalidFields(errs)
	}
	until := time.Time{}
	if wait > 0 {
		until = s.DB.Now().Add(wait)
	}
	rotated, secret, err := s.RotateSecret(ctx, t, vis, until, actor)
	return Changed{Token: rotated, Secret: secret}, err
}
