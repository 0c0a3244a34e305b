package ui

import (
	"net/http"
	"tokenward/auth"
	"tokenward/store"
	"tokenward/web/plumbing"

	"github.com/labstack/echo/v4"
)

// tokenHandler serves a route about one token, which its guard loaded and
// authorized.
type tokenHandler func(c echo.Context, t store.Token) error

// kindHandler serves a route that makes a token of the path's kind, which
// its guard checked the viewer may make.
type kindHandler func(c echo.Context, kind auth.Kind) error

// tokenRoute registers a route about the token in its path, guarded by a.
func (s *Server) tokenRoute(method, path string, a auth.Action, h tokenHandler) {
	s.Route(method, path, plumbing.OnToken(a), func(c echo.Context) error {
		t, err := s.orgToken(c, a)
		if err != nil {
			return err
		}
		return h(c, t)
	})
}

// newTokenRoute registers a route that makes a token of the path's kind.
func (s *Server) newTokenRoute(method, path string, h kindHandler) {
	s.Route(method, path, plumbing.OnToken(auth.CreateToken), func(c echo.Context) error {
		kind, err := tokenKind(c)
		if err != nil {
			return err
		}
		if err := s.mayCreate(c, kind); err != nil {
			return err
		}
		return h(c, kind)
	})
}

// Routes registers the dashboard pages, each behind its guard: the whole surface and its protection in one place.
func (s *Server) Routes() {
	s.Route(http.MethodGet, "/login", plumbing.Public, s.loginForm)
	s.Route(http.MethodPost, "/login", plumbing.Public, s.login)
	s.Route(http.MethodGet, "/login/with/:id", plumbing.Public, s.providerSignIn)
	s.Route(http.MethodGet, CallbackPath, plumbing.Public, s.providerCallback)
	s.Route(http.MethodGet, "/setup", plumbing.Public, s.setupForm)
	s.Route(http.MethodPost, "/setup", plumbing.Public, s.setupSubmit)
	s.Route(http.MethodGet, "/invite/:code", plumbing.Public, s.invitePage)
	s.Route(http.MethodPost, "/invite/:code/sign-in", plumbing.Public, s.inviteSignIn)
	s.Route(http.MethodPost, "/invite/:code/join", plumbing.Public, s.inviteJoin)
	s.Route(http.MethodGet, "/invite/:code/with/:id", plumbing.Public, s.inviteProviderSignIn)
	s.Route(http.MethodGet, "/", plumbing.SignedIn, s.home)
	s.Route(http.MethodGet, "/logout", plumbing.SignedIn, s.logoutForm)
	s.Route(http.MethodPost, "/logout", plumbing.SignedIn, s.logout)
	s.Route(http.MethodGet, "/switch-org", plumbing.SignedIn, s.switchOrg)
	s.Route(http.MethodGet, "/me/tokens", plumbing.SignedIn, s.myTokens)
	s.Route(http.MethodGet, signInMethodsPath, plumbing.SignedIn, s.signInMethods)
	s.Route(http.MethodPost, "/me/sign-in/:id/link", plumbing.SignedIn, s.linkProvider)
	s.Route(http.MethodPost, "/me/sign-in/:id/unlink", plumbing.SignedIn, s.unlinkProvider)
	s.Route(http.MethodPost, "/me/tokens/personal", plumbing.SignedIn, s.createPersonal)
	s.Route(http.MethodPost, "/me/tokens/personal/:id/orgs", plumbing.SignedIn, s.addPersonalOrg)
	s.Route(http.MethodPost, "/me/tokens/personal/:id/orgs/:slug/remove", plumbing.SignedIn, s.removePersonalOrg)
	s.Route(http.MethodPost, "/me/tokens/personal/:id/revoke", plumbing.SignedIn, s.revokePersonal)
	s.Route(http.MethodPost, "/me/tokens/personal/:id/edit", plumbing.SignedIn, s.editPersonal)
	s.Route(http.MethodPost, "/me/tokens/personal/:id/rotate", plumbing.SignedIn, s.rotatePersonal)
	s.Route(http.MethodGet, "/device", plumbing.SignedIn, s.devicePage)
	s.Route(http.MethodPost, "/device", plumbing.SignedIn, s.deviceDecide)
	s.Route(http.MethodPost, "/invite/:code/accept", plumbing.SignedIn, s.inviteAccept) // join as the signed-in account
	s.Route(http.MethodGet, "/notifications", plumbing.SignedIn, s.notifications)
	s.Route(http.MethodGet, "/notifications/:id", plumbing.SignedIn, s.openNotification)
	s.Route(http.MethodPost, "/notifications/read-all", plumbing.SignedIn, s.readAllNotifications)
	s.Route(http.MethodGet, "/orgs/:org", plumbing.InOrg(auth.ViewOrg), s.orgHome)
	s.Route(http.MethodGet, "/orgs/:org/settings/members", plumbing.InOrg(auth.ManageMembers), s.members)
	s.Route(http.MethodPost, "/orgs/:org/settings/members", plumbing.InOrg(auth.ManageMembers), s.addMember)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/invitations", plumbing.InOrg(auth.ManageMembers), s.invite)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/invitations/:id/resend", plumbing.InOrg(auth.ManageMembers), s.resendInvitation)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/invitations/:id/revoke", plumbing.InOrg(auth.ManageMembers), s.revokeInvitation)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/:user/role", plumbing.InOrg(auth.ManageMembers), s.changeRole)
	s.Route(http.MethodGet, "/orgs/:org/settings/members/:user/remove", plumbing.InOrg(auth.ManageMembers), s.confirmRemoveMember)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/:user/remove", plumbing.InOrg(auth.ManageMembers), s.removeMember)
	s.Route(http.MethodGet, "/orgs/:org/settings/members/:user/tokens", plumbing.InOrg(auth.ManageMembers), s.personTokens)
	s.Route(http.MethodPost, "/orgs/:org/settings/members/:user/tokens/:id/handover", plumbing.InOrg(auth.ManageMembers), s.handOverToken)
	s.Route(http.MethodGet, "/orgs/:org/settings/tokens/:kind", plumbing.InOrg(auth.ViewTokens), s.tokens)
	s.Route(http.MethodPost, "/orgs/:org/settings/tokens/:kind/search", plumbing.InOrg(auth.ViewTokens), s.searchTokens)
	s.Route(http.MethodGet, "/orgs/:org/settings/tokens/:kind/tokens.csv", plumbing.InOrg(auth.ViewAudit), s.tabTokensCSV)
	s.newTokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/new", s.newToken)
	s.newTokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind", s.createToken)
	s.Route(http.MethodPost, "/orgs/:org/settings/tokens/:kind/bulk", plumbing.InOrg(auth.BulkTokens), s.bulkTokens)
	s.Route(http.MethodPost, "/orgs/:org/settings/tokens/revoke-all", plumbing.InOrg(auth.BulkTokens), s.revokeAll)
	s.Route(http.MethodPost, "/orgs/:org/settings/tokens/expiring/:id/dismiss", plumbing.InOrg(auth.ViewTokens), s.dismissExpiry)
	s.Route(http.MethodGet, "/orgs/:org/settings/tokens/personal/:id", plumbing.InOrg(auth.ViewTokens), s.personalDetail)
	s.Route(http.MethodGet, "/orgs/:org/settings/tokens/personal/:id/remove-org", plumbing.InOrg(auth.RemoveTokenOrg), s.confirmRemoveOrg)
	s.Route(http.MethodPost, "/orgs/:org/settings/tokens/personal/:id/remove-org", plumbing.InOrg(auth.RemoveTokenOrg), s.removeOrg)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id", auth.ViewToken, s.tokenDetail)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/edit", auth.EditToken, s.editToken)
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/edit", auth.EditToken, s.updateToken)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/rotate", auth.RotateToken, s.rotateDialog)
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/rotate", auth.RotateToken, s.rotateToken)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/disable", auth.DisableToken, s.confirmState(disableChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/disable", auth.DisableToken, s.applyState(disableChange))
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/enable", auth.DisableToken, s.confirmState(enableChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/enable", auth.DisableToken, s.applyState(enableChange))
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/revoke", auth.RevokeToken, s.confirmState(revokeChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/revoke", auth.RevokeToken, s.applyState(revokeChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/reveal", auth.RevealToken, s.revealToken)
	s.tokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/:id/end-grace", auth.RotateToken, s.confirmState(endGraceChange))
	s.tokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind/:id/end-grace", auth.RotateToken, s.applyState(endGraceChange))
	s.Route(http.MethodGet, "/orgs/:org/settings/services", plumbing.InOrg(auth.ViewServices), s.services)
	s.Route(http.MethodPost, "/orgs/:org/settings/services", plumbing.InOrg(auth.ManageServices), s.addService)
	s.Route(http.MethodPost, "/orgs/:org/settings/services/:id/remove", plumbing.InOrg(auth.ManageServices), s.removeService)
	s.Route(http.MethodGet, "/orgs/:org/settings/policy", plumbing.InOrg(auth.ManagePolicy), s.policy)
	s.Route(http.MethodPost, "/orgs/:org/settings/policy", plumbing.InOrg(auth.ManagePolicy), s.policySubmit)
	s.Route(http.MethodGet, "/orgs/:org/settings/audit", plumbing.InOrg(auth.ViewAudit), s.auditTokens)
	s.Route(http.MethodPost, "/orgs/:org/settings/audit/search", plumbing.InOrg(auth.ViewAudit), s.searchAudit)
	s.Route(http.MethodGet, "/orgs/:org/settings/audit/events", plumbing.InOrg(auth.ViewAudit), s.auditEvents)
	s.Route(http.MethodPost, "/orgs/:org/settings/audit/events/search", plumbing.InOrg(auth.ViewAudit), s.searchEvents)
	s.Route(http.MethodGet, "/orgs/:org/settings/audit/tokens.csv", plumbing.InOrg(auth.ViewAudit), s.auditTokensCSV)
	s.Route(http.MethodGet, "/orgs/:org/settings/audit/events.csv", plumbing.InOrg(auth.ViewAudit), s.auditEventsCSV)
	s.Route(http.MethodGet, "/admin", plumbing.OnSite(auth.ManageSite), s.adminPage)
	s.Route(http.MethodPost, "/admin/orgs", plumbing.OnSite(auth.ManageSite), s.createOrg)
	s.Route(http.MethodGet, "/admin/users/:user/disable", plumbing.OnSite(auth.ManageSite), s.confirmDisableUser)
	s.Route(http.MethodPost, "/admin/users/:user/disable", plumbing.OnSite(auth.ManageSite), s.disableUser)
	s.Route(http.MethodPost, "/admin/users/:user/enable", plumbing.OnSite(auth.ManageSite), s.enableUser)
	s.Route(http.MethodGet, "/admin/identity", plumbing.OnSite(auth.ManageSite), s.identityAdmin)
	s.Route(http.MethodPost, "/admin/identity", plumbing.OnSite(auth.ManageSite), s.addProvider)
	s.Route(http.MethodGet, "/admin/identity/:id", plumbing.OnSite(auth.ManageSite), s.editProvider)
	s.Route(http.MethodPost, "/admin/identity/:id", plumbing.OnSite(auth.ManageSite), s.updateProvider)
	s.Route(http.MethodPost, "/admin/identity/:id/delete", plumbing.OnSite(auth.ManageSite), s.deleteProvider)
	s.Route(http.MethodGet, "/admin/smtp", plumbing.OnSite(auth.ManageSite), s.smtpPage)
	s.Route(http.MethodPost, "/admin/smtp", plumbing.OnSite(auth.ManageSite), s.saveSMTP)
	s.Route(http.MethodPost, "/admin/smtp/test", plumbing.OnSite(auth.ManageSite), s.testSMTP)
	s.Route(http.MethodPost, "/admin/smtp/remove", plumbing.OnSite(auth.ManageSite), s.removeSMTP)
}
