package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Service is a repository or agent onboarded for CI scans; it owns service
// tokens.
type Service struct {
	ID          int64
	OrgID       int64
	Name        string
	URL         string
	CreatedBy   int64
	CreatorName string
	CreatedAt   time.Time
	LiveTokens  int
}

// NewService is what it takes to onboard a service.
type NewService struct {
	OrgID int64
	Name  string
	URL   string
}

const serviceColumns = `s.id, s.org_id, s.name, s.url, s.created_by, u.username, s.created_at,
	(SELECT COUNT(*) FROM tokens t WHERE t.service_id = s.id AND t.revoked_at IS NULL)`

func scanService(row interface{ Scan(...any) error }) (Service, error) {
	var s Service
	var created sql.NullString
	if err := row.Scan(&s.ID, &s.OrgID, &s.Name, &s.URL, &s.CreatedBy, &s.CreatorName, &created, &s.LiveTokens); err != nil {
		return Service{}, err
	}
	s.CreatedAt = scanTime(created)
	return s, nil
}

// Services lists an org's onboarded (not removed) services by name.
func (db *DB) Services(ctx context.Context, orgID int64) ([]Service, error) {
	return db.queryServices(ctx, ``, orgID)
}

// ServicesWithTokens lists an org's onboarded services that have a service
// token (of any status), only an org-visible one when onlyOrgVisible: the
// services whose names a viewer sees in the tokens they may list.
func (db *DB) ServicesWithTokens(ctx context.Context, orgID int64, onlyOrgVisible bool) ([]Service, error) {
	return db.queryServices(ctx, `AND EXISTS (SELECT 1 FROM tokens t WHERE t.service_id = s.id AND (NOT ? OR t.visibility = 'org'))`,
		orgID, onlyOrgVisible)
}

// queryServices lists an org's onboarded services by name, narrowed by a
// further condition on s.
func (db *DB) queryServices(ctx context.Context, cond string, args ...any) ([]Service, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services s JOIN users u ON u.id = s.created_by
		WHERE s.org_id = ? AND s.removed_at IS NULL `+cond+` ORDER BY s.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Service
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func serviceByID(ctx context.Context, tx *Tx, orgID, id int64) (Service, error) {
	s, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services s JOIN users u ON u.id = s.created_by
		WHERE s.org_id = ? AND s.id = ? AND s.removed_at IS NULL`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Service{}, notFound("service")
	}
	return s, err
}

// ServiceByID finds one of an org's live services; another org's is ENotFound.
func (db *DB) ServiceByID(ctx context.Context, orgID, id int64) (Service, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Service{}, err
	}
	defer tx.Rollback()
	return serviceByID(ctx, tx, orgID, id)
}

// CreateService onboards a service and creates its first token in one
// transaction; tok.ServiceID is filled in here.
func (db *DB) CreateService(ctx context.Context, ns NewService, tok NewToken, actor Actor) (Service, Token, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Service{}, Token{}, err
	}
	defer tx.Rollback()
	// The person who onboards is the token's creator: the actor may be a
	// token acting for them.
	id, err := insertID(ctx, tx, `INSERT INTO services (org_id, name, url, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		ns.OrgID, ns.Name, ns.URL, tok.CreatorID, formatTime(tx.now))
	if isUnique(err) {
		return Service{}, Token{}, conflict("name", fmt.Sprintf("the service %q is already onboarded", ns.Name))
	}
	if err != nil {
		return Service{}, Token{}, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: ns.OrgID, Action: "service.added", TargetType: "service",
		TargetID: fmt.Sprint(id), TargetLabel: ns.Name, Details: map[string]string{"url": ns.URL}}); err != nil {
		return Service{}, Token{}, err
	}
	tok.ServiceID = id
	t, err := insertToken(ctx, tx, tok, actor)
	if err != nil {
		return Service{}, Token{}, err
	}
	s, err := serviceByID(ctx, tx, ns.OrgID, id)
	if err != nil {
		return Service{}, Token{}, err
	}
	return s, t, tx.Commit()
}

// RemoveService removes a service and revokes all its live tokens.
func (db *DB) RemoveService(ctx context.Context, orgID, id int64, actor Actor) (Service, int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Service{}, 0, err
	}
	defer tx.Rollback()
	s, err := serviceByID(ctx, tx, orgID, id)
	if err != nil {
		return Service{}, 0, err
	}
	ids, err := liveTokenIDs(ctx, tx, `service_id = ?`, id)
	if err != nil {
		return Service{}, 0, err
	}
	for _, tid := range ids {
		if _, err := revokeToken(ctx, tx, orgID, tid, "service removed", actor); err != nil {
			return Service{}, 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE services SET removed_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
		return Service{}, 0, err
	}
	if err := recordEvent(ctx, tx, actor, Event{OrgID: orgID, Action: "service.removed", TargetType: "service",
		TargetID: fmt.Sprint(id), TargetLabel: s.Name, Details: map[string]string{"tokens_revoked": fmt.Sprint(len(ids))}}); err != nil {
		return Service{}, 0, err
	}
	return s, len(ids), tx.Commit()
}
