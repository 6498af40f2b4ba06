package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/store/testpg"
)

// gatusDB is a Gatus database made by a test, ready for Open.
type gatusDB struct {
	cfg Config
	raw db // plain access to the same database
	cat catalog
}

type gatusCase struct {
	name string
	ddl  []string
	make func(t *testing.T, ddl []string) gatusDB
}

func sqliteGatus(t *testing.T, ddl []string) gatusDB {
	path := filepath.Join(t.TempDir(), "gatus.db")
	// Gatus opens the file with the driver's defaults.
	d, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = d.Close() })
	raw := sqlDB{q: d}
	if err := execAll(context.Background(), raw, ddl...); err != nil {
		t.Fatal(err)
	}
	return gatusDB{cfg: Config{Driver: DriverSQLite, Path: path}, raw: raw, cat: sqliteCatalog}
}

func postgresGatus(t *testing.T, ddl []string) gatusDB {
	dsn := testpg.DSN(t)
	raw := pgxDB{q: testpg.Conn(t, dsn)}
	if err := execAll(context.Background(), raw, ddl...); err != nil {
		t.Fatal(err)
	}
	return gatusDB{cfg: Config{Driver: DriverPostgres, DSN: configopaque.String(dsn)}, raw: raw, cat: postgresCatalog}
}

var gatusCases = []gatusCase{
	{"sqlite/current", gatusSQLiteCurrent, sqliteGatus},
	{"sqlite/old-nullable", gatusSQLiteOld, sqliteGatus},
	{"sqlite/with-state", gatusSQLiteWithState, sqliteGatus},
	{"postgres/current", gatusPostgresCurrent, postgresGatus},
	{"postgres/with-state", gatusPostgresWithState, postgresGatus},
}

func TestOpenUpgradesAGatusDatabaseWithoutLosingRows(t *testing.T) {
	for _, gc := range gatusCases {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			g := gc.make(t, gc.ddl)
			fillGatus(t, g.raw, g.cat)
			if gc.name == "sqlite/old-nullable" {
				// Old Gatus left columns nullable; such a row must survive.
				if _, err := g.raw.exec(ctx, `INSERT INTO endpoint_results (endpoint_id, success, timestamp) VALUES (1, 1, $1)`, time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)); err != nil {
					t.Fatal(err)
				}
			}
			before, err := countRows(ctx, g.raw, g.cat, gatusTables)
			if err != nil {
				t.Fatal(err)
			}
			for table, n := range before {
				if n == 0 {
					t.Fatalf("fixture left %s empty", table)
				}
			}
			var suiteLinked int64 // old Gatus had no suites
			if ok, err := hasColumn(ctx, g.raw, g.cat, "endpoint_results", "suite_result_id"); err != nil {
				t.Fatal(err)
			} else if ok {
				suiteLinked = rawCount(t, g.raw, `SELECT COUNT(*) FROM endpoint_results WHERE suite_result_id IS NOT NULL`)
			}

			s := open(t, g.cfg)

			after, err := countRows(ctx, g.raw, g.cat, gatusTables)
			if err != nil {
				t.Fatal(err)
			}
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s: %d rows before the upgrade, %d after", table, n, after[table])
				}
			}
			results, uptimes := before["endpoint_results"], before["endpoint_uptimes"]
			for q, want := range map[string]int64{
				`SELECT COUNT(*) FROM endpoint_results WHERE agent_id = 'local'`:                                                           results,
				`SELECT COUNT(*) FROM endpoint_result_conditions c JOIN endpoint_results r ON r.endpoint_result_id = c.endpoint_result_id`: before["endpoint_result_conditions"],
				`SELECT COUNT(*) FROM endpoint_events WHERE agent_id = 'local'`:                                                            before["endpoint_events"],
				`SELECT COUNT(*) FROM endpoint_agent_uptimes WHERE agent_id = 'local'`:                                                     uptimes,
				`SELECT COUNT(*) FROM endpoint_agent_uptimes a JOIN endpoint_uptimes u ON u.endpoint_id = a.endpoint_id AND u.hour_unix_timestamp = a.hour_unix_timestamp AND u.total_executions = a.total_executions`: uptimes,
				`SELECT COUNT(*) FROM endpoint_alerts_triggered WHERE agent_id = 'local' AND triggered = true`:                                                                                                         before["endpoint_alerts_triggered"],
				`SELECT COUNT(*) FROM endpoint_results WHERE suite_result_id IS NOT NULL`:                                                                                                                              suiteLinked,
			} {
				if n := rawCount(t, g.raw, q); n != want {
					t.Errorf("%s = %d, want %d", q, n, want)
				}
			}
			if n, err := s.CountResults(ctx, ResultFilter{AgentID: LocalAgentID}); err != nil || n != results {
				t.Errorf("CountResults(agent local) = %d, %v; want %d", n, err, results)
			}
			runs, err := s.LoadAgentRuns(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(runs)) != before["endpoint_alerts_triggered"] {
				t.Errorf("%d agent runs restored from Gatus's triggered alerts, want %d", len(runs), before["endpoint_alerts_triggered"])
			}
			for _, r := range runs {
				if !r.Triggered || r.AgentID != LocalAgentID || !strings.HasPrefix(r.ResolveKey, "resolve-") {
					t.Errorf("run from Gatus = %+v, want a triggered run of local keeping its resolve key", r)
					break
				}
			}
			all, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "g0_ep-0"})
			if err != nil {
				t.Fatal(err)
			}
			local, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "g0_ep-0", AgentID: LocalAgentID})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) == 0 || len(all) != len(local) || all[0].Total != local[0].Total {
				t.Errorf("uptime of g0_ep-0: endpoint %+v, local %+v; want the same buckets", all, local)
			}

			// The upgraded database takes new data for Gatus's endpoints.
			if err := s.WriteResults(ctx, []Result{probe("g0_ep-0", "eu", time.Now().UTC(), true, time.Millisecond)}); err != nil {
				t.Fatalf("write after upgrade: %v", err)
			}
			if err := s.SaveAgentRuns(ctx, []AgentRun{
				{EndpointKey: "g0_ep-0", ConfigurationChecksum: "checksum-0", AgentID: "eu", FailuresInARow: 1},
				{EndpointKey: "g0_ep-0", ConfigurationChecksum: "checksum-0", AgentID: LocalAgentID, SuccessesInARow: 1, Triggered: true},
			}); err != nil {
				t.Fatalf("save runs after upgrade: %v", err)
			}
			// local's run of checksum-0 came from Gatus (when it had the table)
			// and is updated in place; eu's is new.
			wantRuns := before["endpoint_alerts_triggered"] + 1
			if before["endpoint_alerts_triggered"] == 0 {
				wantRuns = 2
			}
			if n := rawCount(t, g.raw, `SELECT COUNT(*) FROM endpoint_alerts_triggered`); n != wantRuns {
				t.Errorf("%d triggered rows after saving runs of eu and local, want %d", n, wantRuns)
			}
			if err := s.RecordEvents(ctx, []Event{{EndpointKey: "g0_ep-0", Type: EventFired, Time: time.Now()}}); err != nil {
				t.Fatalf("record event after upgrade: %v", err)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}

			// Reopening applies nothing more.
			s = open(t, g.cfg)
			if v, err := s.SchemaVersion(ctx); err != nil || v != len(sqliteMigrations) {
				t.Errorf("schema version after reopening: %d, %v", v, err)
			}
			if n, _ := s.CountResults(ctx, ResultFilter{}); n != results+1 {
				t.Errorf("%d results after reopening, want %d", n, results+1)
			}
		})
	}
}

func TestGatusNullsBecomeGatusZeroValues(t *testing.T) {
	ctx := context.Background()
	g := sqliteGatus(t, gatusSQLiteOld)
	if _, err := g.raw.exec(ctx, `INSERT INTO endpoints (endpoint_key, endpoint_name, endpoint_group) VALUES ('_a', 'a', '')`); err != nil {
		t.Fatal(err)
	}
	if _, err := g.raw.exec(ctx, `INSERT INTO endpoint_results (endpoint_id, success, timestamp) VALUES (1, 1, $1)`, t0); err != nil {
		t.Fatal(err)
	}
	open(t, g.cfg)
	var host, errs string
	var status, dur int64
	if err := queryOne(ctx, g.raw, `SELECT hostname, errors, status, duration FROM endpoint_results`, nil, &host, &errs, &status, &dur); err != nil {
		t.Fatal(err)
	}
	if host != "" || errs != "" || status != 0 || dur != 0 {
		t.Errorf("NULLs became (%q, %q, %d, %d), want Gatus's zero values", host, errs, status, dur)
	}
}

func TestFailedGatusUpgradeLeavesGatusDatabaseUntouched(t *testing.T) {
	ctx := context.Background()
	g := sqliteGatus(t, gatusSQLiteOld)
	fillGatus(t, g.raw, g.cat)
	// A result without a timestamp cannot become a Quorate result.
	if _, err := g.raw.exec(ctx, `INSERT INTO endpoint_results (endpoint_id, success) VALUES (1, 1)`); err != nil {
		t.Fatal(err)
	}
	before, err := countRows(ctx, g.raw, g.cat, gatusTables)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, g.cfg)
	if err == nil || !strings.Contains(err.Error(), "results_per_agent") {
		t.Fatalf("Open = %v, want the results_per_agent migration to fail", err)
	}
	after, err := countRows(ctx, g.raw, g.cat, gatusTables)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows before the failed upgrade, %d after", table, n, after[table])
		}
	}
	// Nothing of Quorate's schema remains: Gatus can keep using the file.
	for _, table := range []string{migrationsTable, "agents", "quorum_states", "endpoint_agent_uptimes", "endpoint_results__rebuild", "suites"} {
		if ok, _ := sqliteCatalog.tableExists(ctx, g.raw, table); ok {
			t.Errorf("table %s exists after the failed upgrade", table)
		}
	}
	for table, col := range map[string]string{"endpoint_results": "agent_id", "endpoints": "configuration_checksum"} {
		if cols, _ := sqliteColumns(ctx, g.raw, table); slices.Contains(cols, col) {
			t.Errorf("%s has column %s after the failed upgrade", table, col)
		}
	}
}

func TestOpenRefusesAForeignEndpointsTable(t *testing.T) {
	for _, gc := range []gatusCase{
		{"sqlite", []string{`CREATE TABLE endpoints (id INTEGER PRIMARY KEY, url TEXT)`}, sqliteGatus},
		{"postgres", []string{`CREATE TABLE endpoints (id BIGSERIAL PRIMARY KEY, url TEXT)`}, postgresGatus},
	} {
		t.Run(gc.name, func(t *testing.T) {
			g := gc.make(t, gc.ddl)
			_, err := Open(context.Background(), g.cfg)
			if err == nil || !strings.Contains(err.Error(), "not Gatus's") {
				t.Errorf("Open = %v, want a refusal naming the foreign endpoints table", err)
			}
		})
	}
}

func TestOpenRefusesASchemaNewerThanItKnows(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		_ = s.Close(ctx)
		if _, err := dc.raw(t, cfg).exec(ctx, `INSERT INTO `+migrationsTable+` (version, name, applied_at) VALUES (99, 'future', $1)`, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("Open = %v, want a refusal of schema version 99", err)
		}
	})
}
