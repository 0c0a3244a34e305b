package core

import (
	"context"

	"tokenward/auth"
	"tokenward/store"
)

// MaxBulk is the most tokens one bulk action takes: a few pages' worth.
const MaxBulk = 500

// BulkTargets are the tokens a bulk revoke or disable of ids on kind's tab
// applies to: org's tokens of that kind not revoked yet; other ids are
// skipped. Between 1 and MaxBulk ids may be asked for (ok false otherwise).
func (s *Core) BulkTargets(ctx context.Context, org store.Org, kind auth.Kind, ids []string) (tokens []store.Token, ok bool, err error) {
	if len(ids) == 0 || len(ids) > MaxBulk {
		return nil, false, nil
	}
	for _, id := range ids {
		t, err := s.DB.TokenByID(ctx, org.ID, id)
		if store.IsNotFound(err) || (err == nil && (t.Kind != string(kind) || !t.RevokedAt.IsZero())) {
			continue // not this org's, not this tab's, or already revoked
		}
		if err != nil {
			return nil, false, err
		}
		tokens = append(tokens, t)
	}
	return tokens, true, nil
}

// RevokeAllTargets are the live tokens (neither revoked nor expired) of one
// member (userID) or one service (serviceID) in org that "revoke all"
// revokes. When counted is not nil (the confirmed post), only the tokens
// the confirmation counted are: a token made since is not revoked unseen.
func (s *Core) RevokeAllTargets(ctx context.Context, org store.Org, userID, serviceID int64, counted map[string]bool) ([]store.Token, error) {
	owned, err := s.DB.LiveTokensOwnedBy(ctx, org.ID, userID, serviceID)
	if err != nil {
		return nil, err
	}
	now := s.DB.Now()
	var tokens []store.Token
	for _, t := range owned {
		if !store.Expired(t, now, org.Policy.MaxDays) && (counted == nil || counted[t.ID]) {
			tokens = append(tokens, t)
		}
	}
	return tokens, nil
}
