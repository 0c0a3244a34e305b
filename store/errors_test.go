package store_test

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"tokenward/auth/fault"
	"tokenward/store"
)

// TestIsUnavailable: what a database that went away looks like is
// unavailable (503, try again); a request's own fault never is, even when
// its message quotes the words of one, as a truncated JSON body's does.
func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"connection cut mid-answer", fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF), true},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"a duplicate is no outage", &pgconn.PgError{Code: "23505"}, false},
		{"an internal fault wrapping a cut connection", &fault.Error{Code: fault.Internal, Err: io.ErrUnexpectedEOF}, true},
		{"the unavailable fault", &fault.Error{Code: fault.Unavailable}, true},
		{"truncated JSON", &fault.Error{Code: fault.Malformed, Title: "Invalid JSON", Message: "The body is not valid JSON: unexpected EOF."}, false},
		{"a wrapped conflict", fmt.Errorf("create: %w", &fault.Error{Code: fault.Conflict, Message: "conn closed"}), false},
		{"anything else", errors.New("boom"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.IsUnavailable(tc.err); got != tc.want {
				t.Errorf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
