package ui

import (
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/plumbing"
)

var tokenCSVHeader = []string{"id", "name", "kind", "hint", "owner", "creator", "creator_role", "scopes", "visibility", "status",
	"created_at", "expires_at", "last_used_at", "last_used_ip", "recent_ips", "disabled_at", "revoked_at"}

// auditTokensCSV is the Tokens tab as a CSV file, with the tab's filters.
func (s *Server) auditTokensCSV(c echo.Context) error {
	q, problem := parseAuditTokenQuery(c.QueryParams())
	if problem != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid filter", Message: problem}
	}
	org := plumbing.State(c).Org
	now := s.DB.Now()
	x := plumbing.NewCSV(c, plumbing.CSVName(org.Slug, "audit-tokens", now), tokenCSVHeader)
	err := s.DB.EachAuditToken(c.Request().Context(), q.storeQuery(org), func(t store.AuditToken) error {
		return x.Write([]string{t.ID, t.Name, t.Kind, t.Hint, tokenOwner(t.Token), t.CreatorName, t.CreatorRole,
			strings.Join(t.Scopes, " "), t.Visibility, store.TokenStatus(t.Token, now, org.Policy.MaxDays),
			plumbing.IsoTime(t.CreatedAt), plumbing.IsoTime(store.EffectiveExpiry(t.Token, org.Policy.MaxDays)), plumbing.IsoTime(t.LastUsedAt), t.LastUsedIP,
			strings.Join(t.RecentIPs, " "), plumbing.IsoTime(t.DisabledAt), plumbing.IsoTime(t.RevokedAt)})
	})
	return s.FinishCSV(x, err)
}

// auditEventsCSV is the Event log as a CSV file, with the tab's filters.
func (s *Server) auditEventsCSV(c echo.Context) error {
	org := plumbing.State(c).Org
	q, problem, err := s.Core.ParseEventQuery(c.Request().Context(), *org, c.QueryParams())
	if err != nil {
		return err
	}
	if problem != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid filter", Message: problem}
	}
	return s.EventsCSV(c, org, q, 0)
}
