package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Session is a signed-in browser session. Only the hash of its id is stored.
type Session struct {
	IDHash     string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// SessionLimits are how long a session lives: Idle since its last request,
// Absolute since sign-in.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// CreateSession records a new session for a user and drops the user's
// sessions that have outlived the limits.
func (db *DB) CreateSession(ctx context.Context, idHash string, userID int64, ip, userAgent string, lim SessionLimits) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND (created_at < ? OR last_seen_at < ?)`,
		userID, formatTime(tx.now.Add(-lim.Absolute)), formatTime(tx.now.Add(-lim.Idle))); err != nil {
		return err
	}
	if len(userAgent) > 512 {
		userAgent = userAgent[:512]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?)`, idHash, userID, formatTime(tx.now), formatTime(tx.now), ip, userAgent); err != nil {
		return err
	}
	return tx.Commit()
}

// SessionUser returns the session and its user when the session exists, is
// within its limits and the user is not disabled; otherwise ENotFound.
func (db *DB) SessionUser(ctx context.Context, idHash string, lim SessionLimits) (Session, User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Session{}, User{}, err
	}
	defer tx.Rollback()
	var s Session
	var created, seen sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id_hash, user_id, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.UserID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, notFound("session")
	}
	if err != nil {
		return Session{}, User{}, err
	}
	s.CreatedAt, s.LastSeenAt = scanTime(created), scanTime(seen)
	if tx.now.Sub(s.CreatedAt) > lim.Absolute || tx.now.Sub(s.LastSeenAt) > lim.Idle {
		return Session{}, User{}, notFound("session")
	}
	u, err := userByID(ctx, tx, s.UserID)
	if err != nil {
		return Session{}, User{}, err
	}
	if u.Disabled() {
		return Session{}, User{}, notFound("session")
	}
	return s, u, nil
}

// TouchSession records that the session made a request now.
func (db *DB) TouchSession(ctx context.Context, idHash string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, formatTime(db.now()), idHash)
	return err
}

// DeleteSession ends a session (sign-out).
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}
