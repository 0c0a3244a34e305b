package web

import (
	"net/http"
	"tokenward/auth"
	"tokenward/store"

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
	s.route(method, path, onToken(a), func(c echo.Context) error {
		t, err := s.orgToken(c, a)
		if err != nil {
			return err
		}
		return h(c, t)
	})
}

// newTokenRoute registers a route that makes a token of the path's kind.
func (s *Server) newTokenRoute(method, path string, h kindHandler) {
	s.route(method, path, onToken(auth.CreateToken), func(c echo.Context) error {
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

// uiRoutes registers the dashboard pages, each behind its guard: the whole surface and its protection in one place.
func (s *Server) uiRoutes() {
	s.route(http.MethodGet, "/login", public, s.loginForm)
	s.route(http.MethodPost, "/login", public, s.login)
	s.route(http.MethodGet, "/setup", public, s.setupForm)
	s.route(http.MethodPost, "/setup", public, s.setupSubmit)
	s.route(http.MethodGet, "/", signedIn, s.home)
	s.route(http.MethodGet, "/logout", signedIn, s.logoutForm)
	s.route(http.MethodPost, "/logout", signedIn, s.logout)
	s.route(http.MethodGet, "/switch-org", signedIn, s.switchOrg)
	s.route(http.MethodGet, "/me/tokens", signedIn, s.myTokens)
	s.route(http.MethodGet, "/device", signedIn, s.devicePage)
	s.route(http.MethodPost, "/device", signedIn, s.deviceDecide)
	s.route(http.MethodGet, "/notifications", signedIn, s.notifications)
	s.route(http.MethodGet, "/notifications/:id", signedIn, s.openNotification)
	s.route(http.MethodPost, "/notifications/read-all", signedIn, s.readAllNotifications)
	s.route(http.MethodGet, "/orgs/:org", inOrg(auth.ViewOrg), s.orgHome)
	s.route(http.MethodGet, "/orgs/:org/settings/members", inOrg(auth.ManageMembers), s.members)
	s.route(http.MethodPost, "/orgs/:org/settings/members", inOrg(auth.ManageMembers), s.addMember)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/role", inOrg(auth.ManageMembers), s.changeRole)
	s.route(http.MethodGet, "/orgs/:org/settings/members/:user/remove", inOrg(auth.ManageMembers), s.confirmRemoveMember)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/remove", inOrg(auth.ManageMembers), s.removeMember)
	s.route(http.MethodGet, "/orgs/:org/settings/members/:user/tokens", inOrg(auth.ManageMembers), s.personTokens)
	s.route(http.MethodPost, "/orgs/:org/settings/members/:user/tokens/:id/handover", inOrg(auth.ManageMembers), s.handOverToken)
	s.route(http.MethodGet, "/orgs/:org/settings/tokens/:kind", inOrg(auth.ViewTokens), s.tokens)
	s.newTokenRoute(http.MethodGet, "/orgs/:org/settings/tokens/:kind/new", s.newToken)
	s.newTokenRoute(http.MethodPost, "/orgs/:org/settings/tokens/:kind", s.createToken)
	s.route(http.MethodPost, "/orgs/:org/settings/tokens/:kind/bulk", inOrg(auth.BulkTokens), s.bulkTokens)
	s.route(http.MethodPost, "/orgs/:org/settings/tokens/revoke-all", inOrg(auth.BulkTokens), s.revokeAll)
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
	s.route(http.MethodGet, "/orgs/:org/settings/services", inOrg(auth.ViewServices), s.services)
	s.route(http.MethodPost, "/orgs/:org/settings/services", inOrg(auth.ManageServices), s.addService)
	s.route(http.MethodPost, "/orgs/:org/settings/services/:id/remove", inOrg(auth.ManageServices), s.removeService)
	s.route(http.MethodGet, "/orgs/:org/settings/policy", inOrg(auth.ManagePolicy), s.policy)
	s.route(http.MethodPost, "/orgs/:org/settings/policy", inOrg(auth.ManagePolicy), s.policySubmit)
	s.route(http.MethodGet, "/orgs/:org/settings/audit", inOrg(auth.ViewAudit), s.auditTokens)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/events", inOrg(auth.ViewAudit), s.auditEvents)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/tokens.csv", inOrg(auth.ViewAudit), s.auditTokensCSV)
	s.route(http.MethodGet, "/orgs/:org/settings/audit/events.csv", inOrg(auth.ViewAudit), s.auditEventsCSV)
	s.route(http.MethodGet, "/admin", onSite(auth.ManageSite), s.adminPage)
	s.route(http.MethodPost, "/admin/orgs", onSite(auth.ManageSite), s.createOrg)
	s.route(http.MethodGet, "/admin/users/:user/disable", onSite(auth.ManageSite), s.confirmDisableUser)
	s.route(http.MethodPost, "/admin/users/:user/disable", onSite(auth.ManageSite), s.disableUser)
	s.route(http.MethodPost, "/admin/users/:user/enable", onSite(auth.ManageSite), s.enableUser)
	s.route(http.MethodGet, "/admin/smtp", onSite(auth.ManageSite), s.smtpPage)
	s.route(http.MethodPost, "/admin/smtp", onSite(auth.ManageSite), s.saveSMTP)
	s.route(http.MethodPost, "/admin/smtp/test", onSite(auth.ManageSite), s.testSMTP)
	s.route(http.MethodPost, "/admin/smtp/remove", onSite(auth.ManageSite), s.removeSMTP)
}
