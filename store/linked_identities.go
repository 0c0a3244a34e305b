package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tokenward/auth/fault"
)

// LinkedIdentity is a user's identity at a provider.
type LinkedIdentity struct {
	ProviderID   int64
	ProviderName string
	Subject      string
	UserID       int64
	Email        string
	LinkedAt     time.Time
	LastSignInAt time.Time
}

// Identity is what a provider said about the person who signed in there.
type Identity struct {
	ProviderID int64
	Subject    string
	Email      string
}

// insertLink links id to the user, after checking (before writing: a
// failed statement would abort a PostgreSQL transaction) that the identity
// is nobody's and the user has none at that provider.
func insertLink(ctx context.Context, tx *Tx, userID int64, id Identity) error {
	var others, mine int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM linked_identities WHERE provider_id = ? AND subject = ?),
		(SELECT COUNT(*) FROM linked_identities WHERE provider_id = ? AND user_id = ?)`,
		id.ProviderID, id.Subject, id.ProviderID, userID).Scan(&others, &mine); err != nil {
		return err
	}
	switch {
	case others > 0:
		return conflict("identity", "this identity is linked to an account already")
	case mine > 0:
		return conflict("identity", "your account is linked to an identity at this provider already: unlink it first")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO linked_identities (provider_id, subject, user_id, email, linked_at) VALUES (?, ?, ?, ?, ?)`,
		id.ProviderID, id.Subject, userID, id.Email, formatTime(tx.now))
	if isUnique(err) {
		return conflict("identity", "this identity was linked meanwhile")
	}
	return err
}

// IdentityUser returns the user an identity is linked to, or ENotFound.
func (db *DB) IdentityUser(ctx context.Context, providerID int64, subject string) (User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	var userID int64
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM linked_identities WHERE provider_id = ? AND subject = ?`,
		providerID, subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, notFound("linked identity")
	}
	if err != nil {
		return User{}, err
	}
	return userByID(ctx, tx, userID)
}

// LinkIdentity links an identity to a user who chose to link it while
// signed in. An identity linked elsewhere, or a second identity at the same
// provider, is an EConflict.
func (db *DB) LinkIdentity(ctx context.Context, userID int64, id Identity, providerName string, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := userByID(ctx, tx, userID)
	if err != nil {
		return err
	}
	if err := insertLink(ctx, tx, userID, id); err != nil {
		return err
	}
	if err := recordEvent(ctx, tx, actor, linkEvent("identity.linked", u, providerName, id.Email)); err != nil {
		return err
	}
	return tx.Commit()
}

func linkEvent(action string, u User, providerName, email string) Event {
	return Event{Action: action, TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username,
		Details: map[string]string{"provider": providerName, "email": email}}
}

// UnlinkIdentity removes a user's identity at a provider. Removing the only
// way in of a user without a password is refused.
func (db *DB) UnlinkIdentity(ctx context.Context, userID, providerID int64, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := userByID(ctx, tx, userID)
	if err != nil {
		return err
	}
	var name, email string
	err = tx.QueryRowContext(ctx, `SELECT p.name, l.email FROM linked_identities l JOIN identity_providers p ON p.id = l.provider_id
		WHERE l.user_id = ? AND l.provider_id = ?`, userID, providerID).Scan(&name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("linked identity")
	}
	if err != nil {
		return err
	}
	var links int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM linked_identities WHERE user_id = ?`, userID).Scan(&links); err != nil {
		return err
	}
	if u.PasswordHash == "" && links <= 1 {
		return &Error{Code: EConflict, Message: "This is your only way to sign in: you have no password and no other provider linked. Link another provider first."}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM linked_identities WHERE user_id = ? AND provider_id = ?`, userID, providerID); err != nil {
		return err
	}
	if err := recordEvent(ctx, tx, actor, linkEvent("identity.unlinked", u, name, email)); err != nil {
		return err
	}
	return tx.Commit()
}

// UserIdentities lists a user's linked identities by provider name.
func (db *DB) UserIdentities(ctx context.Context, userID int64) ([]LinkedIdentity, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT l.provider_id, p.name, l.subject, l.user_id, l.email, l.linked_at, l.last_sign_in_at
		FROM linked_identities l JOIN identity_providers p ON p.id = l.provider_id WHERE l.user_id = ? ORDER BY lower(p.name)`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LinkedIdentity
	for rows.Next() {
		var l LinkedIdentity
		var linked, last sql.NullString
		if err := rows.Scan(&l.ProviderID, &l.ProviderName, &l.Subject, &l.UserID, &l.Email, &linked, &last); err != nil {
			return nil, err
		}
		l.LinkedAt, l.LastSignInAt = scanTime(linked), scanTime(last)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Join is a first sign-in through a provider that lets people join: the
// user to create (the first free username of Usernames, no password) and
// the org and role they join with.
type Join struct {
	Usernames   []string
	Email       string
	DisplayName string
	Identity    Identity
	Provider    string
	OrgID       int64
	Role        string
}

// JoinThroughProvider creates the user, their membership and their linked
// identity in one transaction. An account with the same email is an
// EConflict: its owner signs in and links the identity instead, so an
// identity never lands in an existing account unasked.
func (db *DB) JoinThroughProvider(ctx context.Context, j Join, actor Actor) (User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return User{}, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE lower(email) = lower(?)`, j.Email).Scan(&n); err != nil {
		return User{}, err
	}
	if n > 0 {
		return User{}, fault.Field(EConflict, "email", "an account with this email exists already")
	}
	var u User
	for _, name := range j.Usernames {
		if _, err := userByUsername(ctx, tx, name); IsNotFound(err) {
			u, err = insertUser(ctx, tx, NewUser{Username: name, Email: j.Email, DisplayName: j.DisplayName})
			if err != nil {
				return User{}, err
			}
			break
		} else if err != nil {
			return User{}, err
		}
	}
	if u.ID == 0 {
		return User{}, fault.Field(EConflict, "username", "no free username for this identity: ask an admin to add you")
	}
	actor.UserID, actor.Label = u.ID, u.Username
	if err := recordEvent(ctx, tx, actor, Event{OrgID: j.OrgID, Action: "user.created", TargetType: "user",
		TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username, Details: map[string]string{"via": j.Provider}}); err != nil {
		return User{}, err
	}
	if _, err := addMember(ctx, tx, j.OrgID, u, j.Role, actor); err != nil {
		return User{}, err
	}
	if err := insertLink(ctx, tx, u.ID, j.Identity); err != nil {
		return User{}, err
	}
	if err := recordEvent(ctx, tx, actor, linkEvent("identity.linked", u, j.Provider, j.Email)); err != nil {
		return User{}, err
	}
	return u, tx.Commit()
}

// RecordSignIn notes that u signed in, by password (providerID 0, via
// "password") or through a provider, and records the sign-in event.
func (db *DB) RecordSignIn(ctx context.Context, u User, via string, providerID int64, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_sign_in_at = ?, last_sign_in_via = ? WHERE id = ?`,
		formatTime(tx.now), via, u.ID); err != nil {
		return err
	}
	if providerID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE linked_identities SET last_sign_in_at = ? WHERE user_id = ? AND provider_id = ?`,
			formatTime(tx.now), u.ID, providerID); err != nil {
			return err
		}
	}
	e := Event{Action: "user.signed_in", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username}
	if providerID != 0 {
		e.Details = map[string]string{"via": via}
	}
	if err := recordEvent(ctx, tx, actor, e); err != nil {
		return err
	}
	return tx.Commit()
}

// SignInMethods is how a user signs in and when they last did.
type SignInMethods struct {
	Password     bool
	Providers    []string
	LastSignInAt time.Time
	LastVia      string
}

// OrgSignInMethods returns, for each member of an org by user id, how they
// sign in and when they last did.
func (db *DB) OrgSignInMethods(ctx context.Context, orgID int64) (map[int64]SignInMethods, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := map[int64]SignInMethods{}
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.password_hash <> '', u.last_sign_in_at, u.last_sign_in_via
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m SignInMethods
		var last sql.NullString
		if err := rows.Scan(&id, &m.Password, &last, &m.LastVia); err != nil {
			return nil, err
		}
		m.LastSignInAt = scanTime(last)
		out[id] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	links, err := tx.QueryContext(ctx, `SELECT l.user_id, p.name FROM linked_identities l
		JOIN identity_providers p ON p.id = l.provider_id JOIN memberships m ON m.user_id = l.user_id AND m.org_id = ?
		ORDER BY lower(p.name)`, orgID)
	if err != nil {
		return nil, err
	}
	defer links.Close()
	for links.Next() {
		var id int64
		var name string
		if err := links.Scan(&id, &name); err != nil {
			return nil, err
		}
		m := out[id]
		m.Providers = append(m.Providers, name)
		out[id] = m
	}
	return out, links.Err()
}
