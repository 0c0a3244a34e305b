package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/store"
)

var tokenCSVHeader = []string{"id", "name", "kind", "hint", "owner", "creator", "creator_role", "scopes", "visibility", "status",
	"created_at", "expires_at", "last_used_at", "last_used_ip", "recent_ips", "disabled_at", "revoked_at"}

// auditTokensCSV is the Tokens tab as a CSV file, with the tab's filters.
func (s *Server) auditTokensCSV(c echo.Context) error {
	q, problem := parseAuditTokenQuery(c.QueryParams())
	if problem != "" {
		return &Error{Status: http.StatusBadRequest, Title: "Invalid filter", Message: problem}
	}
	org := state(c).org
	now := s.db.Now()
	x := newCSV(c, csvName(org.Slug, "audit-tokens", now), tokenCSVHeader)
	err := s.db.EachAuditToken(c.Request().Context(), q.storeQuery(org), func(t store.AuditToken) error {
		return x.write([]string{t.ID, t.Name, t.Kind, t.Hint, tokenOwner(t.Token), t.CreatorName, t.CreatorRole,
			strings.Join(t.Scopes, " "), t.Visibility, store.TokenStatus(t.Token, now, org.Policy.MaxDays),
			isoTime(t.CreatedAt), isoTime(store.EffectiveExpiry(t.Token, org.Policy.MaxDays)), isoTime(t.LastUsedAt), t.LastUsedIP,
			strings.Join(t.RecentIPs, " "), isoTime(t.DisabledAt), isoTime(t.RevokedAt)})
	})
	return s.finishCSV(x, err)
}

// auditEventsCSV is the Event log as a CSV file, with the tab's filters.
func (s *Server) auditEventsCSV(c echo.Context) error {
	org := state(c).org
	q, problem, err := s.core.parseEventQuery(c.Request().Context(), *org, c.QueryParams())
	if err != nil {
		return err
	}
	if problem != "" {
		return &Error{Status: http.StatusBadRequest, Title: "Invalid filter", Message: problem}
	}
	return s.eventsCSV(c, org, q, 0)
}
