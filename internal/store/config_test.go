package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOpenRejectsInvalidConfigNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string
	}{
		{"unknown driver", Config{Driver: "mysql"}, "driver"},
		{"sqlite without path", Config{Driver: DriverSQLite}, "path"},
		{"in-memory sqlite", Config{Driver: DriverSQLite, Path: ":memory:"}, "path"},
		{"postgres without dsn", Config{Driver: DriverPostgres}, "dsn"},
		{"negative age", Config{Driver: DriverSQLite, Path: "x.db", Retention: RetentionConfig{MaxResultAge: -time.Hour}}, "max_result_age"},
		{"negative count", Config{Driver: DriverSQLite, Path: "x.db", Retention: RetentionConfig{MaxResultsPerAgent: -1}}, "max_results_per_agent"},
		{"negative batch", Config{Driver: DriverSQLite, Path: "x.db", Batching: BatchingConfig{MaxBatchSize: -1}}, "max_batch_size"},
		{"negative workers", Config{Driver: DriverSQLite, Path: "x.db", Batching: BatchingConfig{Workers: -1}}, "workers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}

func TestDefaultWorkersFollowTheDriver(t *testing.T) {
	for driver, want := range map[string]int{DriverSQLite: 1, DriverPostgres: 2} {
		if got := (Config{Driver: driver}).withDefaults().Batching.Workers; got != want {
			t.Errorf("%s: %d workers by default, want %d", driver, got, want)
		}
	}
}
