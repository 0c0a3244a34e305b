package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// apiSelf is GET /api/v1/token: who am I.
func (s *Server) apiSelf(c echo.Context) error {
	ct := bearer(c)
	return c.JSON(http.StatusOK, s.tokenJSON(ct.Token, ct.Org, s.db.Now()))
}

// apiRevokeSelf is DELETE /api/v1/token: the caller revokes its own token.
func (s *Server) apiRevokeSelf(c echo.Context) error {
	ct := bearer(c)
	if _, err := s.db.RevokeToken(c.Request().Context(), ct.Org.ID, ct.Token.ID, "revoked by itself through the API", apiActor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// quotaJSON is GET /api/v1/quota's answer.
type quotaJSON struct {
	Limit     *int64    `json:"limit"` // null: no quota
	Used      int64     `json:"used"`
	Remaining *int64    `json:"remaining"`
	Month     string    `json:"month"`
	ResetsAt  time.Time `json:"resets_at"`
}

// apiQuota is GET /api/v1/quota: the calling token's allowance this month.
func (s *Server) apiQuota(c echo.Context) error {
	t := bearer(c).Token
	now := s.db.Now()
	q := quotaJSON{Used: s.usage.quotaUsed(t, now), Month: now.UTC().Format("2006-01"), ResetsAt: nextMonth(now)}
	if t.QuotaMonthly > 0 {
		limit, remaining := t.QuotaMonthly, max(0, t.QuotaMonthly-q.Used)
		q.Limit, q.Remaining = &limit, &remaining
	}
	return c.JSON(http.StatusOK, q)
}
