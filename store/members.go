package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"tokenward/auth/fault"
)

// Member is a user's membership of an org.
type Member struct {
	User  User
	Role  string
	Since time.Time
}

func insertMembership(ctx context.Context, tx *Tx, orgID, userID int64, role string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		orgID, userID, role, formatTime(tx.now))
	if isUnique(err) {
		return conflict("username", "this user is already a member of the organization")
	}
	if err != nil {
		return fmt.Errorf("insert membership: %w", err)
	}
	return nil
}

func membership(ctx context.Context, tx *Tx, orgID, userID int64) (Member, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.user_id = ?`, orgID, userID)
	m, err := scanMember(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, notFound("member")
	}
	return m, err
}

const memberColumns = `u.id, u.username, u.email, u.display_name, u.password_hash, u.site_admin,
	u.disabled_at, u.created_at, m.role, m.created_at`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var disabled, created, since sql.NullString
	u := &m.User
	if err := row.Scan(&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.PasswordHash, &u.SiteAdmin, &disabled, &created,
		&m.Role, &since); err != nil {
		return Member{}, err
	}
	u.DisabledAt, u.CreatedAt, m.Since = scanTime(disabled), scanTime(created), scanTime(since)
	return m, nil
}

// Membership returns a user's membership of an org, or ENotFound.
func (db *DB) Membership(ctx context.Context, orgID, userID int64) (Member, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Member{}, err
	}
	defer tx.Rollback()
	return membership(ctx, tx, orgID, userID)
}

// Members lists an org's members by username.
func (db *DB) Members(ctx context.Context, orgID int64) ([]Member, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+memberColumns+` FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.username`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMember adds an existing user to an org with a role.
func (db *DB) AddMember(ctx context.Context, orgID, userID int64, role string, actor Actor) (Member, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Member{}, err
	}
	defer tx.Rollback()
	u, err := userByID(ctx, tx, userID)
	if err != nil {
		return Member{}, err
	}
	m, err := addMember(ctx, tx, orgID, u, role, actor)
	if err != nil {
		return Member{}, err
	}
	return m, tx.Commit()
}

// CreateMember creates a user and adds them to an org in one transaction, so
// a failure leaves neither behind.
func (db *DB) CreateMember(ctx context.Context, orgID int64, nu NewUser, role string, actor Actor) (Member, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Member{}, err
	}
	defer tx.Rollback()
	u, err := insertUser(ctx, tx, nu)
	if err != nil {
		return Member{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "user.created", TargetType: "user",
		TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username}); err != nil {
		return Member{}, err
	}
	m, err := addMember(ctx, tx, orgID, u, role, actor)
	if err != nil {
		return Member{}, err
	}
	return m, tx.Commit()
}

func addMember(ctx context.Context, tx *Tx, orgID int64, u User, role string, actor Actor) (Member, error) {
	if err := insertMembership(ctx, tx, orgID, u.ID, role); err != nil {
		return Member{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "member.added", TargetType: "user",
		TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username, Details: map[string]string{"role": role}}); err != nil {
		return Member{}, err
	}
	return Member{User: u, Role: role, Since: tx.now}, nil
}

// errLastAdmin is returned when a change would leave an org without an admin.
var errLastAdmin = fault.Field(EConflict, "role", "an organization needs at least one admin: make someone else an admin first")

// lastAdmin reports whether m is the org's only admin.
func lastAdmin(ctx context.Context, tx *Tx, orgID int64, m Member) (bool, error) {
	if m.Role != "admin" {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = 'admin'`, orgID).Scan(&n)
	return n <= 1, err
}

// ChangeRole changes a member's role; demoting the last admin is refused.
func (db *DB) ChangeRole(ctx context.Context, orgID, userID int64, role string, actor Actor) (Member, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Member{}, err
	}
	defer tx.Rollback()
	m, err := membership(ctx, tx, orgID, userID)
	if err != nil {
		return Member{}, err
	}
	if m.Role == role {
		return m, nil
	}
	if last, err := lastAdmin(ctx, tx, orgID, m); err != nil {
		return Member{}, err
	} else if last {
		return Member{}, errLastAdmin
	}
	tx.tokensChanged = true // API tokens act with their creator's role
	if _, err := tx.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`, role, orgID, userID); err != nil {
		return Member{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "member.role_changed", TargetType: "user",
		TargetID: fmt.Sprint(userID), TargetLabel: m.User.Username,
		Details: map[string]string{"from": m.Role, "to": role}}); err != nil {
		return Member{}, err
	}
	m.Role = role
	return m, tx.Commit()
}

// What happens to a removed member's API tokens.
const (
	KeepAPITokens     = "keep"     // they keep working, as the org's
	RevokeAPITokens   = "revoke"   // revoked with the member
	TransferAPITokens = "transfer" // handed to another admin of the org
)

// RemoveOptions says what to do with a removed member's API tokens. The
// zero value keeps them. TransferTo is the admin who receives them.
type RemoveOptions struct {
	APITokens  string
	TransferTo int64
}

// Removal is what removing a member did.
type Removal struct {
	Member
	CLIRevoked     int
	APIRevoked     int
	APITransferred int
	APIKept        int
	TransferredTo  string // the receiving admin's username
	GrantsEnded    int    // the org's grants on their personal tokens, ended
}

// RemoveMember removes a user from an org in one transaction: their live CLI
// tokens there are revoked, their API tokens kept, revoked or handed to
// another admin as opt says. Removing the last admin is refused.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID int64, opt RemoveOptions, actor Actor) (Removal, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Removal{}, err
	}
	defer tx.Rollback()
	m, err := membership(ctx, tx, orgID, userID)
	if err != nil {
		return Removal{}, err
	}
	if last, err := lastAdmin(ctx, tx, orgID, m); err != nil {
		return Removal{}, err
	} else if last {
		return Removal{}, &Error{Code: EConflict, Message: "an organization needs at least one admin: make someone else an admin before removing " + m.User.Username}
	}
	r := Removal{Member: m}
	if r.CLIRevoked, err = revokeOwned(ctx, tx, orgID, userID, "cli", actor); err != nil {
		return Removal{}, err
	}
	if err := settleAPITokens(ctx, tx, orgID, &r, opt, actor); err != nil {
		return Removal{}, err
	}
	if r.GrantsEnded, err = endMemberGrants(ctx, tx, orgID, userID, actor); err != nil {
		return Removal{}, err
	}
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID); err != nil {
		return Removal{}, err
	}
	details := map[string]string{"role": m.Role, "cli_tokens_revoked": fmt.Sprint(r.CLIRevoked)}
	if r.GrantsEnded > 0 {
		details["personal_token_grants_ended"] = fmt.Sprint(r.GrantsEnded)
	}
	switch {
	case r.APIRevoked > 0:
		details["api_tokens_revoked"] = fmt.Sprint(r.APIRevoked)
	case r.APITransferred > 0:
		details["api_tokens_transferred_to"] = r.TransferredTo
	case r.APIKept > 0:
		details["api_tokens_kept"] = fmt.Sprint(r.APIKept)
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "member.removed", TargetType: "user",
		TargetID: fmt.Sprint(userID), TargetLabel: m.User.Username, Details: details}); err != nil {
		return Removal{}, err
	}
	return r, tx.Commit()
}

// revokeOwned revokes a user's live tokens of a kind in an org.
func revokeOwned(ctx context.Context, tx *Tx, orgID, userID int64, kind string, actor Actor) (int, error) {
	ids, err := liveTokenIDs(ctx, tx, `org_id = ? AND kind = ? AND owner_user_id = ?`, orgID, kind, userID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := revokeToken(ctx, tx, orgID, id, "member removed", actor); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// settleAPITokens keeps, revokes or transfers a leaving member's API tokens.
func settleAPITokens(ctx context.Context, tx *Tx, orgID int64, r *Removal, opt RemoveOptions, actor Actor) error {
	var err error
	switch opt.APITokens {
	case "", KeepAPITokens:
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens WHERE org_id = ? AND kind = 'api' AND owner_user_id = ?
			AND revoked_at IS NULL`, orgID, r.User.ID).Scan(&r.APIKept)
		return err
	case RevokeAPITokens:
		r.APIRevoked, err = revokeOwned(ctx, tx, orgID, r.User.ID, "api", actor)
		return err
	case TransferAPITokens:
	default:
		return fault.Field(EInvalid, "api_tokens", "choose to keep, revoke or hand over their API tokens")
	}
	to, err := membership(ctx, tx, orgID, opt.TransferTo)
	if err != nil || to.Role != "admin" || to.User.ID == r.User.ID {
		if err != nil && !IsNotFound(err) {
			return err
		}
		return fault.Field(EInvalid, "transfer_to", "API tokens can be handed only to another admin of this organization")
	}
	r.TransferredTo = to.User.Username
	ids, err := liveTokenIDs(ctx, tx, `org_id = ? AND kind = 'api' AND owner_user_id = ?`, orgID, r.User.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		t, err := tokenByID(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if _, err := handOver(ctx, tx, t, to.User, actor); err != nil {
			return err
		}
	}
	r.APITransferred = len(ids)
	return nil
}

// LiveTokens is a member's live (not revoked) tokens in an org.
type LiveTokens struct {
	Tokens []Token        // by kind, then name; at most 200
	Counts map[string]int // by kind, exact
}

// LiveTokensOf lists and counts the live tokens a user owns in an org, for
// the confirmation before removing them.
func (db *DB) LiveTokensOf(ctx context.Context, orgID, userID int64) (LiveTokens, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return LiveTokens{}, err
	}
	defer tx.Rollback()
	out := LiveTokens{Counts: map[string]int{}}
	rows, err := tx.QueryContext(ctx, `SELECT kind, COUNT(*) FROM tokens
		WHERE org_id = ? AND owner_user_id = ? AND revoked_at IS NULL GROUP BY kind`, orgID, userID)
	if err != nil {
		return LiveTokens{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return LiveTokens{}, err
		}
		out.Counts[kind] = n
	}
	if err := rows.Err(); err != nil {
		return LiveTokens{}, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenJoins+`
		WHERE t.org_id = ? AND t.owner_user_id = ? AND t.revoked_at IS NULL ORDER BY t.kind, t.name LIMIT 200`, orgID, userID)
	if err != nil {
		return LiveTokens{}, err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return LiveTokens{}, err
		}
		out.Tokens = append(out.Tokens, t)
	}
	return out, rows.Err()
}
