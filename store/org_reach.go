package store

import "context"

// An org holds its own tokens and the personal tokens its grants stand on.
// A personal token's org_id is its first grant's org, so most orgs' set is
// exactly t.org_id = :org, the test every list index serves. orgReach says
// when it is not.

// orgReach is the condition (on tokens t, with the :org parameter) for the
// tokens org holds, and whether it is the plain org_id test.
func orgReach(ctx context.Context, tx *Tx, orgID int64) (string, bool, error) {
	// The plain test is wrong when a standing grant is on a token whose
	// org_id is another org's, or a removed one on a token whose org_id is
	// this org's.
	var differs int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM token_org_grants g JOIN tokens t ON t.id = g.token_id
		WHERE g.org_id = ? AND (g.removed_at IS NULL) <> (t.org_id = ?) LIMIT 1) x`, orgID, orgID).Scan(&differs)
	if err != nil {
		return "", false, err
	}
	if differs == 0 {
		return "t.org_id = :org", true, nil
	}
	return `((t.org_id = :org AND t.kind <> 'personal')
		OR t.id IN (SELECT token_id FROM token_org_grants WHERE org_id = :org AND removed_at IS NULL))`, false, nil
}
