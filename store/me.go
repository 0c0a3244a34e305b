package store

import "context"

// UserToken is one of a user's own tokens with the org it belongs to and
// that org's maximum lifetime, which its status depends on.
type UserToken struct {
	Token
	OrgSlug    string
	OrgName    string
	OrgMaxDays int
}

// UserTokens lists the live (not revoked) API and CLI tokens a user owns,
// across every org they belong to now, by org and newest first.
func (db *DB) UserTokens(ctx context.Context, userID int64) ([]UserToken, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+`, o.slug, o.name, COALESCE(o.policy_max_days, 0)`+tokenJoins+`
		JOIN organizations o ON o.id = t.org_id
		JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.owner_user_id
		WHERE t.owner_user_id = ? AND t.kind IN ('api', 'cli') AND t.revoked_at IS NULL
		ORDER BY o.slug, t.created_at DESC, t.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserToken
	for rows.Next() {
		var ut UserToken
		var extra = []any{&ut.OrgSlug, &ut.OrgName, &ut.OrgMaxDays}
		if ut.Token, err = scanToken(rowWithExtra{rows, extra}); err != nil {
			return nil, err
		}
		out = append(out, ut)
	}
	return out, rows.Err()
}

// rowWithExtra scans a row into a record's columns followed by extra ones.
type rowWithExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s rowWithExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }
