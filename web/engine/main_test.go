package engine

import (
	"os"
	"testing"

	"tokenward/store/pgtest"
)

// TestMain stops the PostgreSQL cluster the tests may have started.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m.Run)) }
