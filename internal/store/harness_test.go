package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/store/testpg"
)

// driverCase opens stores of one driver on one database, any number of
// times (to test restarts), and gives raw SQL access to that database.
type driverCase struct {
	name string
	// config returns the configuration of a fresh, empty database.
	config func(t testing.TB) Config
	// raw opens a plain connection to the database of cfg.
	raw func(t testing.TB, cfg Config) db
}

var driverCases = []driverCase{
	{
		name: DriverSQLite,
		config: func(t testing.TB) Config {
			return Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), "quorate.db")}
		},
		raw: func(t testing.TB, cfg Config) db {
			d, err := sql.Open("sqlite", sqliteDSN(cfg.Path, false))
			if err != nil {
				t.Fatal(err)
			}
			d.SetMaxOpenConns(1)
			t.Cleanup(func() { _ = d.Close() })
			return sqlDB{q: d}
		},
	},
	{
		name: DriverPostgres,
		config: func(t testing.TB) Config {
			return Config{Driver: DriverPostgres, DSN: configopaque.String(testpg.DSN(t))}
		},
		raw: func(t testing.TB, cfg Config) db {
			return pgxDB{q: testpg.Conn(t, string(cfg.DSN))}
		},
	},
}

// forEachDriver runs test once per driver.
func forEachDriver(t *testing.T, test func(t *testing.T, dc driverCase)) {
	for _, dc := range driverCases {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			test(t, dc)
		})
	}
}

// open opens a store on cfg and closes it at cleanup.
func open(t testing.TB, cfg Config) Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s store: %v", cfg.Driver, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// t0 is a fixed hour start; PostgreSQL keeps microseconds, so test times
// stay on whole microseconds.
var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

func probe(key, agent string, ts time.Time, ok bool, d time.Duration) Result {
	r := Result{
		EndpointKey: key,
		AgentID:     agent,
		Result: result.Result{
			Timestamp:             ts,
			Duration:              d,
			HTTPStatus:            200,
			Connected:             true,
			Hostname:              "example.org",
			IP:                    "127.0.0.1",
			DNSRCode:              "NOERROR",
			CertificateExpiration: 72 * time.Hour,
			DomainExpiration:      90 * 24 * time.Hour,
			Body:                  []byte("never stored"),
			Success:               ok,
			ConditionResults: []result.ConditionResult{
				{Condition: "[STATUS] == 200", Success: ok},
				{Condition: "[RESPONSE_TIME] < 300", Success: true},
			},
		},
	}
	if !ok {
		r.HTTPStatus = 503
		r.Errors = []string{"unexpected status", "second error"}
	}
	return r
}

func rawCount(t testing.TB, d db, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := queryOne(context.Background(), d, q, args, &n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func boolPtr(b bool) *bool { return &b }
