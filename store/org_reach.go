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

// What an API list holds of the personal tokens granted to the org
// (TokenQuery.Granted).
const (
	GrantedToo  = "too"
	GrantedOnly = "only"
)

// listReach is the condition (on tokens t, with :org and :kind) for the
// tokens a list of q.Kind holds. Granted personal tokens join only an API
// list; while the org has no standing grant, the list is the org's own
// tokens of the kind, which the (org_id, kind, …) indexes deliver in order.
func listReach(ctx context.Context, tx *Tx, q TokenQuery) (string, error) {
	own := "t.org_id = :org AND t.kind = :kind"
	if q.Granted == "" || q.Kind != "api" {
		return own, nil
	}
	granted := "t.kind = 'personal' AND t.id IN (SELECT token_id FROM token_org_grants WHERE org_id = :org AND removed_at IS NULL)"
	if q.Granted == GrantedOnly {
		return granted, nil
	}
	var any int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM token_org_grants
		WHERE org_id = ? AND removed_at IS NULL LIMIT 1) x`, q.OrgID).Scan(&any); err != nil {
		return "", err
	}
	if any == 0 {
		return own, nil
	}
	return "((" + own + ") OR (" + granted + "))", nil
}
