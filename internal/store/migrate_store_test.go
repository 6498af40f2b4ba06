package store

import (
	"context"
	"testing"
)

func TestFreshDatabaseMigratesToLatestAndReopensIdempotently(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		for i := range 3 {
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Fatalf("open #%d: %v", i+1, err)
			}
			v, err := s.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(sqliteMigrations); v != want {
				t.Errorf("open #%d: schema version %d, want %d", i+1, v, want)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		raw := dc.raw(t, cfg)
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM `+migrationsTable); n != int64(len(sqliteMigrations)) {
			t.Errorf("%d rows in %s after three opens, want %d", n, migrationsTable, len(sqliteMigrations))
		}
	})
}
