package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/views"
	"tokenward/web/core"
	"tokenward/web/plumbing"
)

// notificationsShown is how many notifications the list shows, newest first.
const notificationsShown = 100

// notifications is GET /notifications: the signed-in user's notifications.
func (s *Server) notifications(c echo.Context) error {
	shell, err := s.PageShell(c, "Notifications", "")
	if err != nil {
		return err
	}
	list, err := s.DB.Notifications(c.Request().Context(), plumbing.State(c).User.ID, notificationsShown+1)
	if err != nil {
		return err
	}
	p := views.NotificationsProps{Shell: shell, Unread: shell.Unread, Limit: notificationsShown}
	if len(list) > notificationsShown {
		list, p.More = list[:notificationsShown], true
	}
	now := s.DB.Now()
	ctx := c.Request().Context()
	names := map[int64]*core.ActorNames{} // by org: the recipient's role differs
	for _, n := range list {
		if names[n.OrgID] == nil {
			me, err := core.MemberPrincipal(ctx, s.DB, n.OrgID, plumbing.State(c).User.ID)
			if err != nil {
				return err
			}
			names[n.OrgID] = core.NewActorNames(s.DB, n.OrgID, me)
		}
		msg, err := names[n.OrgID].Notice(ctx, n)
		if err != nil {
			return err
		}
		p.Items = append(p.Items, views.NotificationRow{ID: n.ID, Message: msg, Unread: n.Unread(),
			Href: fmt.Sprintf("/notifications/%d", n.ID), At: moment(n.CreatedAt, now, "")})
	}
	return s.Render(c, http.StatusOK, views.NotificationsPage(p))
}

// openNotification is GET /notifications/:id: it marks one of the user's
// notifications read and goes to the token it is about. Another user's
// notification is a 404.
func (s *Server) openNotification(c echo.Context) error {
	id, err := plumbing.PathID(c, "id")
	if err != nil {
		return err
	}
	n, err := s.DB.ReadNotification(c.Request().Context(), plumbing.State(c).User.ID, id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(n.Link))
}

// readAllNotifications is POST /notifications/read-all.
func (s *Server) readAllNotifications(c echo.Context) error {
	n, err := s.DB.ReadAllNotifications(c.Request().Context(), plumbing.State(c).User.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		if err := s.Flash(c, "success", fmt.Sprintf("Marked %d notification%s read.", n, plumbing.Plural(n))); err != nil {
			return err
		}
	}
	return plumbing.Redirect(c, "/notifications")
}
