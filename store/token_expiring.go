package store

import (
	"context"
	"database/sql"
	"sort"
	"time"
)

// maxExpiringOwn bounds how many tokens ExpiringOwnTokens returns.
const maxExpiringOwn = 100

// ExpiringOwnTokens lists the live tokens userID owns in an org (API and
// CLI tokens; disabled ones are not live) whose effective expiry, given the
// policy's maximum lifetime in days (0: none), falls within the next
// within, soonest first, at most 100, leaving out those whose warning
// userID dismissed at their present expiry (DismissExpiryWarning). Only the fields a notice needs are
// filled: id, org, kind, name, owner, visibility, created and expires.
func (db *DB) ExpiringOwnTokens(ctx context.Context, orgID, userID int64, within time.Duration, maxDays int) ([]Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now, soon := tx.now, tx.now.Add(within)
	cutoff, soonCutoff := "", ""
	if maxDays > 0 {
		cutoff, soonCutoff = formatTime(now.AddDate(0, 0, -maxDays)), formatTime(soon.AddDate(0, 0, -maxDays))
	}
	// Two arms, each a range read in order on one of the owner indexes of
	// migration 0005 and stopped after the limit: the token's own expiry
	// comes soon, or the policy's cut does. The soonest of each arm hold the
	// soonest overall; a token in both arms is kept once.
	const live = `owner_user_id = :user AND org_id = :org AND revoked_at IS NULL AND disabled_at IS NULL
		AND (expires_at IS NULL OR expires_at > :now) AND (:cutoff = '' OR created_at > :cutoff) AND ` + dismissedWhere
	const cols = `SELECT id, kind, name, visibility, created_at, expires_at FROM tokens`
	rows, err := tx.QueryContext(ctx, `SELECT * FROM (`+cols+` WHERE `+live+` AND expires_at > :now AND expires_at <= :soon
			ORDER BY expires_at LIMIT :limit) by_expiry
		UNION ALL SELECT * FROM (`+cols+` WHERE `+live+` AND :cutoff <> '' AND created_at > :cutoff AND created_at <= :soon_cutoff
			ORDER BY created_at LIMIT :limit) by_creation`,
		named("user", userID), named("org", orgID), named("now", formatTime(now)), named("soon", formatTime(soon)),
		named("cutoff", cutoff), named("soon_cutoff", soonCutoff), named("limit", maxExpiringOwn))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	seen := map[string]bool{}
	for rows.Next() {
		t := Token{OrgID: orgID, OwnerUserID: userID}
		var created, expires sql.NullString
		if err := rows.Scan(&t.ID, &t.Kind, &t.Name, &t.Visibility, &created, &expires); err != nil {
			return nil, err
		}
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		t.CreatedAt, t.ExpiresAt = scanTime(created), scanTime(expires)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		return EffectiveExpiry(out[i], maxDays).Before(EffectiveExpiry(out[j], maxDays))
	})
	return out[:min(len(out), maxExpiringOwn)], nil
}
