package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ImportedToken is a token written in bulk with its whole history already
// decided: when it was made and, optionally, disabled or revoked. The load
// tool and benchmarks fill databases with these.
type ImportedToken struct {
	NewToken
	CreatedAt  time.Time
	DisabledAt time.Time
	RevokedAt  time.Time
}

// ImportTokens writes many tokens in one transaction and records one audit
// event for the batch. It is for filling test and load databases quickly;
// it skips the per-token events that CreateToken writes.
func (db *DB) ImportTokens(ctx context.Context, orgID int64, tokens []ImportedToken, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.tokensCreated = true
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO tokens (id, org_id, kind, name, creator_id, owner_user_id, service_id, scopes,
		visibility, secret_hash, secret_sealed, hint, device_name, created_at, expires_at, quota_monthly, disabled_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, t := range tokens {
		created := t.CreatedAt
		if created.IsZero() {
			created = tx.now
		}
		if _, err := stmt.ExecContext(ctx, t.ID, orgID, t.Kind, t.Name, t.CreatorID, nullID(t.OwnerUserID), nullID(t.ServiceID),
			strings.Join(t.Scopes, " "), t.Visibility, t.SecretHash, nullBytes(t.Sealed), t.Hint, t.DeviceName,
			formatTime(created), nullTime(t.ExpiresAt), nullID(t.Quota), nullTime(t.DisabledAt), nullTime(t.RevokedAt)); err != nil {
			if isUnique(err) {
				return conflict("name", fmt.Sprintf("token %q: a live %s token with that name exists", t.Name, t.Kind))
			}
			return fmt.Errorf("import token %s: %w", t.ID, err)
		}
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "tokens.imported", TargetType: "org",
		Details: map[string]string{"count": fmt.Sprint(len(tokens))}}); err != nil {
		return err
	}
	return tx.Commit()
}
