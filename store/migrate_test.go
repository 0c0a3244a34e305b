package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"tokenward/store"
)

// TestReplicasStartingTogetherMigrateOnce: three processes opening one new
// PostgreSQL database at the same moment all start, and each migration is
// recorded once.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	if pg == nil {
		t.Skip("PostgreSQL only: SQLite has one writer")
	}
	t.Parallel()
	ctx := context.Background()
	u, err := pg.NewDatabase(ctx, "") // empty: not the migrated template
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 3)
	errs := make([]error, 3)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = store.Open(ctx, u)
		}()
	}
	wg.Wait()
	for i, db := range dbs {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		defer db.Close()
	}
	_, w := dbs[0].Pools()
	var versions, distinct int
	if err := w.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&versions, &distinct); err != nil {
		t.Fatal(err)
	}
	if versions != distinct || versions < 14 {
		t.Errorf("schema_migrations holds %d rows for %d versions", versions, distinct)
	}
}

// TestDeploymentKeyFingerprint: the first open with a key records its
// fingerprint; another key is refused with a message naming --key-file,
// and the same key opens.
func TestDeploymentKeyFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc := testLocation(t)
	db, err := store.Open(ctx, loc, store.WithKeyFingerprint("aaaa1111"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = store.Open(ctx, loc, store.WithKeyFingerprint("bbbb2222"))
	if !errors.Is(err, store.ErrOtherKey) {
		t.Fatalf("another key: %v, want ErrOtherKey", err)
	}
	for _, want := range []string{"aaaa1111", "bbbb2222", "--key-file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	again, err := store.Open(ctx, loc, store.WithKeyFingerprint("aaaa1111"))
	if err != nil {
		t.Fatalf("the same key: %v", err)
	}
	again.Close()
}
