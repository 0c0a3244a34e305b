package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Identity provider kinds.
const (
	ProviderOIDC   = "oidc"   // an OpenID Connect issuer, found by discovery
	ProviderGitHub = "github" // GitHub's OAuth app with its user and emails API
)

// IdentityProvider is a site-wide way to sign in. SecretSealed is the client
// secret sealed by the web layer; the store never sees it in plain text.
type IdentityProvider struct {
	ID           int64
	Kind         string
	Name         string
	Issuer       string // OIDC issuer URL, or GitHub's web address
	APIURL       string // GitHub's API address; empty for OIDC
	ClientID     string
	SecretSealed []byte
	Domains      []string // allowed email domains, lowercase
	JoinOrgID    int64    // 0: nobody joins on first sign-in
	JoinOrgSlug  string
	JoinRole     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Linked       int // identities linked through it
}

// ProviderInput is what an admin saves. A nil SecretSealed on update keeps
// the saved secret.
type ProviderInput struct {
	Kind, Name, Issuer, APIURL, ClientID string
	SecretSealed                         []byte
	Domains                              []string
	JoinOrgID                            int64
	JoinRole                             string
}

const providerColumns = `p.id, p.kind, p.name, p.issuer, p.api_url, p.client_id, p.client_secret_sealed, p.allowed_domains,
	p.join_org_id, COALESCE(o.slug, ''), p.join_role, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM linked_identities l WHERE l.provider_id = p.id)`

const providerFrom = ` FROM identity_providers p LEFT JOIN organizations o ON o.id = p.join_org_id`

func scanProvider(row interface{ Scan(...any) error }) (IdentityProvider, error) {
	var p IdentityProvider
	var domains string
	var org sql.NullInt64
	var created, updated sql.NullString
	if err := row.Scan(&p.ID, &p.Kind, &p.Name, &p.Issuer, &p.APIURL, &p.ClientID, &p.SecretSealed, &domains,
		&org, &p.JoinOrgSlug, &p.JoinRole, &created, &updated, &p.Linked); err != nil {
		return IdentityProvider{}, err
	}
	p.Domains = strings.Fields(domains)
	p.JoinOrgID, p.CreatedAt, p.UpdatedAt = org.Int64, scanTime(created), scanTime(updated)
	if p.JoinOrgID == 0 {
		p.JoinRole = ""
	}
	return p, nil
}

func providerByID(ctx context.Context, tx *Tx, id int64) (IdentityProvider, error) {
	p, err := scanProvider(tx.QueryRowContext(ctx, `SELECT `+providerColumns+providerFrom+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return IdentityProvider{}, notFound("identity provider")
	}
	return p, err
}

// providerTaken checks, before writing (a failed statement would abort a
// PostgreSQL transaction), that no other provider has in's name, or its
// issuer with its client id.
func providerTaken(ctx context.Context, tx *Tx, in ProviderInput, id int64) error {
	var names, clients int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM identity_providers WHERE lower(name) = lower(?) AND id <> ?),
		(SELECT COUNT(*) FROM identity_providers WHERE issuer = ? AND client_id = ? AND id <> ?)`,
		in.Name, id, in.Issuer, in.ClientID, id).Scan(&names, &clients); err != nil {
		return err
	}
	if names > 0 {
		return conflict("name", fmt.Sprintf("a provider named %q exists already: choose another name", in.Name))
	}
	if clients > 0 {
		return conflict("client_id", "this issuer with this client id is added already: edit that provider instead")
	}
	return nil
}

// errProviderTaken answers a unique violation that a concurrent save caused.
var errProviderTaken = conflict("name", "another provider with this name, or this issuer and client id, was saved meanwhile")

// CreateProvider adds an identity provider; a taken name, or the same
// issuer and client id twice, is an EConflict on that field.
func (db *DB) CreateProvider(ctx context.Context, in ProviderInput, actor Actor) (IdentityProvider, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return IdentityProvider{}, err
	}
	defer tx.Rollback()
	if err := providerTaken(ctx, tx, in, 0); err != nil {
		return IdentityProvider{}, err
	}
	id, err := insertID(ctx, tx, `INSERT INTO identity_providers (kind, name, issuer, api_url, client_id, client_secret_sealed,
		allowed_domains, join_org_id, join_role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Kind, in.Name, in.Issuer, in.APIURL, in.ClientID, in.SecretSealed, strings.Join(in.Domains, " "),
		nullID(in.JoinOrgID), joinRole(in), formatTime(tx.now), formatTime(tx.now))
	if isUnique(err) {
		return IdentityProvider{}, errProviderTaken
	}
	if err != nil {
		return IdentityProvider{}, fmt.Errorf("insert identity provider: %w", err)
	}
	if err := recordEvent(ctx, tx, actor, providerEvent("identity_provider.added", id, in, "set")); err != nil {
		return IdentityProvider{}, err
	}
	p, err := providerByID(ctx, tx, id)
	if err != nil {
		return IdentityProvider{}, err
	}
	return p, tx.Commit()
}

// UpdateProvider saves an admin's changes to a provider; a nil
// in.SecretSealed keeps the saved secret.
func (db *DB) UpdateProvider(ctx context.Context, id int64, in ProviderInput, actor Actor) (IdentityProvider, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return IdentityProvider{}, err
	}
	defer tx.Rollback()
	if _, err := providerByID(ctx, tx, id); err != nil {
		return IdentityProvider{}, err
	}
	if err := providerTaken(ctx, tx, in, id); err != nil {
		return IdentityProvider{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE identity_providers SET name = ?, issuer = ?, api_url = ?, client_id = ?,
		client_secret_sealed = COALESCE(?, client_secret_sealed), allowed_domains = ?, join_org_id = ?, join_role = ?, updated_at = ?
		WHERE id = ?`, in.Name, in.Issuer, in.APIURL, in.ClientID, nullBytes(in.SecretSealed), strings.Join(in.Domains, " "),
		nullID(in.JoinOrgID), joinRole(in), formatTime(tx.now), id)
	if isUnique(err) {
		return IdentityProvider{}, errProviderTaken
	}
	if err != nil {
		return IdentityProvider{}, fmt.Errorf("update identity provider: %w", err)
	}
	secret := "unchanged"
	if in.SecretSealed != nil {
		secret = "changed"
	}
	if err := recordEvent(ctx, tx, actor, providerEvent("identity_provider.updated", id, in, secret)); err != nil {
		return IdentityProvider{}, err
	}
	p, err := providerByID(ctx, tx, id)
	if err != nil {
		return IdentityProvider{}, err
	}
	return p, tx.Commit()
}

func joinRole(in ProviderInput) string {
	if in.JoinOrgID == 0 {
		return ""
	}
	return in.JoinRole
}

// providerEvent describes a saved provider for the audit trail, never its secret.
func providerEvent(action string, id int64, in ProviderInput, secret string) Event {
	return Event{Action: action, TargetType: "identity_provider", TargetID: fmt.Sprint(id), TargetLabel: in.Name,
		Details: map[string]string{"kind": in.Kind, "issuer": in.Issuer, "client_id": in.ClientID,
			"domains": strings.Join(in.Domains, " "), "join_org": fmt.Sprint(in.JoinOrgID), "join_role": joinRole(in), "client_secret": secret}}
}

// DeleteProvider removes a provider and the identities linked through it.
func (db *DB) DeleteProvider(ctx context.Context, id int64, actor Actor) (IdentityProvider, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return IdentityProvider{}, err
	}
	defer tx.Rollback()
	p, err := providerByID(ctx, tx, id)
	if err != nil {
		return IdentityProvider{}, err
	}
	var linked int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM linked_identities WHERE provider_id = ?`, id).Scan(&linked); err != nil {
		return IdentityProvider{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM linked_identities WHERE provider_id = ?`, id); err != nil {
		return IdentityProvider{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM identity_providers WHERE id = ?`, id); err != nil {
		return IdentityProvider{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{Action: "identity_provider.deleted", TargetType: "identity_provider",
		TargetID: fmt.Sprint(id), TargetLabel: p.Name, Details: map[string]string{"kind": p.Kind, "issuer": p.Issuer,
			"identities_unlinked": fmt.Sprint(linked)}}); err != nil {
		return IdentityProvider{}, err
	}
	return p, tx.Commit()
}

// ProviderByID returns one provider, or ENotFound.
func (db *DB) ProviderByID(ctx context.Context, id int64) (IdentityProvider, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return IdentityProvider{}, err
	}
	defer tx.Rollback()
	return providerByID(ctx, tx, id)
}

// Providers lists every identity provider by name.
func (db *DB) Providers(ctx context.Context) ([]IdentityProvider, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+providerColumns+providerFrom+` ORDER BY lower(p.name), p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IdentityProvider
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
