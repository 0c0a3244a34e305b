package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/auth"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/plumbing"
)

// myTokens is /me/tokens: the signed-in user's own live API and CLI tokens
// in every org they belong to.
func (s *Server) myTokens(c echo.Context) error {
	return s.renderMyTokens(c, http.StatusOK, views.PersonalForm{}, "", "")
}

// renderMyTokens renders /me/tokens with the personal-token form f and, once,
// a personal token just made.
func (s *Server) renderMyTokens(c echo.Context, status int, f views.PersonalForm, secret, made string) error {
	shell, err := s.PageShell(c, "My tokens", "")
	if err != nil {
		return err
	}
	list, err := s.DB.UserTokens(c.Request().Context(), plumbing.State(c).User.ID)
	if err != nil {
		return err
	}
	now := s.DB.Now()
	p := views.MyTokensProps{Shell: shell}
	if p.Personal, err = s.personalSection(c, f); err != nil {
		return err
	}
	p.Personal.Secret, p.Personal.Made = secret, made
	for _, t := range list {
		p.Tokens = append(p.Tokens, views.MyTokenRow{ID: t.ID, Org: t.OrgName, Kind: auth.Kind(t.Kind).Label(),
			Name: t.Name, Hint: t.Hint, Scopes: strings.Join(t.Scopes, " "),
			Created:  moment(t.CreatedAt, now, ""),
			Expires:  moment(store.EffectiveExpiry(t.Token, t.OrgMaxDays), now, "No expiry"),
			LastUsed: moment(t.LastUsedAt, now, "Never"),
			Status:   store.TokenStatus(t.Token, now, t.OrgMaxDays),
			Href:     "/orgs/" + url.PathEscape(t.OrgSlug) + "/settings/tokens/" + t.Kind + "?q=" + url.QueryEscape(t.ID)})
	}
	return s.Render(c, status, views.MyTokensPage(p))
}
