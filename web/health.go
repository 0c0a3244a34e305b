package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz answers while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers a query on both pools.
// On PostgreSQL it also says whether this replica hears the others' token
// changes; while it does not, it still serves (its cache reads through), so
// it stays ready.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.Error("readiness check failed", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "detail": "the database does not answer"})
	}
	body := map[string]string{"status": "ok"}
	if s.DB.Shared() {
		body["change_feed"] = "listening"
		if !s.DB.FeedListening() {
			body["change_feed"] = "reconnecting: token checks read the database until it is back"
		}
	}
	return c.JSON(http.StatusOK, body)
}
