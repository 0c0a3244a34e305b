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

func (db *DB) bulk(ctx context.Context, orgID int64, ids []string, do func(*Tx, string) error) (BulkResult, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return BulkResult{}, err
	}
	defer tx.Rollback()
	var r BulkResult
	for _, id := range ids {
		t, err := tokenByID(ctx, tx, orgID, id)
		if IsNotFound(err) || (err == nil && !t.RevokedAt.IsZero()) {
			r.Skipped++
			continue
		}
		if err != nil {
			return BulkResult{}, err
		}
		if err := do(tx, id); err != nil {
			return BulkResult{}, fmt.Errorf("token %s: %w", id, err)
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
	return db.queryTokens(ctx, `WHERE t.org_id = ? AND t.revoked_at IS NULL AND `+cond+` ORDER BY t.kind, t.name`, orgID, arg)
}
