package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/store"
	"tokenward/web/plumbing"
)

// apiToken is a token as the API shows it: never its secret.
type apiToken struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Org        string     `json:"org"`
	Scopes     []string   `json:"scopes"`
	Visibility string     `json:"visibility"`
	Hint       string     `json:"hint"`
	Status     string     `json:"status"`
	Creator    string     `json:"creator"`
	Owner      string     `json:"owner,omitempty"`
	Service    string     `json:"service,omitempty"`
	DeviceName string     `json:"device_name,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"` // effective expiry, policy included; null: never
	// Orgs are the orgs a personal token reaches (who am I only).
	Orgs     []string    `json:"orgs,omitempty"`
	LastUsed *apiLastUse `json:"last_used"` // null: never used
	Quota    *apiQuota   `json:"quota"`     // null: no quota
}

type apiLastUse struct {
	At        time.Time `json:"at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	What      string    `json:"what"`
}

type apiQuota struct {
	Limit     int64     `json:"limit"`
	Used      int64     `json:"used"`
	Remaining int64     `json:"remaining"`
	Month     string    `json:"month"`
	ResetsAt  time.Time `json:"resets_at"`
}

// tokenJSON turns a token into its API form, with usage not yet flushed
// counted in.
func (s *Server) tokenJSON(t store.Token, org store.Org, now time.Time) apiToken {
	out := apiToken{ID: t.ID, Kind: t.Kind, Name: t.Name, Org: org.Slug, Scopes: t.Scopes, Visibility: t.Visibility,
		Hint: t.Hint, Status: store.TokenStatus(t, now, org.Policy.MaxDays), Creator: t.CreatorName, Owner: t.OwnerName,
		Service: t.ServiceName, DeviceName: t.DeviceName, CreatedAt: t.CreatedAt}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if exp := store.EffectiveExpiry(t, org.Policy.MaxDays); !exp.IsZero() {
		out.ExpiresAt = &exp
	}
	last := store.Use{At: t.LastUsedAt, IP: t.LastUsedIP, UserAgent: t.LastUsedUA, What: t.LastUsedWhat}
	if pending, ok := s.Usage.LastUse(t.ID); ok && pending.At.After(last.At) {
		last = pending
	}
	if !last.At.IsZero() {
		out.LastUsed = &apiLastUse{At: last.At, IP: last.IP, UserAgent: last.UserAgent, What: last.What}
	}
	if t.QuotaMonthly > 0 {
		used := s.Usage.QuotaUsed(t, now)
		out.Quota = &apiQuota{Limit: t.QuotaMonthly, Used: used, Remaining: max(0, t.QuotaMonthly-used),
			Month: now.UTC().Format("2006-01"), ResetsAt: plumbing.NextMonth(now)}
	}
	return out
}

// issuedJSON is the answer to a create or rotate: the token and, this once,
// its secret.
type issuedJSON struct {
	Token  apiToken `json:"token"`
	Secret string   `json:"secret"`
	EnvVar string   `json:"env_var"`
}

// sendSecret answers with a secret: never stored by any cache.
func sendSecret(c echo.Context, status int, body any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, body)
}
