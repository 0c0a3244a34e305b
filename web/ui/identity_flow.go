package ui

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/identity"
	"tokenward/web/plumbing"
)

// flowKey is where a sign-in at a provider waits in the session.
const flowKey = "provider_flow"

// flowLifetime is how long a person has to finish signing in at a provider.
const flowLifetime = 10 * time.Minute

// secretAAD binds sealed client secrets to their use.
const secretAAD = "identity provider client secret"

// CallbackPath is where every provider sends the browser back: the
// redirect URL to register at the provider is the public URL plus this.
const CallbackPath = "/login/callback"

// providerFlow is a sign-in, a link or an invitation's acceptance under way
// at a provider, kept in the encrypted session until the provider answers.
type providerFlow struct {
	identity.Flow
	Provider int64  `json:"provider"`
	LinkUser int64  `json:"link_user,omitempty"` // linking to this signed-in user
	Next     string `json:"next,omitempty"`
	Invite   string `json:"invite,omitempty"` // accepting the invitation of this link code
	Expires  int64  `json:"expires"`
}

// protocol is what the identity package needs to talk to p.
func (s *Server) protocol(p store.IdentityProvider) (identity.Provider, error) {
	secret, err := s.Sealer.Open(secretAAD, p.SecretSealed)
	if err != nil {
		return identity.Provider{}, err
	}
	return identity.Provider{Kind: p.Kind, Issuer: p.Issuer, APIURL: p.APIURL, ClientID: p.ClientID,
		ClientSecret: secret, RedirectURL: s.Public + CallbackPath}, nil
}

// providerTimeout bounds each step of talking to a provider.
func (s *Server) providerTimeout() time.Duration {
	if s.ProviderTimeout > 0 {
		return s.ProviderTimeout
	}
	return identity.Timeout
}

func (s *Server) pathProvider(c echo.Context) (store.IdentityProvider, error) {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return store.IdentityProvider{}, err
	}
	return s.DB.ProviderByID(c.Request().Context(), id)
}

// providerSignIn is GET /login/with/{id}: off to the provider to sign in.
func (s *Server) providerSignIn(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	return s.startFlow(c, p, providerFlow{Next: safeNext(c.QueryParam("next"))})
}

// startFlow keeps f's fresh state, nonce and PKCE verifier in the session
// and sends the browser to the provider.
func (s *Server) startFlow(c echo.Context, p store.IdentityProvider, f providerFlow) error {
	proto, err := s.protocol(p)
	if err != nil {
		return err
	}
	f.Flow, f.Provider, f.Expires = identity.NewFlow(), p.ID, s.Now().Add(flowLifetime).Unix()
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.providerTimeout())
	defer cancel()
	to, err := identity.AuthURL(ctx, proto, f.Flow)
	if err != nil {
		return core.ProviderError(p, err)
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := s.PutSessionValue(c, flowKey, string(raw)); err != nil {
		return err
	}
	if c.Request().Method == http.MethodGet {
		return c.Redirect(http.StatusSeeOther, to)
	}
	// A form's answer may not redirect off-site (CSP form-action 'self'):
	// a page sends the browser on instead.
	shell := s.BaseShell(c, "Continue to "+p.Name)
	shell.ContinueTo = to
	return s.Render(c, http.StatusOK, views.ContinuePage(views.ContinueProps{Shell: shell, Provider: p.Name, URL: to}))
}

// notThisSignIn answers a callback that matches no sign-in under way here.
var notThisSignIn = &fault.Error{Code: fault.Forbidden, Title: "Sign-in not recognised",
	Message: "This answer from the identity provider does not belong to a sign-in started in this browser (it was used already, expired, or was tampered with). Nothing was changed. Start again from the sign-in page."}

// providerCallback is GET /login/callback: the provider's answer. The flow
// is taken from the session first, so an answer is used at most once.
func (s *Server) providerCallback(c echo.Context) error {
	raw, err := s.TakeSessionValue(c, flowKey)
	if err != nil {
		return err
	}
	var f providerFlow
	if raw == "" || json.Unmarshal([]byte(raw), &f) != nil || f.State == "" ||
		subtle.ConstantTimeCompare([]byte(c.QueryParam("state")), []byte(f.State)) != 1 || s.Now().Unix() > f.Expires {
		return notThisSignIn
	}
	ctx := c.Request().Context()
	p, err := s.DB.ProviderByID(ctx, f.Provider)
	if store.IsNotFound(err) {
		return notThisSignIn
	}
	if err != nil {
		return err
	}
	claims, err := s.exchange(c, p, f)
	if err != nil {
		return err
	}
	switch {
	case f.LinkUser != 0:
		return s.finishLink(c, p, f, claims)
	case f.Invite != "":
		return s.finishInvite(c, p, f, claims)
	}
	u, err := s.Core.ProviderSignIn(ctx, p, claims, store.Actor{IP: c.RealIP(), Label: p.Name})
	if err != nil {
		return err
	}
	return s.completeSignIn(c, u, p.Name, p.ID, f.Next)
}

// exchange reads the provider's answer: an error it reports, or the code
// traded for the person's checked claims.
func (s *Server) exchange(c echo.Context, p store.IdentityProvider, f providerFlow) (identity.Claims, error) {
	if e := c.QueryParam("error"); e != "" {
		msg := "The identity provider answered: " + plumbing.ClipText(e, 100)
		if d := c.QueryParam("error_description"); d != "" {
			msg += " (" + plumbing.ClipText(d, 200) + ")"
		}
		return identity.Claims{}, core.ProviderError(p, &identity.Error{Message: plumbing.PlainText(msg) + "."})
	}
	code := c.QueryParam("code")
	if code == "" || len(code) > 2048 {
		return identity.Claims{}, core.ProviderError(p, &identity.Error{Message: "The identity provider sent no sign-in code."})
	}
	proto, err := s.protocol(p)
	if err != nil {
		return identity.Claims{}, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.providerTimeout())
	defer cancel()
	claims, err := identity.Exchange(ctx, proto, f.Flow, code, s.Now)
	if err != nil {
		return identity.Claims{}, core.ProviderError(p, err)
	}
	return claims, nil
}

// finishLink links the identity to the user who asked, if they are still
// the one signed in.
func (s *Server) finishLink(c echo.Context, p store.IdentityProvider, f providerFlow, claims identity.Claims) error {
	st := plumbing.State(c)
	if st.User == nil || st.User.ID != f.LinkUser {
		return notThisSignIn
	}
	if err := s.Core.LinkProvider(c.Request().Context(), *st.User, p, claims, s.actor(c)); err != nil {
		return err
	}
	if err := s.Flash(c, "success", "Linked "+p.Name+": you can now sign in with it."); err != nil {
		return err
	}
	return plumbing.Redirect(c, signInMethodsPath)
}

// inviteProviderSignIn is GET /invite/{code}/with/{id}: off to the
// provider, to come back a member of the invitation's org.
func (s *Server) inviteProviderSignIn(c echo.Context) error {
	p, err := s.pathProvider(c)
	if err != nil {
		return err
	}
	if _, err := s.Core.InvitationByCode(c.Request().Context(), c.Param("code")); err != nil {
		return err
	}
	return s.startFlow(c, p, providerFlow{Invite: c.Param("code")})
}

// finishInvite accepts the invitation as the person the provider vouched
// for, then starts their session as any sign-in does.
func (s *Server) finishInvite(c echo.Context, p store.IdentityProvider, f providerFlow, claims identity.Claims) error {
	a, err := s.Core.ProviderAcceptInvitation(c.Request().Context(), f.Invite, p, claims, c.RealIP())
	if err != nil {
		return err
	}
	if err := s.startSession(c, a.Member.User, p.Name, p.ID); err != nil {
		return err
	}
	return s.joined(c, a)
}
