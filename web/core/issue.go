package core

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

// TokenRequest is everything asked for when a token is made, as typed: the
// dashboard's create dialog, service onboarding and `tokenward admin
// create-token` all fill one and go through IssueToken, so they share
// validation and the audit event.
type TokenRequest struct {
	Org         store.Org
	Kind        auth.Kind
	Name        string
	Scopes      []string
	Expiry      string // days ("30", "30d"), "custom" (with ExpiresOn) or "never"
	ExpiresOn   string // YYYY-MM-DD, for "custom"
	Visibility  string // admins (default) or org
	Quota       string // optional monthly requests
	CreatorID   int64
	OwnerUserID int64 // api, cli and personal tokens
	// Orgs are the orgs a personal token may reach, of those its owner
	// belongs to (Org is then the first of them).
	Orgs       []store.Org
	ServiceID  int64 // service tokens; 0 while onboarding creates the service
	DeviceName string
}

// Issued is a new token and its secret, to be shown once and never again.
type Issued struct {
	Token  store.Token
	Secret string
}

// fault.Fields maps a request field to what is wrong with it.

// validate checks r against the catalog and the org's policy and returns the
// token to store, less its secret, or the fields' errors.
func (r TokenRequest) validate(now time.Time) (store.NewToken, fault.Fields) {
	errs := fault.Fields{}
	name := strings.TrimSpace(r.Name)
	if msg := auth.ValidateTokenName(name); msg != "" {
		errs["name"] = msg
	}
	scopes := r.Scopes
	if len(scopes) == 0 {
		for _, s := range auth.DefaultScopes(r.Kind) {
			scopes = append(scopes, string(s))
		}
	}
	set, err := auth.ParseScopes(r.Kind, scopes)
	if err != nil {
		errs["scopes"] = err.Error()
	}
	pol := auth.ExpiryPolicy{MaxDays: r.Org.Policy.MaxDays, NeverAllowed: r.Org.Policy.NeverExpire[string(r.Kind)]}
	var grants []int64
	if r.Kind == auth.KindPersonal {
		pol, grants = personalPolicy(r.Orgs)
		if len(grants) == 0 {
			errs["orgs"] = "Choose at least one organization the token may reach."
		}
	} else if len(r.Orgs) > 0 {
		errs["orgs"] = "Only personal tokens reach several organizations: this token belongs to " + r.Org.Name + "."
	}
	expiry := r.Expiry
	if strings.TrimSpace(expiry) == "" {
		expiry = "30"
	}
	expires, msg := auth.ResolveExpiry(expiry, r.ExpiresOn, now, pol)
	if msg != "" {
		errs["expiry"] = msg
	}
	vis := r.Visibility
	switch {
	case vis == "":
		vis = auth.VisibilityAdmins
	case r.Kind == auth.KindCLI && vis != auth.VisibilityAdmins:
		errs["visibility"] = cliPersonal
	case r.Kind == auth.KindPersonal && vis != auth.VisibilityAdmins:
		errs["visibility"] = personalNotShared
	case vis != auth.VisibilityAdmins && vis != auth.VisibilityOrg:
		errs["visibility"] = visibilityChoice
	}
	quota, msg := auth.ParseQuota(r.Quota)
	if msg != "" {
		errs["quota"] = msg
	}
	if len(errs) > 0 {
		return store.NewToken{}, errs
	}
	orgID := r.Org.ID
	if len(grants) > 0 {
		orgID = grants[0]
	}
	return store.NewToken{OrgID: orgID, Kind: string(r.Kind), Name: name, CreatorID: r.CreatorID,
		OwnerUserID: r.OwnerUserID, ServiceID: r.ServiceID, Scopes: set.WithoutCovered().Strings(), Visibility: vis,
		DeviceName: r.DeviceName, ExpiresAt: expires, Quota: quota, GrantOrgIDs: grants}, nil
}

// personalNotShared is why a personal token has no org visibility.
const personalNotShared = "Personal tokens are yours: they cannot be shared with an organization."

// personalPolicy is the expiry rule a new personal token is made under: it
// may go without expiry only where every org granted lets API tokens do so
// (each org's maximum lifetime then bounds it there when it is checked),
// and the orgs' ids, each once, in the order given.
func personalPolicy(orgs []store.Org) (auth.ExpiryPolicy, []int64) {
	pol := auth.ExpiryPolicy{NeverAllowed: len(orgs) > 0}
	var ids []int64
	seen := map[int64]bool{}
	for _, o := range orgs {
		if seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		ids = append(ids, o.ID)
		pol.NeverAllowed = pol.NeverAllowed && o.Policy.NeverExpire[string(auth.KindAPI)]
	}
	return pol, ids
}

// newSecret fills in a fresh secret for nt: its id, hash, hint and, for
// org-visible tokens, the sealed copy.
func newTokenSecret(nt *store.NewToken, sealer *auth.Sealer) (string, error) {
	secret, err := auth.NewToken(auth.Kind(nt.Kind))
	if err != nil {
		return "", err
	}
	if nt.ID == "" {
		nt.ID = uuid.NewString()
	}
	h := auth.HashToken(secret)
	nt.SecretHash, nt.Hint, nt.Sealed = h[:], auth.TokenHint(secret), nil
	if nt.Visibility == auth.VisibilityOrg {
		nt.Sealed = sealer.Seal(nt.ID, secret)
	}
	return secret, nil
}

// IssueToken validates r, makes the token's secret and stores it with its
// audit event. Field errors come back as fault.Fields; a taken name is one of
// them.
func IssueToken(ctx context.Context, db *store.DB, sealer *auth.Sealer, r TokenRequest, actor store.Actor) (Issued, fault.Fields, error) {
	return IssueWith(db, sealer, r, func(nt store.NewToken) (store.Token, error) { return db.CreateToken(ctx, nt, actor) })
}

// IssueWith is IssueToken with the store write given: save stores the
// token in the same transaction as whatever else must happen with it (a
// device login consumed, say).
func IssueWith(db *store.DB, sealer *auth.Sealer, r TokenRequest, save func(store.NewToken) (store.Token, error)) (Issued, fault.Fields, error) {
	nt, errs := r.validate(db.Now())
	if len(errs) > 0 {
		return Issued{}, errs, nil
	}
	secret, err := newTokenSecret(&nt, sealer)
	if err != nil {
		return Issued{}, nil, err
	}
	t, err := save(nt)
	if fe := fault.FieldsOf(err); fe.Any() {
		return Issued{}, fe, nil
	}
	if err != nil {
		return Issued{}, nil, err
	}
	return Issued{Token: t, Secret: secret}, nil, nil
}
