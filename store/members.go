package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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
var errLastAdmin = &Error{Code: EConflict, Field: "role",
	Message: "an organization needs at least one admin: make someone else an admin first"}

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

// RemoveMember removes a user from an org; removing the last admin is refused.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID int64, actor Actor) (Member, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Member{}, err
	}
	defer tx.Rollback()
	m, err := membership(ctx, tx, orgID, userID)
	if err != nil {
		return Member{}, err
	}
	if last, err := lastAdmin(ctx, tx, orgID, m); err != nil {
		return Member{}, err
	} else if last {
		return Member{}, &Error{Code: EConflict, Message: "an organization needs at least one admin: make someone else an admin before removing " + m.User.Username}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID); err != nil {
		return Member{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "member.removed", TargetType: "user",
		TargetID: fmt.Sprint(userID), TargetLabel: m.User.Username, Details: map[string]string{"role": m.Role}}); err != nil {
		return Member{}, err
	}
	return m, tx.Commit()
}
