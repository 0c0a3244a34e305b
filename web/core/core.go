package core

import (
	"errors"
	"tokenward/auth"
	"tokenward/store"
	"unicode/utf8"
)

// Core holds the product's rules: what the dashboard, the API, the OAuth
// endpoints and the command line all do the same way.
type Core struct {
	DB     *store.DB
	Sealer *auth.Sealer
}

// AsStoreError returns err as a store error, or nil.
func AsStoreError(err error) *store.Error {
	var se *store.Error
	if errors.As(err, &se) {
		return se
	}
	return nil
}

func utf8Text(s string) bool { return utf8.ValidString(s) }
