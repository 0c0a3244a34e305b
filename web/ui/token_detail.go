package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// tokenDetail is a token's page: everything in its row plus scopes, quota,
// the most recent request, recent IPs and its audit history.
func (s *Server) tokenDetail(c echo.Context, t store.Token) error {
	ctx := c.Request().Context()
	st := plumbing.State(c)
	shell, err := s.PageShell(c, t.Name, "tokens")
	if err != nil {
		return err
	}
	now := s.DB.Now()
	kind := auth.Kind(t.Kind)
	p := views.TokenDetailProps{Shell: shell, Row: s.tokenRow(st, t, now), Kind: t.Kind, KindLabel: kind.Label(),
		TabURL: tabPath(st.Org.Slug, tabOf(kind)), Creator: t.CreatorName, Owner: t.OwnerName, Service: t.ServiceName, CSRF: st.CSRF,
		Visibility: map[string]string{auth.VisibilityAdmins: "Admins only", auth.VisibilityOrg: "Shared with the organization"}[t.Visibility]}
	for _, info := range auth.ScopesFor(kind) {
		for _, sc := range t.Scopes {
			if sc == string(info.Name) {
				p.Scopes = append(p.Scopes, views.ScopeChoice{Name: sc, Description: info.Description})
			}
		}
	}
	// "End grace now" sits beside the grace it ends, not among the header's actions.
	for i, a := range p.Row.Actions {
		if a.ID == "action-end-grace" {
			p.EndGraceURL = a.URL + "?back=" + url.QueryEscape(tokenPath(st.Org.Slug, t, ""))
			p.Row.Actions = append(p.Row.Actions[:i:i], p.Row.Actions[i+1:]...)
			break
		}
	}
	p.Quota = quotaView(t, now.Format("2006-01"))
	if err := s.tokenActivity(ctx, st, t, now, &p); err != nil {
		return err
	}
	if p.Usage, err = s.usageChart(ctx, t.ID, now); err != nil {
		return err
	}
	if auth.Authorize(plumbing.Principal(st), auth.BulkTokens, nil) && t.RevokedAt.IsZero() && kind != auth.KindPersonal {
		url := "/orgs/" + st.Org.Slug + "/settings/tokens/revoke-all"
		switch {
		case t.ServiceID != 0:
			p.RevokeAll = &views.RevokeAllView{URL: url, Field: "service", Value: fmt.Sprint(t.ServiceID), Label: "Revoke all tokens of " + t.ServiceName + "…"}
		case t.OwnerUserID != 0:
			p.RevokeAll = &views.RevokeAllView{URL: url, Field: "user", Value: fmt.Sprint(t.OwnerUserID), Label: "Revoke all tokens of " + t.OwnerName + "…"}
		}
	}
	return s.Render(c, http.StatusOK, views.TokenDetailPage(p))
}

// tokenActivity fills a token's page with its last use, recent IPs and
// audit history, naming the tokens involved as the viewer may see them.
func (s *Server) tokenActivity(ctx context.Context, st *plumbing.RequestState, t store.Token, now time.Time, p *views.TokenDetailProps) error {
	names := core.NewActorNames(s.DB, st.Org.ID, plumbing.Principal(st))
	what, err := names.LastUseWhat(ctx, t.LastUsedWhat)
	if err != nil {
		return err
	}
	p.LastUse = views.LastUseView{When: moment(t.LastUsedAt, now, "Never"), IP: t.LastUsedIP, UserAgent: t.LastUsedUA, What: what}
	ips, err := s.DB.TokenIPs(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		p.IPs = append(p.IPs, views.IPView{IP: ip.IP, UserAgent: ip.UserAgent, When: moment(ip.LastSeenAt, now, "")})
	}
	events, err := s.DB.TokenEvents(ctx, st.Org.ID, t.ID, 100)
	if err != nil {
		return err
	}
	for _, e := range events {
		actor, err := names.Label(ctx, e.ActorToken, e.ActorLabel)
		if err != nil {
			return err
		}
		p.Events = append(p.Events, views.EventView{When: moment(e.At, now, ""), Actor: actor, Action: e.Action, Verb: eventVerb(e.Action),
			Details: eventFields(e.Details), IP: e.IP})
	}
	return nil
}

// quotaView is a token's allowance for the month (UTC) given as "2006-01":
// a count kept for an earlier month means nothing used yet this month.
func quotaView(t store.Token, month string) views.QuotaView {
	q := views.QuotaView{Limit: t.QuotaMonthly, Month: month}
	if t.QuotaMonth == month {
		q.Used = t.QuotaUsed
	}
	q.Remaining = max(0, q.Limit-q.Used)
	return q
}
