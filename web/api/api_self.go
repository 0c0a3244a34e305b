package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/store"
	"tokenward/web/plumbing"
)

// selfTail is how the JSON of a token without last use and quota ends: the
// two fields are last in apiToken, so the rest can be made once.
const selfTail = `,"last_used":null,"quota":null}`

// apiSelf is GET /api/v1/token: who am I. The hottest endpoint: the token's
// unchanging fields are encoded once per cached check, and only its last
// use and quota on each request.
func (s *Server) apiSelf(c echo.Context) error {
	ct := plumbing.Bearer(c)
	full := s.tokenJSON(ct.Token, ct.Org, s.DB.Now())
	if ct.Personal() {
		full.Orgs = ct.GrantSlugs()
	}
	head := ct.Self.Get(func() []byte {
		static := full
		static.LastUsed, static.Quota = nil, nil
		b, err := json.Marshal(static)
		if err != nil || !bytes.HasSuffix(b, []byte(selfTail)) {
			return nil
		}
		return b[:len(b)-len(selfTail)]
	})
	if head == nil || full.Status != store.StatusActive {
		return c.JSON(http.StatusOK, full)
	}
	last, err := json.Marshal(full.LastUsed)
	if err != nil {
		return err
	}
	quota, err := json.Marshal(full.Quota)
	if err != nil {
		return err
	}
	body := make([]byte, 0, len(head)+len(last)+len(quota)+32)
	body = append(append(append(append(append(body, head...), `,"last_used":`...), last...), `,"quota":`...), quota...)
	body = append(body, '}', '\n')
	return c.JSONBlob(http.StatusOK, body)
}

// apiRevokeSelf is DELETE /api/v1/token: the caller revokes its own token.
func (s *Server) apiRevokeSelf(c echo.Context) error {
	ct := plumbing.Bearer(c)
	if _, err := s.DB.RevokeToken(c.Request().Context(), ct.Token.OrgID, ct.Token.ID, "revoked by itself through the API", plumbing.APIActor(c)); err != nil {
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
	t := plumbing.Bearer(c).Token
	now := s.DB.Now()
	q := quotaJSON{Used: s.Usage.QuotaUsed(t, now), Month: now.UTC().Format("2006-01"), ResetsAt: plumbing.NextMonth(now)}
	if t.QuotaMonthly > 0 {
		limit, remaining := t.QuotaMonthly, max(0, t.QuotaMonthly-q.Used)
		q.Limit, q.Remaining = &limit, &remaining
	}
	return c.JSON(http.StatusOK, q)
}
