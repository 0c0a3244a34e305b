package plumbing

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tokenward/store"
	"tokenward/views"
)

// Error is a failure with a status and a message safe to show a person. Err,
// when set, is the internal cause: logged, never shown.
type Error struct {
	Status  int
	Title   string
	Message string
	// Code is the OAuth error code (RFC 6749, 6750, 7009, 8628) for API and
	// OAuth answers, sent as the problem's "error" member.
	Code string
	// Fields are per-field messages for an API request's invalid fields.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound is the answer for anything the viewer may not know exists.
func NotFound() *Error {
	return &Error{Status: http.StatusNotFound, Title: "Page not found", Message: "There is nothing at this address, or you do not have access to it."}
}

func Forbidden() *Error {
	return &Error{Status: http.StatusForbidden, Title: "Not allowed", Message: "Your role in this organization does not allow this. Ask an admin if you need it."}
}

// describe turns any error into what the person sees.
func describe(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return NotFound()
		case http.StatusMethodNotAllowed:
			return &Error{Status: he.Code, Title: "Method not allowed", Message: "This address does not accept that kind of request."}
		case http.StatusRequestEntityTooLarge:
			return &Error{Status: he.Code, Title: "Request too large", Message: "The request is larger than 1 MiB. Send less data at once."}
		}
		if he.Code < 500 {
			return &Error{Status: he.Code, Title: http.StatusText(he.Code), Message: "The request could not be handled: check it and try again."}
		}
	}
	var se *store.Error
	if errors.As(err, &se) {
		switch se.Code {
		case store.ENotFound:
			return NotFound()
		case store.EConflict:
			return &Error{Status: http.StatusConflict, Title: "Conflict", Message: se.Message}
		case store.EInvalid:
			return &Error{Status: http.StatusUnprocessableEntity, Title: "Cannot do that", Message: se.Message}
		}
	}
	return &Error{Status: http.StatusInternalServerError, Title: "Something went wrong",
		Message: "Something went wrong on our side. If it keeps happening, give your administrator the request id below.", Err: err}
}

// handleError is Echo's error handler: one place that maps errors to
// statuses, logs internal causes and renders the error page.
func (s *Site) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := describe(err)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if e.Status >= 500 {
		s.Log.Error("request failed", "request_id", rid, "path", c.Request().URL.Path, "error", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(e.Status)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") || strings.HasPrefix(c.Request().URL.Path, "/oauth/") {
		_ = s.problem(c, e)
		return
	}
	shell := s.BaseShell(c, e.Title)
	if err := s.Render(c, e.Status, views.ErrorPage(views.ErrorProps{Shell: shell, Status: e.Status,
		Title: e.Title, Message: e.Message, RequestID: rid})); err != nil {
		s.Log.Error("render error page", "request_id", rid, "error", err)
		_ = c.String(e.Status, e.Message)
	}
}

// problemBody is an RFC 9457 problem document, with the OAuth error members
// (RFC 6749) when there is an OAuth error code, and per-field messages.
type problemBody struct {
	Type             string            `json:"type"`
	Title            string            `json:"title"`
	Status           int               `json:"status"`
	Detail           string            `json:"detail"`
	RequestID        string            `json:"request_id"`
	Error            string            `json:"error,omitempty"`
	ErrorDescription string            `json:"error_description,omitempty"`
	Errors           map[string]string `json:"errors,omitempty"`
}

// problem writes an RFC 9457 problem document.
func (s *Site) problem(c echo.Context, e *Error) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(e.Status)
	body := problemBody{Type: "about:blank", Title: e.Title, Status: e.Status, Detail: e.Message,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID), Errors: e.Fields}
	if e.Code != "" {
		body.Error, body.ErrorDescription = e.Code, e.Message
	}
	return jsonEncode(c.Response(), body)
}
