// Package fault is Tokenward's one error model: a coded error with a
// message safe to show a person. Every layer returns it (the store for a
// missing row or a taken name, the core for a rule that refuses, the
// surfaces for bad input); web/plumbing maps its code to a status and a page
// or a problem document in one place. It imports nothing of Tokenward.
package fault

import (
	"errors"
	"time"
)

// Code says what kind of failure an error is, so callers can answer it
// without reading its text.
type Code string

// The codes. Each maps to one HTTP status in web/plumbing.
const (
	NotFound     Code = "not_found"    // no such thing, or the caller may not know of it (404)
	Malformed    Code = "malformed"    // the request cannot be read: a bad filter, bad JSON, a bad OAuth request (400)
	Invalid      Code = "invalid"      // readable, but the values break a rule; Fields say which (422)
	Conflict     Code = "conflict"     // a name is taken, or the thing changed meanwhile (409)
	Forbidden    Code = "forbidden"    // the caller is known and may not do this (403)
	Unauthorized Code = "unauthorized" // no valid credentials (401)
	TooMany      Code = "too_many"     // slow down; RetryAfter says for how long (429)
	Unsupported  Code = "unsupported"  // a body in a content type not accepted (415)
	Internal     Code = "internal"     // our failure; Err is logged, never shown (500)
	Unavailable  Code = "unavailable"  // the database does not answer for now; RetryAfter says when to try again (503)
)

// Fields maps an input field to what is wrong with it, in words a person
// can act on.
type Fields map[string]string

// Any reports whether any field has a message.
func (f Fields) Any() bool { return len(f) > 0 }

// Has reports whether field has a message.
func (f Fields) Has(field string) bool { return f[field] != "" }

// Error is a failure with a code and a message safe to show.
type Error struct {
	Code Code
	// Title is a short heading for the error page or problem document;
	// empty uses the code's.
	Title   string
	Message string
	// Fields are per-field messages (Invalid, Conflict).
	Fields Fields
	// RetryAfter is how long to wait before trying again (TooMany; also
	// the quota's reset).
	RetryAfter time.Duration
	// Reason is a finer cause for metrics and logs, such as "revoked" or
	// "expired" for a refused token.
	Reason string
	// OAuth is the OAuth error code (RFC 6749, 6750, 7009, 8628) sent as
	// the problem's "error" member: invalid_token, slow_down, ...
	OAuth string
	// Err is the internal cause: logged, never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New is an error with code and message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Field is an error about one input field: the message is both the
// error's and the field's.
func Field(code Code, field, msg string) *Error {
	return &Error{Code: code, Message: msg, Fields: Fields{field: msg}}
}

// InvalidFields is the answer for a request whose fields break rules.
func InvalidFields(f Fields) *Error {
	return &Error{Code: Invalid, Title: "Invalid request", Message: "Some fields are not valid: see errors.", Fields: f}
}

// Wait is a TooMany error: msg says why, wait how long until another try.
func Wait(wait time.Duration, title, msg string) *Error {
	return &Error{Code: TooMany, Title: title, Message: msg, RetryAfter: wait}
}

// As returns err as a fault, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf is err's code: "" for nil, Internal for an error that is not a
// fault.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// Is reports whether err is a fault with code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// FieldsOf is err's per-field messages, or nil.
func FieldsOf(err error) Fields {
	if e := As(err); e != nil {
		return e.Fields
	}
	return nil
}

// RetrySeconds is a wait as the whole seconds of a Retry-After header and
// of the message that goes with it: the whole seconds plus one, so a client
// never retries too early.
func RetrySeconds(wait time.Duration) int { return int(wait/time.Second) + 1 }
