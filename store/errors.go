package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Code classifies a store error so callers can map it to an answer without
// reading its text.
type Code string

// The codes a store method returns.
const (
	ENotFound Code = "not_found" // the record does not exist (or is not visible to the caller)
	EConflict Code = "conflict"  // a unique value is taken or the change would break a rule
	EInvalid  Code = "invalid"   // the input breaks a rule the store enforces
)

// Error is a store error with a message safe to show a person; Field names
// the input it is about, when there is one.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// ErrorCode returns the code of a store error, or "" for any other error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err says a record does not exist.
func IsNotFound(err error) bool { return ErrorCode(err) == ENotFound }

func notFound(what string) error {
	return &Error{Code: ENotFound, Message: what + " not found"}
}

func conflict(field, msg string) error {
	return &Error{Code: EConflict, Field: field, Message: msg}
}

// isUnique reports whether err is SQLite refusing a duplicate value.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
