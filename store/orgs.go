package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"tokenward/auth/fault"
)

// Org is an organization: the unit that owns members, services and tokens.
type Org struct {
	ID        int64
	Slug      string
	Name      string
	CreatedAt time.Time
	Policy    Policy
}

// Policy is an org's token policy.
type Policy struct {
	// MaxDays is the longest any token lives, from its creation, enforced
	// when a token is checked; 0 means no maximum.
	MaxDays int
	// DefaultDays is the expiry the create dialog preselects.
	DefaultDays int
	// NeverExpire says, per kind, whether tokens may be made without expiry.
	NeverExpire map[string]bool
}

// DefaultPolicy is a new org's policy: no maximum, 30-day default, every
// token expires.
func DefaultPolicy() Policy {
	return Policy{DefaultDays: 30, NeverExpire: map[string]bool{"api": false, "cli": false, "service": false}}
}

// NewOrg is what it takes to create an organization.
type NewOrg struct {
	Slug string
	Name string
}

// OrgSummary is an org with its member count, for the site admin's list.
type OrgSummary struct {
	Org
	Members int
}

// OrgRole is an org the user belongs to and their role in it.
type OrgRole struct {
	Org
	Role string
}

const orgColumns = `o.id, o.slug, o.name, o.created_at, COALESCE(o.policy_max_days, 0), o.policy_default_days,
	o.policy_never_api, o.policy_never_cli, o.policy_never_service`

func scanOrg(row interface{ Scan(...any) error }, extra ...any) (Org, error) {
	var o Org
	var created sql.NullString
	var never [3]bool
	o.Policy = DefaultPolicy()
	if err := row.Scan(append([]any{&o.ID, &o.Slug, &o.Name, &created, &o.Policy.MaxDays, &o.Policy.DefaultDays,
		&never[0], &never[1], &never[2]}, extra...)...); err != nil {
		return Org{}, err
	}
	o.CreatedAt = scanTime(created)
	o.Policy.NeverExpire = map[string]bool{"api": never[0], "cli": never[1], "service": never[2]}
	return o, nil
}

func insertOrg(ctx context.Context, tx *Tx, no NewOrg) (Org, error) {
	id, err := insertID(ctx, tx, `INSERT INTO organizations (slug, name, created_at) VALUES (?, ?, ?)`,
		no.Slug, no.Name, formatTime(tx.now))
	if isUnique(err) {
		return Org{}, conflict("slug", fmt.Sprintf("an organization with the slug %q already exists", no.Slug))
	}
	if err != nil {
		return Org{}, fmt.Errorf("insert org: %w", err)
	}
	return Org{ID: id, Slug: no.Slug, Name: no.Name, CreatedAt: tx.now, Policy: DefaultPolicy()}, nil
}

func orgBySlug(ctx context.Context, tx *Tx, slug string) (Org, error) {
	o, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE o.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, notFound("organization")
	}
	return o, err
}

// CreateOrg creates an organization with firstAdmin as its admin, in one
// transaction so an org never exists without one; a taken slug is an
// EConflict error.
func (db *DB) CreateOrg(ctx context.Context, no NewOrg, firstAdmin int64, actor Actor) (Org, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Org{}, err
	}
	defer tx.Rollback()
	o, err := insertOrg(ctx, tx, no)
	if err != nil {
		return Org{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: o.ID, Action: "org.created", TargetType: "org",
		TargetID: o.Slug, TargetLabel: o.Name}); err != nil {
		return Org{}, err
	}
	u, err := userByID(ctx, tx, firstAdmin)
	if err != nil {
		return Org{}, err
	}
	if _, err := addMember(ctx, tx, o.ID, u, "admin", actor); err != nil {
		return Org{}, err
	}
	return o, tx.Commit()
}

// CreateUserInOrg creates a user and makes them a member of the org with
// the given slug, creating the org first when it does not exist yet (its
// first member must then be an admin). All of it is one transaction.
func (db *DB) CreateUserInOrg(ctx context.Context, nu NewUser, slug, role string, actor Actor) (User, Org, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return User{}, Org{}, err
	}
	defer tx.Rollback()
	o, err := orgBySlug(ctx, tx, slug)
	created := false
	if IsNotFound(err) {
		if role != "admin" {
			return User{}, Org{}, fault.Field(EInvalid, "role", fmt.Sprintf("the organization %q does not exist yet, and its first member must be an admin", slug))
		}
		o, err = insertOrg(ctx, tx, NewOrg{Slug: slug, Name: slug})
		created = true
	}
	if err != nil {
		return User{}, Org{}, err
	}
	u, err := insertUser(ctx, tx, nu)
	if err != nil {
		return User{}, Org{}, err
	}
	if actor.UserID == 0 {
		actor.UserID, actor.Label = u.ID, u.Username
	}
	events := []Event{{OrgID: o.ID, Action: "user.created", TargetType: "user", TargetID: fmt.Sprint(u.ID), TargetLabel: u.Username}}
	if created {
		events = append(events, Event{OrgID: o.ID, Action: "org.created", TargetType: "org", TargetID: o.Slug, TargetLabel: o.Name})
	}
	for _, e := range events {
		if err := recordEvent(ctx, tx, actor, e); err != nil {
			return User{}, Org{}, err
		}
	}
	if _, err := addMember(ctx, tx, o.ID, u, role, actor); err != nil {
		return User{}, Org{}, err
	}
	return u, o, tx.Commit()
}

// OrgBySlug finds an organization by its slug.
func (db *DB) OrgBySlug(ctx context.Context, slug string) (Org, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Org{}, err
	}
	defer tx.Rollback()
	return orgBySlug(ctx, tx, slug)
}

// Orgs lists every organization with its member count, by slug.
func (db *DB) Orgs(ctx context.Context) ([]OrgSummary, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+orgColumns+`,
		(SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id)
		FROM organizations o ORDER BY o.slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrgSummary
	for rows.Next() {
		var s OrgSummary
		if s.Org, err = scanOrg(rows, &s.Members); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UserOrgs lists the orgs a user belongs to with their role in each, by slug.
func (db *DB) UserOrgs(ctx context.Context, userID int64) ([]OrgRole, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+orgColumns+`, m.role FROM memberships m
		JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY o.slug`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrgRole
	for rows.Next() {
		var r OrgRole
		if r.Org, err = scanOrg(rows, &r.Role); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetPolicy saves an org's token policy.
func (db *DB) SetPolicy(ctx context.Context, orgID int64, p Policy, actor Actor) (Org, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Org{}, err
	}
	defer tx.Rollback()
	var maxDays any
	if p.MaxDays > 0 {
		maxDays = p.MaxDays
	}
	tx.tokensChanged = true
	if _, err := tx.ExecContext(ctx, `UPDATE organizations SET policy_max_days = ?, policy_default_days = ?,
		policy_never_api = ?, policy_never_cli = ?, policy_never_service = ? WHERE id = ?`,
		maxDays, p.DefaultDays, p.NeverExpire["api"], p.NeverExpire["cli"], p.NeverExpire["service"], orgID); err != nil {
		return Org{}, err
	}
	o, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = ?`, orgID))
	if err != nil {
		return Org{}, err
	}
	max := "none"
	if p.MaxDays > 0 {
		max = fmt.Sprintf("%d days", p.MaxDays)
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "policy.changed", TargetType: "org", TargetID: o.Slug,
		TargetLabel: o.Name, Details: map[string]string{"max_lifetime": max, "default_expiry": fmt.Sprintf("%d days", p.DefaultDays),
			"never_expire": neverList(p.NeverExpire)}}); err != nil {
		return Org{}, err
	}
	return o, tx.Commit()
}

func neverList(m map[string]bool) string {
	var kinds []string
	for _, k := range []string{"api", "cli", "service"} {
		if m[k] {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, ", ")
}

// OrgByID finds an organization by id.
func (db *DB) OrgByID(ctx context.Context, id int64) (Org, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Org{}, err
	}
	defer tx.Rollback()
	o, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, notFound("organization")
	}
	return o, err
}
