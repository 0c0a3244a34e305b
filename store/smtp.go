package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SMTP security modes.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS (usually port 587)
	SMTPTLS      = "tls"      // TLS from the first byte (usually port 465)
	SMTPNone     = "none"     // no encryption: only for a relay on a trusted network
)

// SMTPSettings is the deployment's outgoing mail server. PasswordSealed is
// the password encrypted by the web layer; the store never sees it in
// plain text.
type SMTPSettings struct {
	Host           string
	Port           int
	Security       string
	Username       string
	PasswordSealed []byte // nil: no password
	From           string
	UpdatedAt      time.Time
}

// Configured reports whether email can be sent at all.
func (s SMTPSettings) Configured() bool { return s.Host != "" }

// SMTPSettings returns the saved settings; the zero value (not Configured)
// when none are saved.
func (db *DB) SMTPSettings(ctx context.Context) (SMTPSettings, error) {
	var s SMTPSettings
	var updated sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT host, port, security, username, password_sealed, from_address, updated_at
		FROM smtp_settings WHERE id = 1`).Scan(&s.Host, &s.Port, &s.Security, &s.Username, &s.PasswordSealed, &s.From, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return SMTPSettings{}, nil
	}
	if err != nil {
		return SMTPSettings{}, err
	}
	s.UpdatedAt = scanTime(updated)
	return s, nil
}

// SaveSMTPSettings stores the settings; once email is set up, the
// notifications made from then on are emailed. keepPassword keeps the saved
// password instead of s.PasswordSealed (the form left it empty); without a
// username no password is kept. The audit event records what changed but
// never the password.
func (db *DB) SaveSMTPSettings(ctx context.Context, s SMTPSettings, keepPassword bool, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A first save (no row yet) marks where email starts: notifications made
	// before it are not mailed. Later saves leave the mark.
	_, err = tx.ExecContext(ctx, `INSERT INTO smtp_settings (id, host, port, security, username, password_sealed, from_address, updated_at, updated_by,
		mail_after) VALUES (1, :host, :port, :security, :username, :sealed, :from, :now, :by, (SELECT COALESCE(MAX(id), 0) FROM notifications))
		ON CONFLICT (id) DO UPDATE SET host = :host, port = :port, security = :security, username = :username,
		password_sealed = CASE WHEN :username = '' THEN NULL WHEN :keep = 1 THEN smtp_settings.password_sealed ELSE :sealed END,
		from_address = :from, updated_at = :now, updated_by = :by`,
		named("host", s.Host), named("port", s.Port), named("security", s.Security), named("username", s.Username),
		named("sealed", nullBytes(s.PasswordSealed)), named("keep", keepPassword), named("from", s.From),
		named("now", formatTime(tx.now)), named("by", nullID(actor.UserID)))
	if err != nil {
		return fmt.Errorf("save smtp settings: %w", err)
	}
	details := map[string]string{"host": s.Host, "port": fmt.Sprint(s.Port), "security": s.Security,
		"username": s.Username, "from": s.From, "password": "unchanged"}
	if !keepPassword {
		details["password"] = "changed"
	}
	if err := recordEvent(ctx, tx, actor, Event{Action: "smtp.updated", TargetType: "smtp", TargetLabel: s.Host, Details: details}); err != nil {
		return err
	}
	return tx.Commit()
}

// RemoveSMTPSettings deletes the settings: no more email is sent.
func (db *DB) RemoveSMTPSettings(ctx context.Context, actor Actor) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM smtp_settings WHERE id = 1`)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := recordEvent(ctx, tx, actor, Event{Action: "smtp.removed", TargetType: "smtp"}); err != nil {
		return err
	}
	return tx.Commit()
}
