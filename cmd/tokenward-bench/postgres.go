package main

import (
	"fmt"
	"net/url"

	"tokenward/auth"
)

// makeKeyFile writes a new deployment key to path, as an operator does once
// for all replicas.
func makeKeyFile(path string) error {
	if _, _, err := auth.LoadOrCreateMasterKey(path); err != nil {
		return fmt.Errorf("deployment key: %w", err)
	}
	return nil
}

// redactURL is a database URL without its password, for the report.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}
