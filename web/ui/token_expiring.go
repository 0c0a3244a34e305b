package ui

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// Expiry warnings: rows and detail pages badge tokens expiring within
// badgeWithin; the tokens page names the viewer's own that expire within
// bannerWithin.
const (
	badgeWithin  = 30 * 24 * time.Hour
	bannerWithin = 7 * 24 * time.Hour
)

// expiryBadge says how soon exp comes, as the tables' relative times do:
// "expires in 12 days", "expires in 5 hours".
func expiryBadge(exp, now time.Time) string {
	if exp.Sub(now) < time.Hour {
		return "expires in less than an hour"
	}
	return "expires " + relative(exp, now)
}

func unitCount(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// expiringOwn lists the viewer's own live tokens in the org that expire
// within bannerWithin, for the banner on the tokens page. A token the
// viewer may no longer open (an admins-only token of a demoted admin) is
// named without a link.
func (s *Server) expiringOwn(ctx context.Context, st *plumbing.RequestState, now time.Time) ([]views.ExpiringToken, error) {
	if st.User == nil || st.Org == nil {
		return nil, nil
	}
	me := plumbing.Principal(st)
	toks, err := s.DB.ExpiringOwnTokens(ctx, st.Org.ID, st.User.ID, bannerWithin, st.Org.Policy.MaxDays)
	if err != nil {
		return nil, err
	}
	out := make([]views.ExpiringToken, 0, len(toks))
	for _, t := range toks {
		exp := store.EffectiveExpiry(t, st.Org.Policy.MaxDays)
		// A token made (or rotated) to live no longer than the window was
		// given that lifetime on purpose: its owner needs no warning for it,
		// as the expiry notices do (a token is warned for a window only if it
		// lived longer than the window).
		if issued := lastIssued(t); exp.Sub(issued) <= bannerWithin {
			continue
		}
		e := views.ExpiringToken{Name: t.Name, KindLabel: auth.Kind(t.Kind).Label(), Expires: moment(exp, now, ""), Badge: expiryBadge(exp, now),
			DismissURL: "/orgs/" + st.Org.Slug + "/settings/tokens/expiring/" + t.ID + "/dismiss"}
		if auth.Authorize(me, auth.ViewToken, core.TokenFacts(t)) {
			e.URL = tokenPath(st.Org.Slug, t, "")
		}
		out = append(out, e)
	}
	return out, nil
}

// lastIssued is when t's current secret was made: its last rotation, or its
// creation.
func lastIssued(t store.Token) time.Time {
	if t.RotatedAt.After(t.CreatedAt) {
		return t.RotatedAt
	}
	return t.CreatedAt
}

// dismissExpiry hides the expiry warning of one of the viewer's own tokens
// for them, until its expiry moves, and goes back to the page it was on.
// Anyone else's token is 404.
func (s *Server) dismissExpiry(c echo.Context) error {
	st := plumbing.State(c)
	ok, err := s.DB.DismissExpiryWarning(c.Request().Context(), st.Org.ID, st.User.ID, c.Param("id"))
	if err != nil {
		return err
	}
	if !ok {
		return plumbing.NotFound()
	}
	back := tabPath(st.Org.Slug, auth.KindAPI)
	if b := c.FormValue("back"); b != "" && safeNext(b) == b {
		back = b
	}
	return c.Redirect(http.StatusSeeOther, back)
}
