package store

import (
	"context"
	"fmt"
)

// BulkResult says how many of the chosen tokens a bulk action changed and
// which it skipped (already revoked, or not the org's).
type BulkResult struct {
	Changed int
	Skipped int
}

// RevokeTokens revokes each live token among ids, in one transaction.
func (db *DB) RevokeTokens(ctx context.Context, orgID int64, ids []string, reason string, actor Actor) (BulkResult, error) {
	return db.bulk(ctx, orgID, ids, func(tx *Tx, id string) error {
		_, err := revokeToken(ctx, tx, orgID, id, reason, actor)
		return err
	})
}

// DisableTokens disables each live token among ids, in one transaction.
func (db *DB) DisableTokens(ctx context.Context, orgID int64, ids []string, actor Actor) (BulkResult, error) {
	return db.bulk(ctx, orgID, ids, func(tx *Tx, id string) error {
		_, err := setTokenDisabled(ctx, tx, orgID, id, true, actor)
		return err
	})
}

// Revocation is one token for RevokeEach: its org, its id and who asked.
type Revocation struct {
	OrgID int64
	ID    string
	Actor Actor
}

// RevokeEach revokes each live token among rs, each in its org and its
// actor's name, in one transaction: all of them or, on any error, none.
func (db *DB) RevokeEach(ctx context.Context, rs []Revocation, reason string) (BulkResult, error) {
	refs := make([]tokenRef, len(rs))
	for i, r := range rs {
		refs[i] = tokenRef{orgID: r.OrgID, id: r.ID, actor: r.Actor}
	}
	return db.each(ctx, refs, func(tx *Tx, r tokenRef) error {
		_, err := revokeToken(ctx, tx, r.orgID, r.id, reason, r.actor)
		return err
	})
}

// tokenRef names a token of an org for a bulk change, with who makes it.
type tokenRef struct {
	orgID int64
	id    string
	actor Actor
	// orgKindsOnly skips personal tokens (an org's own bulk actions).
	orgKindsOnly bool
}

func (db *DB) bulk(ctx context.Context, orgID int64, ids []string, do func(*Tx, string) error) (BulkResult, error) {
	refs := make([]tokenRef, len(ids))
	for i, id := range ids {
		refs[i] = tokenRef{orgID: orgID, id: id, orgKindsOnly: true}
	}
	return db.each(ctx, refs, func(tx *Tx, r tokenRef) error { return do(tx, r.id) })
}

// each applies do to every live token among refs in one transaction,
// skipping those revoked already or not found in their org.
func (db *DB) each(ctx context.Context, refs []tokenRef, do func(*Tx, tokenRef) error) (BulkResult, error) {
	if len(refs) == 0 {
		return BulkResult{}, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return BulkResult{}, err
	}
	defer tx.Rollback()
	var r BulkResult
	for _, ref := range refs {
		t, err := tokenByID(ctx, tx, ref.orgID, ref.id)
		// A personal token is its owner's: an org's bulk actions skip it.
		if IsNotFound(err) || (err == nil && (!t.RevokedAt.IsZero() || ref.orgKindsOnly && t.Kind == "personal")) {
			r.Skipped++
			continue
		}
		if err != nil {
			return BulkResult{}, err
		}
		if err := do(tx, ref); err != nil {
			return BulkResult{}, fmt.Errorf("token %s: %w", ref.id, err)
		}
		r.Changed++
	}
	return r, tx.Commit()
}

// LiveTokensOwnedBy lists an org's live tokens owned by a user (userID) or
// belonging to a service (serviceID), for "revoke all".
func (db *DB) LiveTokensOwnedBy(ctx context.Context, orgID, userID, serviceID int64) ([]Token, error) {
	cond, arg := "t.owner_user_id = ?", userID
	if serviceID != 0 {
		cond, arg = "t.service_id = ?", serviceID
	}
	return db.queryTokens(ctx, `WHERE t.org_id = ? AND t.kind <> 'personal' AND t.revoked_at IS NULL AND `+cond+` ORDER BY t.kind, t.name`, orgID, arg)
}
