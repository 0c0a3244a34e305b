package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The states of a device authorization: waiting for a person on /device,
// approved or denied there, and consumed once its token was made.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceConsumed = "consumed"
)

// DeviceAuthorization is one `tokenward login` (RFC 8628 device flow). The
// device code itself is never kept, only its SHA-256.
type DeviceAuthorization struct {
	ID           int64
	UserCode     string // stored form, without the dash
	ClientID     string
	Scopes       []string
	DeviceName   string
	OrgHint      string // the org slug the CLI asked for, if any
	IP           string // the requesting client
	UserAgent    string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	Interval     int // seconds between polls
	LastPolledAt time.Time
	Status       string
	UserID       int64 // who approved or denied it
	OrgID        int64 // the org its token is for
	DecidedAt    time.Time
	TokenID      string // the token made, once consumed
}

// NewDeviceAuthorization is what it takes to start a device login.
type NewDeviceAuthorization struct {
	DeviceCodeHash []byte
	UserCode       string
	ClientID       string
	Scopes         []string
	DeviceName     string
	OrgHint        string
	IP             string
	UserAgent      string
	Lifetime       time.Duration
	Interval       int
	// MaxPendingPerIP refuses the request with ErrTooManyPending when the IP
	// already has this many pending; 0 means no cap.
	MaxPendingPerIP int
}

// ErrTooManyPending refuses a device login from an IP that has too many
// pending already.
var ErrTooManyPending = &Error{Code: EConflict, Message: "too many logins are waiting for approval from this address"}

// deviceKeep is how long a finished or expired device authorization is kept
// before a new one clears it away: long enough to answer a late poll with
// expired_token or invalid_grant rather than a bare unknown code.
const deviceKeep = 24 * time.Hour

const deviceColumns = `id, user_code, client_id, scopes, device_name, org_hint, ip, user_agent, created_at, expires_at,
	interval_seconds, last_polled_at, status, COALESCE(user_id, 0), COALESCE(org_id, 0), decided_at, COALESCE(token_id, '')`

func scanDevice(row interface{ Scan(...any) error }) (DeviceAuthorization, error) {
	var d DeviceAuthorization
	var scopes string
	var created, expires, polled, decided sql.NullString
	err := row.Scan(&d.ID, &d.UserCode, &d.ClientID, &scopes, &d.DeviceName, &d.OrgHint, &d.IP, &d.UserAgent, &created, &expires,
		&d.Interval, &polled, &d.Status, &d.UserID, &d.OrgID, &decided, &d.TokenID)
	if errors.Is(err, sql.ErrNoRows) {
		return DeviceAuthorization{}, notFound("login request")
	}
	if err != nil {
		return DeviceAuthorization{}, err
	}
	d.Scopes = strings.Fields(scopes)
	d.CreatedAt, d.ExpiresAt, d.LastPolledAt, d.DecidedAt = scanTime(created), scanTime(expires), scanTime(polled), scanTime(decided)
	return d, nil
}

// CreateDeviceAuthorization starts a device login. A user code already
// pending is an EConflict on "user_code" (make another and try again); an IP
// at its cap of pending logins gets ErrTooManyPending.
func (db *DB) CreateDeviceAuthorization(ctx context.Context, nd NewDeviceAuthorization) (DeviceAuthorization, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM device_authorizations WHERE expires_at < ?`, formatTime(tx.now.Add(-deviceKeep))); err != nil {
		return DeviceAuthorization{}, fmt.Errorf("clear old device authorizations: %w", err)
	}
	if nd.MaxPendingPerIP > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM device_authorizations WHERE ip = ? AND status = 'pending' AND expires_at > ?`,
			nd.IP, formatTime(tx.now)).Scan(&n); err != nil {
			return DeviceAuthorization{}, err
		}
		if n >= nd.MaxPendingPerIP {
			return DeviceAuthorization{}, ErrTooManyPending
		}
	}
	id, err := insertID(ctx, tx, `INSERT INTO device_authorizations (device_code_hash, user_code, client_id, scopes, device_name,
		org_hint, ip, user_agent, created_at, expires_at, interval_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nd.DeviceCodeHash, nd.UserCode, nd.ClientID, strings.Join(nd.Scopes, " "), nd.DeviceName, nd.OrgHint, nd.IP, nd.UserAgent,
		formatTime(tx.now), formatTime(tx.now.Add(nd.Lifetime)), nd.Interval)
	if isUnique(err) {
		return DeviceAuthorization{}, conflict("user_code", "this code is already in use: make another")
	}
	if err != nil {
		return DeviceAuthorization{}, fmt.Errorf("insert device authorization: %w", err)
	}
	d, err := scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_authorizations WHERE id = ?`, id))
	if err != nil {
		return DeviceAuthorization{}, err
	}
	return d, tx.Commit()
}

// pendingDevice loads the pending, unexpired device authorization with this
// user code; anything else is ENotFound.
func pendingDevice(ctx context.Context, tx *Tx, userCode string) (DeviceAuthorization, error) {
	return scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_authorizations
		WHERE user_code = ? AND status = 'pending' AND expires_at > ?`, userCode, formatTime(tx.now)))
}

// PendingDeviceAuthorization finds the login waiting for approval under a
// user code (stored form). An unknown, expired or decided code is ENotFound.
func (db *DB) PendingDeviceAuthorization(ctx context.Context, userCode string) (DeviceAuthorization, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	defer tx.Rollback()
	return pendingDevice(ctx, tx, userCode)
}

// ApproveDeviceAuthorization records that actor approved the pending login
// with this user code, for a token in orgID. The caller has checked that
// actor may create CLI tokens there.
func (db *DB) ApproveDeviceAuthorization(ctx context.Context, userCode string, orgID int64, actor Actor) (DeviceAuthorization, error) {
	if orgID == 0 || actor.UserID == 0 {
		return DeviceAuthorization{}, &Error{Code: EInvalid, Message: "an approval needs the approving user and the org"}
	}
	return db.decideDevice(ctx, userCode, DeviceApproved, orgID, actor)
}

// DenyDeviceAuthorization records that actor refused the pending login with
// this user code. orgID, when not 0, is the org the event is filed under.
func (db *DB) DenyDeviceAuthorization(ctx context.Context, userCode string, orgID int64, actor Actor) (DeviceAuthorization, error) {
	if actor.UserID == 0 {
		return DeviceAuthorization{}, &Error{Code: EInvalid, Message: "a denial needs the user who denies"}
	}
	return db.decideDevice(ctx, userCode, DeviceDenied, orgID, actor)
}

func (db *DB) decideDevice(ctx context.Context, userCode, status string, orgID int64, actor Actor) (DeviceAuthorization, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	defer tx.Rollback()
	d, err := pendingDevice(ctx, tx, userCode)
	if err != nil {
		return DeviceAuthorization{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE device_authorizations SET status = ?, user_id = ?, org_id = ?, decided_at = ? WHERE id = ?`,
		status, actor.UserID, nullID(orgID), formatTime(tx.now), d.ID); err != nil {
		return DeviceAuthorization{}, err
	}
	d.Status, d.UserID, d.OrgID, d.DecidedAt = status, actor.UserID, orgID, tx.now
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "device." + status, TargetType: "device",
		TargetID: fmt.Sprint(d.ID), TargetLabel: d.DeviceName, Details: map[string]string{"scopes": strings.Join(d.Scopes, " "),
			"client_id": d.ClientID, "device_ip": d.IP}}); err != nil {
		return DeviceAuthorization{}, err
	}
	return d, tx.Commit()
}

// PollOutcome is what a poll of the token endpoint finds.
type PollOutcome string

// The outcomes of PollDeviceAuthorization.
const (
	PollPending  PollOutcome = "pending"   // nobody decided yet
	PollSlowDown PollOutcome = "slow_down" // polled faster than the interval, which is now 5 s longer
	PollApproved PollOutcome = "approved"  // approved: ConsumeDeviceAuthorization makes the token
	PollDenied   PollOutcome = "denied"
	PollExpired  PollOutcome = "expired"
	PollUnknown  PollOutcome = "unknown" // no such device code, or one already used
)

// slowDownStep is how much each slow_down raises the interval (RFC 8628 §3.5).
const slowDownStep = 5

// PollDeviceAuthorization is one poll by the device holding the device
// code with this hash: it says where the login stands and notes the poll.
// A pending login polled sooner than its interval after the last poll
// answers PollSlowDown and raises the interval by 5 s. Timestamps have a
// one-second resolution, so a poll counts as too soon only when it comes
// a whole second early: a client keeping to the interval is never told to
// slow down because of rounding or network delay.
func (db *DB) PollDeviceAuthorization(ctx context.Context, deviceCodeHash []byte) (DeviceAuthorization, PollOutcome, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return DeviceAuthorization{}, "", err
	}
	defer tx.Rollback()
	d, err := scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_authorizations WHERE device_code_hash = ?`, deviceCodeHash))
	if IsNotFound(err) {
		return DeviceAuthorization{}, PollUnknown, nil
	}
	if err != nil {
		return DeviceAuthorization{}, "", err
	}
	switch {
	case d.Status == DeviceConsumed:
		return d, PollUnknown, nil
	case d.Status == DeviceDenied:
		return d, PollDenied, nil
	case !tx.now.Before(d.ExpiresAt):
		return d, PollExpired, nil
	}
	outcome := PollPending
	if d.Status == DeviceApproved {
		outcome = PollApproved
	} else if !d.LastPolledAt.IsZero() && tx.now.Before(d.LastPolledAt.Add(time.Duration(d.Interval-1)*time.Second)) {
		outcome = PollSlowDown
		d.Interval += slowDownStep
	}
	d.LastPolledAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE device_authorizations SET last_polled_at = ?, interval_seconds = ? WHERE id = ?`,
		formatTime(tx.now), d.Interval, d.ID); err != nil {
		return DeviceAuthorization{}, "", err
	}
	return d, outcome, tx.Commit()
}

// ConsumeDeviceAuthorization makes the token of an approved device login and
// marks the login consumed, in one transaction, so a device code yields one
// token at most. The token must be for the approving user in the approved
// org. A code that is unknown, not approved, already used or expired is
// ENotFound; a taken name is an EConflict on "name", as for CreateToken.
func (db *DB) ConsumeDeviceAuthorization(ctx context.Context, deviceCodeHash []byte, nt NewToken, actor Actor) (Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback()
	d, err := scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM device_authorizations
		WHERE device_code_hash = ? AND status = 'approved' AND expires_at > ?`, deviceCodeHash, formatTime(tx.now)))
	if err != nil {
		return Token{}, err
	}
	if nt.OrgID != d.OrgID || nt.OwnerUserID != d.UserID || nt.CreatorID != d.UserID || nt.Kind != "cli" {
		return Token{}, &Error{Code: EInvalid, Message: "the token must be a CLI token of the approving user in the approved org"}
	}
	t, err := insertToken(ctx, tx, nt, actor)
	if err != nil {
		return Token{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE device_authorizations SET status = 'consumed', token_id = ? WHERE id = ?`, t.ID, d.ID); err != nil {
		return Token{}, err
	}
	return t, tx.Commit()
}
