package core

import (
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

func utf8Text(s string) bool { return utf8.ValidString(s) }
