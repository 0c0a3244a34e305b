package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"tokenward/auth/fault"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Code is a fault code (auth/fault), the one error model: the store says
// what went wrong with the codes below, and web/plumbing answers them.
type Code = fault.Code

// The codes a store method returns.
const (
	ENotFound = fault.NotFound // the record does not exist (or is not visible to the caller)
	EConflict = fault.Conflict // a unique value is taken or the change would break a rule
	EInvalid  = fault.Invalid  // the input breaks a rule the store enforces
)

// Error is the one error type, fault.Error: a code, a message safe to show
// a person, and the fields it is about, when there are any.
type Error = fault.Error

// ErrorCode returns the code of a store error, or "" for any other error.
func ErrorCode(err error) Code {
	if e := fault.As(err); e != nil {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err says a record does not exist.
func IsNotFound(err error) bool { return fault.Is(err, fault.NotFound) }

func notFound(what string) error { return fault.New(fault.NotFound, what+" not found") }

func conflict(field, msg string) error { return fault.Field(fault.Conflict, field, msg) }

// isUnique reports whether err is SQLite refusing a duplicate value.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	return false
}

// IsUnavailable reports whether err means the database could not be
// reached or went away mid-request (PostgreSQL restarting, the network
// cut), rather than that the request was wrong: the request can be tried
// again once it is back, and nothing of it was committed. Only errors from
// the database connection count: a JSON body cut short or a mail server
// that does not answer are not the database.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	// A coded fault says what it is: a malformed request whose message
	// quotes "unexpected EOF" (truncated JSON) is not an outage.
	if e := fault.As(err); e != nil && e.Code != fault.Internal {
		return e.Code == fault.Unavailable
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception (but 08P01, a protocol violation,
		// is a bad statement); 57P01-57P03: the server is shutting down,
		// crashed or is starting.
		return (strings.HasPrefix(pe.Code, "08") && pe.Code != "08P01") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	// pgconn's own errors say whether the statement never reached the
	// server; one that carries a network error or an EOF lost its
	// connection on the way.
	var own interface{ SafeToRetry() bool }
	if errors.As(err, &own) {
		var ne net.Error
		if own.SafeToRetry() || pgconn.Timeout(err) || errors.As(err, &ne) || errors.Is(err, io.EOF) {
			return true
		}
	}
	// Uncoded errors of a connection that was cut or refused (a coded fault,
	// such as truncated JSON, returned above).
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
