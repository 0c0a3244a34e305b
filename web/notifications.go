package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"tokenward/views"
)

// notificationsShown is how many notifications the list shows, newest first.
const notificationsShown = 100

// notifications is GET /notifications: the signed-in user's notifications.
func (s *Server) notifications(c echo.Context) error {
	shell, err := s.pageShell(c, "Notifications", "")
	if err != nil {
		return err
	}
	list, err := s.db.Notifications(c.Request().Context(), state(c).user.ID, notificationsShown+1)
	if err != nil {
		return err
	}
	p := views.NotificationsProps{Shell: shell, Unread: shell.Unread, Limit: notificationsShown}
	if len(list) > notificationsShown {
		list, p.More = list[:notificationsShown], true
	}
	now := s.db.Now()
	ctx := c.Request().Context()
	names := map[int64]*actorNames{} // by org: the recipient's role differs
	for _, n := range list {
		if names[n.OrgID] == nil {
			me, err := memberPrincipal(ctx, s.db, n.OrgID, state(c).user.ID)
			if err != nil {
				return err
			}
			names[n.OrgID] = newActorNames(s.db, n.OrgID, me)
		}
		msg, err := names[n.OrgID].notice(ctx, n)
		if err != nil {
			return err
		}
		p.Items = append(p.Items, views.NotificationRow{ID: n.ID, Message: msg, Unread: n.Unread(),
			Href: fmt.Sprintf("/notifications/%d", n.ID), At: moment(n.CreatedAt, now, "")})
	}
	return s.render(c, http.StatusOK, views.NotificationsPage(p))
}

// openNotification is GET /notifications/:id: it marks one of the user's
// notifications read and goes to the token it is about. Another user's
// notification is a 404.
func (s *Server) openNotification(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := s.db.ReadNotification(c.Request().Context(), state(c).user.ID, id)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(n.Link))
}

// readAllNotifications is POST /notifications/read-all.
func (s *Server) readAllNotifications(c echo.Context) error {
	n, err := s.db.ReadAllNotifications(c.Request().Context(), state(c).user.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		if err := s.flash(c, "success", fmt.Sprintf("Marked %d notification%s read.", n, plural(n))); err != nil {
			return err
		}
	}
	return redirect(c, "/notifications")
}
