package main

import (
	"os"
	"testing"

	"tokenward/store/pgtest"
)

// TestMain stops the PostgreSQL cluster that the tests of commands on
// PostgreSQL start (pgtest.Shared) once every test has run.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m.Run)) }
