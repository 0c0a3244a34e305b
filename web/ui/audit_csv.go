package ui

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

var tokenCSVHeader = []string{"id", "name", "kind", "hint", "owner", "creator", "creator_role", "scopes", "visibility", "status",
	"created_at", "expires_at", "last_used_at", "last_used_ip", "recent_ips", "disabled_at", "revoked_at"}

// exportPage is how many tokens a tab's export reads at a time.
const exportPage = 200

// auditTokensCSV is the Tokens tab as a CSV file, with the tab's filters.
// A whole token in the URL goes on to the URL naming it by its id, as on
// the page.
func (s *Server) auditTokensCSV(c echo.Context) error {
	q, problem := parseAuditTokenQuery(c.QueryParams())
	pasted := len(q.Hash) > 0
	org := plumbing.State(c).Org
	if problem == "" {
		var err error
		if problem, err = s.resolveAuditToken(c.Request().Context(), org, &q); err != nil {
			return err
		}
	}
	if problem != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid filter", Message: problem}
	}
	if pasted {
		return plumbing.Redirect(c, withQuery(auditPath(org.Slug)+"/tokens.csv", q.values()))
	}
	now := s.DB.Now()
	x := plumbing.NewCSV(c, plumbing.CSVName(org.Slug, "audit-tokens", now), tokenCSVHeader)
	err := s.DB.EachAuditToken(c.Request().Context(), q.storeQuery(org), func(t store.AuditToken) error {
		return x.Write(tokenCSVRow(t, now, org.Policy.MaxDays))
	})
	return s.FinishCSV(x, err)
}

// tabTokensCSV is a tokens tab as a CSV file: the rows the tab lists for
// its search and filters, in its order, every page of them.
func (s *Server) tabTokensCSV(c echo.Context) error {
	kind, err := tokenKind(c)
	if err != nil {
		return err
	}
	q, problem := core.ParseTokenQuery(c.QueryParams(), kind)
	if problem != "" {
		return &fault.Error{Code: fault.Malformed, Title: "Invalid filter", Message: problem}
	}
	if kind == auth.KindAPI {
		q.Type = apiTabType(q)
	}
	st := plumbing.State(c)
	ctx, org, now := c.Request().Context(), st.Org, s.DB.Now()
	x := plumbing.NewCSV(c, plumbing.CSVName(org.Slug, string(kind)+"-tokens", now), tokenCSVHeader)
	err = s.eachTabToken(ctx, plumbing.Principal(st), org, kind, q, func(t store.Token) error {
		ips, err := s.DB.TokenIPs(ctx, t.ID)
		if err != nil {
			return err
		}
		at := store.AuditToken{Token: t}
		for _, ip := range ips {
			at.RecentIPs = append(at.RecentIPs, ip.IP)
		}
		return x.Write(tokenCSVRow(at, now, org.Policy.MaxDays))
	})
	return s.FinishCSV(x, err)
}

// eachTabToken calls fn for every token a tab lists for q, page by page.
func (s *Server) eachTabToken(ctx context.Context, me auth.Principal, org *store.Org, kind auth.Kind, q core.TokenQuery, fn func(store.Token) error) error {
	for q.Page = 1; ; q.Page++ {
		page, err := s.Core.ListTokens(ctx, me, *org, kind, q, exportPage)
		if err != nil {
			return err
		}
		for _, t := range page.Tokens {
			if err := fn(t); err != nil {
				return err
			}
		}
		if len(page.Tokens) < exportPage || q.Page*exportPage >= page.Total {
			return nil
		}
	}
}

// tokenCSVRow is a token as the exports write it, under tokenCSVHeader.
func tokenCSVRow(t store.AuditToken, now time.Time, maxDays int) []string {
	return []string{t.ID, t.Name, t.Kind, t.Hint, tokenOwner(t.Token), t.CreatorName, t.CreatorRole,
		strings.Join(t.Scopes, " "), t.Visibility, store.TokenStatus(t.Token, now, maxDays),
		plumbing.IsoTime(t.CreatedAt), plumbing.IsoTime(store.EffectiveExpiry(t.Token, maxDays)), plumbing.IsoTime(t.LastUsedAt), t.LastUsedIP,
		strings.Join(t.RecentIPs, " "), plumbing.IsoTime(t.DisabledAt), plumbing.IsoTime(t.RevokedAt)}
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
	if q.Pasted { // an old link with a whole token: on to the id's URL
		return plumbing.Redirect(c, withQuery(auditEventsPath(org.Slug)+".csv", q.Values()))
	}
	return s.EventsCSV(c, org, q, 0)
}
