package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a person who signs in to Tokenward.
type User struct {
	ID           int64
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	SiteAdmin    bool
	DisabledAt   time.Time
	CreatedAt    time.Time
}

// Disabled reports whether the user may no longer sign in.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Name is the display name, or the username when there is none.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// NewUser is what it takes to create a user; the password arrives hashed.
type NewUser struct {
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	SiteAdmin    bool
}

const userColumns = `id, username, email, display_name, password_hash, site_admin, disabled_at, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var disabled, created sql.NullString
	if err := row.Scan(&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.PasswordHash, &u.SiteAdmin, &disabled, &created); err != nil {
		return User{}, err
	}
	u.DisabledAt, u.CreatedAt = scanTime(disabled), scanTime(created)
	return u, nil
}

func insertUser(ctx context.Context, tx *Tx, nu NewUser) (User, error) {
	id, err := insertID(ctx, tx, `INSERT INTO users (username, email, display_name, password_hash, site_admin, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, nu.Username, nu.Email, nu.DisplayName, nu.PasswordHash, nu.SiteAdmin, formatTime(tx.now))
	if isUnique(err) {
		return User{}, conflict("username", fmt.Sprintf("the username %q is taken", nu.Username))
	}
	if err != nil {
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return User{ID: id, Username: nu.Username, Email: nu.Email, DisplayName: nu.DisplayName,
		PasswordHash: nu.PasswordHash, SiteAdmin: nu.SiteAdmin, CreatedAt: tx.now}, nil
}

func userByUsername(ctx context.Context, tx *Tx, username string) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, notFound("user")
	}
	return u, err
}

func userByID(ctx context.Context, tx *Tx, id int64) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, notFound("user")
	}
	return u, err
}

// CreateUser creates a user; a taken username is an EConflict error.
func (db *DB) CreateUser(ctx context.Context, nu NewUser, actor Actor) (User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	u, err := insertUser(ctx, tx, nu)
	if err != nil {
		return User{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{Action: "user.created", TargetType: "user",
		TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username}); err != nil {
		return User{}, err
	}
	return u, tx.Commit()
}

// UserByUsername finds a user by username, ignoring case.
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	return userByUsername(ctx, tx, username)
}

// UserByID finds a user by id.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	return userByID(ctx, tx, id)
}

// Users lists every user, by username.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// HasSiteAdmin reports whether any site admin exists, which is what decides
// whether the first-run setup is still open.
func (db *DB) HasSiteAdmin(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE site_admin = 1`).Scan(&n)
	return n > 0, err
}

// SetUserDisabled disables or re-enables a user. Disabling ends every
// session the user has, so they are signed out at their next request, and
// (through the token generation) their CLI tokens are refused from the
// next request on.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool, actor Actor) (User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	u, err := userByID(ctx, tx, userID)
	if err != nil {
		return User{}, err
	}
	action := "user.enabled"
	tx.tokensChanged = true // a disabled user's CLI tokens are refused, so cached checks must go
	if disabled {
		action = "user.disabled"
		if u.SiteAdmin && u.ID == actor.UserID {
			return User{}, &Error{Code: EInvalid, Message: "you cannot disable your own account"}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, formatTime(tx.now), userID); err != nil {
			return User{}, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return User{}, err
		}
		u.DisabledAt = tx.now
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = NULL WHERE id = ?`, userID); err != nil {
			return User{}, err
		}
		u.DisabledAt = time.Time{}
	}
	if err := recordEvent(ctx, tx, actor, Event{Action: action, TargetType: "user",
		TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username}); err != nil {
		return User{}, err
	}
	return u, tx.Commit()
}

// SetupFirstAdmin creates the first site admin and the first organization,
// with the admin as its admin, in one transaction. It refuses once any site
// admin exists, so two racing setup requests cannot both succeed.
func (db *DB) SetupFirstAdmin(ctx context.Context, nu NewUser, no NewOrg, ip string) (User, Org, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return User{}, Org{}, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE site_admin = 1`).Scan(&n); err != nil {
		return User{}, Org{}, err
	}
	if n > 0 {
		return User{}, Org{}, conflict("", "Tokenward is already set up; sign in instead")
	}
	nu.SiteAdmin = true
	u, err := insertUser(ctx, tx, nu)
	if err != nil {
		return User{}, Org{}, err
	}
	actor := Actor{UserID: u.ID, Label: u.Username, IP: ip}
	o, err := insertOrg(ctx, tx, no)
	if err != nil {
		return User{}, Org{}, err
	}
	if err := insertMembership(ctx, tx, o.ID, u.ID, "admin"); err != nil {
		return User{}, Org{}, err
	}
	for _, e := range []Event{
		{Action: "setup.completed", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username},
		{OrgID: o.ID, Action: "org.created", TargetType: "org", TargetID: o.Slug, TargetLabel: o.Name},
		{OrgID: o.ID, Action: "member.added", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username,
			Details: map[string]string{"role": "admin"}},
	} {
		if err := recordEvent(ctx, tx, actor, e); err != nil {
			return User{}, Org{}, err
		}
	}
	return u, o, tx.Commit()
}
