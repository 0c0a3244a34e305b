package plumbing

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tokenward/auth/fault"
	"tokenward/store"
	"tokenward/views"
)

// statuses is each fault code's HTTP status: the one table.
var statuses = map[fault.Code]int{
	fault.NotFound:     http.StatusNotFound,
	fault.Malformed:    http.StatusBadRequest,
	fault.Invalid:      http.StatusUnprocessableEntity,
	fault.Conflict:     http.StatusConflict,
	fault.Forbidden:    http.StatusForbidden,
	fault.Unauthorized: http.StatusUnauthorized,
	fault.TooMany:      http.StatusTooManyRequests,
	fault.Unsupported:  http.StatusUnsupportedMediaType,
	fault.Internal:     http.StatusInternalServerError,
	fault.Unavailable:  http.StatusServiceUnavailable,
}

// Status is the HTTP status that answers a fault code.
func Status(code fault.Code) int {
	if st, ok := statuses[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// titles head the answers to faults that bring no title of their own,
// where the status's own text would say less.
var titles = map[fault.Code]string{fault.Conflict: "Conflict", fault.Invalid: "Cannot do that"}

// unavailableRetry is the Retry-After of an answer given while the database
// does not answer.
const unavailableRetry = 5 * time.Second

// NotFound is the answer for anything the viewer may not know exists.
func NotFound() *fault.Error {
	return &fault.Error{Code: fault.NotFound, Title: "Page not found", Message: "There is nothing at this address, or you do not have access to it."}
}

// Forbidden is the answer for a member whose role does not allow a thing.
func Forbidden() *fault.Error {
	return &fault.Error{Code: fault.Forbidden, Title: "Not allowed", Message: "Your role in this organization does not allow this. Ask an admin if you need it."}
}

// answer is what a failed request gets: a status and what the person sees.
type answer struct {
	status int
	*fault.Error
}

// describe turns any error into its answer: a fault by its code (a store's
// not found is the page that confirms nothing), Echo's routing errors by
// their status, anything else as internal.
func describe(err error) answer {
	if store.IsUnavailable(err) {
		return answer{http.StatusServiceUnavailable, &fault.Error{Code: fault.Unavailable, Title: "Database unavailable",
			Message: "The database is not answering just now, so nothing was changed. Try again in a few seconds.", RetryAfter: unavailableRetry, Err: err}}
	}
	if e := fault.As(err); e != nil && e.Code != fault.Internal {
		if e.Code == fault.NotFound && e.Title == "" {
			return answer{http.StatusNotFound, NotFound()}
		}
		if e.Title == "" {
			titled := *e
			titled.Title = cmp.Or(titles[e.Code], http.StatusText(Status(e.Code)))
			e = &titled
		}
		return answer{Status(e.Code), e}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return answer{he.Code, NotFound()}
		case http.StatusMethodNotAllowed:
			return answer{he.Code, &fault.Error{Code: fault.Malformed, Title: "Method not allowed", Message: "This address does not accept that kind of request."}}
		case http.StatusRequestEntityTooLarge:
			return answer{he.Code, &fault.Error{Code: fault.Malformed, Title: "Request too large", Message: "The request is larger than 1 MiB. Send less data at once."}}
		}
		if he.Code < 500 {
			return answer{he.Code, &fault.Error{Code: fault.Malformed, Title: http.StatusText(he.Code), Message: "The request could not be handled: check it and try again."}}
		}
	}
	return answer{http.StatusInternalServerError, &fault.Error{Code: fault.Internal, Title: "Something went wrong",
		Message: "Something went wrong on our side. If it keeps happening, give your administrator the request id below.", Err: err}}
}

// handleError is Echo's error handler: one place that maps errors to
// statuses and Retry-After, logs internal causes and renders the error page
// or, for the API and OAuth endpoints, a problem document.
func (s *Site) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	a := describe(err)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if a.status >= 500 {
		s.Log.Error("request failed", "request_id", rid, "path", c.Request().URL.Path, "error", err)
	}
	if a.RetryAfter > 0 {
		SetRetryAfter(c, a.RetryAfter)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(a.status)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") || strings.HasPrefix(c.Request().URL.Path, "/oauth/") {
		_ = problem(c, a)
		return
	}
	shell := s.BaseShell(c, a.Title)
	if err := s.Render(c, a.status, views.ErrorPage(views.ErrorProps{Shell: shell, Status: a.status,
		Title: a.Title, Message: a.Message, RequestID: rid})); err != nil {
		s.Log.Error("render error page", "request_id", rid, "error", err)
		_ = c.String(a.status, a.Message)
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
func problem(c echo.Context, a answer) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(a.status)
	body := problemBody{Type: "about:blank", Title: a.Title, Status: a.status, Detail: a.Message,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID), Errors: a.Fields}
	if a.OAuth != "" {
		body.Error, body.ErrorDescription = a.OAuth, a.Message
	}
	return jsonEncode(c.Response(), body)
}

// SetRetryAfter says in the Retry-After header how long to wait: the one
// way it is said, for errors and for pages re-rendered with a 429.
func SetRetryAfter(c echo.Context, wait time.Duration) {
	c.Response().Header().Set("Retry-After", strconv.Itoa(fault.RetrySeconds(wait)))
}
