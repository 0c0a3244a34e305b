package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
)

// MaxPolicyDays is the longest maximum lifetime a policy may set (ten years).
const MaxPolicyDays = 3650

// PolicyRequest is an org's token policy as typed: days as text, and per
// kind whether tokens may never expire.
type PolicyRequest struct {
	MaxDays     string // empty: no maximum
	DefaultDays string
	Never       map[string]bool
}

// CheckPolicy is the policy r describes, or a message per bad field: the
// maximum is 1 to MaxPolicyDays days, the default one of the offered
// expiries and no longer than the maximum.
func CheckPolicy(r PolicyRequest) (store.Policy, fault.Fields) {
	p := store.Policy{NeverExpire: map[string]bool{}}
	errs := fault.Fields{}
	if r.MaxDays != "" {
		n, err := strconv.Atoi(r.MaxDays)
		if err != nil || n < 1 || n > MaxPolicyDays {
			errs["max_days"] = fmt.Sprintf("Enter a whole number of days from 1 to %d, or leave it empty for no maximum.", MaxPolicyDays)
		}
		p.MaxDays = n
	}
	n, err := strconv.Atoi(r.DefaultDays)
	switch {
	case err != nil || !slices.Contains(auth.ExpiryPresets, n):
		errs["default_days"] = "Choose one of the offered expiries: " + presetList() + " days."
	case errs["max_days"] == "" && p.MaxDays > 0 && n > p.MaxDays:
		errs["default_days"] = fmt.Sprintf("The default expiry (%d days) is longer than the maximum lifetime (%d days): choose a shorter default or raise the maximum.", n, p.MaxDays)
	}
	p.DefaultDays = n
	for _, k := range auth.Kinds {
		p.NeverExpire[string(k)] = r.Never[string(k)]
	}
	return p, errs
}

func presetList() string {
	s := make([]string, len(auth.ExpiryPresets))
	for i, d := range auth.ExpiryPresets {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Cut is a live token a new maximum lifetime makes expire earlier.
type Cut struct {
	Token         store.Token
	Current, Next time.Time // its effective expiry now and under the new policy
}

// PolicyEffect is what a new maximum lifetime would do to an org's live
// tokens.
type PolicyEffect struct {
	Cuts    []Cut // at most listed of them
	Cut     int   // all the tokens cut
	Longer  int   // tokens that would live longer, up to their own expiry
	Revived int   // of those, the ones expired now that would work again
}

// PolicyEffect compares each live token of org's effective expiry under
// its current and the new maximum lifetime, listing at most listed cuts.
func (s *Core) PolicyEffect(ctx context.Context, org store.Org, newMax, listed int) (PolicyEffect, error) {
	live, err := s.DB.LiveTokens(ctx, org.ID)
	if err != nil {
		return PolicyEffect{}, err
	}
	now := s.DB.Now()
	var e PolicyEffect
	for _, t := range live {
		cur, next := store.EffectiveExpiry(t, org.Policy.MaxDays), store.EffectiveExpiry(t, newMax)
		switch {
		case !next.IsZero() && (cur.IsZero() || next.Before(cur)):
			e.Cut++
			if len(e.Cuts) < listed {
				e.Cuts = append(e.Cuts, Cut{Token: t, Current: cur, Next: next})
			}
		case !cur.IsZero() && (next.IsZero() || cur.Before(next)):
			e.Longer++
			if !now.Before(cur) && (next.IsZero() || now.Before(next)) {
				e.Revived++
			}
		}
	}
	return e, nil
}
