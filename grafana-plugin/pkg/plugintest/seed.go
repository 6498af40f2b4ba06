package plugintest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/internal/store/testpg"
)

// The seeded hour: results every minute from SeedFrom; SeedTo is "now"
// for the plugin when a query's time range ends there.
var (
	SeedFrom = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	SeedTo   = SeedFrom.Add(time.Hour)
)

// Postgres opens a store, migrated by the central's own code, in a fresh
// schema of the test PostgreSQL server ($QUORATE_TEST_POSTGRES, see
// internal/store/testpg), and returns it with the settings of a data
// source that reads it. The schema is dropped when the test ends.
func Postgres(t testing.TB) (store.Store, DataSource) {
	t.Helper()
	dsn := testpg.DSN(t)
	s := openStore(t, store.Config{Driver: store.DriverPostgres, DSN: configopaque.String(dsn)})
	return s, PostgresDataSource(t, dsn)
}

// PostgresDataSource is the data source reading the database and schema
// (search_path) of a test DSN, as a user would fill in the settings.
func PostgresDataSource(t testing.TB, dsn string) DataSource {
	t.Helper()
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse the test DSN: %v", err)
	}
	ds := DataSource{JSONData: map[string]any{
		"driver":   store.DriverPostgres,
		"host":     pc.Host + ":" + strconv.Itoa(int(pc.Port)),
		"database": pc.Database,
		"user":     pc.User,
		"sslMode":  "disable",
		"schema":   pc.RuntimeParams["search_path"],
	}}
	if pc.Password != "" {
		ds.Secure = map[string]string{"password": pc.Password}
	}
	return ds
}

// SQLite opens a store in a new SQLite file and returns it with the
// settings of a data source that reads the file.
func SQLite(t testing.TB) (store.Store, DataSource) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "quorate.db")
	s := openStore(t, store.Config{Driver: store.DriverSQLite, Path: path})
	return s, DataSource{JSONData: map[string]any{"driver": store.DriverSQLite, "path": path}}
}

func openStore(t testing.TB, cfg store.Config) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open the %s store: %v", cfg.Driver, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// Seed writes, through the store's write path as the central does, one
// hour (SeedFrom to SeedTo) of a small deployment:
//
//   - core_api (group core, name api), monitored by eu, us and ap, alert 0
//     with agent-quorum 2: us failed from 10:15 and went silent after
//     10:19 (stale from 10:29), eu fails from 10:25; the alert fired at
//     10:26 and still fires, held by the stale us (1 of 2 reporting:
//     cannot reach quorum); a reminder at 10:56.
//   - core_web (core/web), monitored by eu, us and sa: alert 0 disabled,
//     alert 1 (quorum 2) degraded since eu failed from 10:50; a row of an
//     earlier configuration is ignored; sa monitors it but has no results
//     left ("no data").
//   - edge_dns (edge/dns), probed by the central's own agent local, no
//     alert, always up.
//   - agents: eu "Europe (Frankfurt)" and sa "South America" healthy, us
//     "US East" stale, ap "Asia Pacific" never seen, local healthy.
//   - assignments, as the central records monitored-by: ap monitors
//     core_api without ever reporting, so its status row is stale with no
//     result.
//
// eu sees a certificate that expires 45 days after each of its probes.
func Seed(t testing.TB, s store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	at := func(min, sec int) time.Time {
		return SeedFrom.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	must("endpoints", s.UpsertEndpoints(ctx, []store.Endpoint{
		{Key: "core_api", Name: "api", Group: "core", ConfigurationChecksum: "sum-api"},
		{Key: "core_web", Name: "web", Group: "core", ConfigurationChecksum: "sum-web"},
		{Key: "edge_dns", Name: "dns", Group: "edge", ConfigurationChecksum: "sum-dns"},
	}))
	must("assignments", s.ReplaceAssignments(ctx, []store.Assignment{
		{EndpointKey: "core_api", AgentID: "eu"}, {EndpointKey: "core_api", AgentID: "us"}, {EndpointKey: "core_api", AgentID: "ap"},
		{EndpointKey: "core_web", AgentID: "eu"}, {EndpointKey: "core_web", AgentID: "us"}, {EndpointKey: "core_web", AgentID: "sa"},
		{EndpointKey: "edge_dns", AgentID: store.LocalAgentID},
	}))
	must("agents", s.UpsertAgents(ctx, []store.Agent{
		{ID: "eu", Name: "Europe (Frankfurt)", LastSeen: SeedTo.Add(-20 * time.Second), StaleAfter: 3 * time.Minute},
		{ID: "us", Name: "US East", LastSeen: at(19, 10), StaleAfter: 10 * time.Minute},
		{ID: "ap", Name: "Asia Pacific", StaleAfter: 3 * time.Minute},
		{ID: "sa", Name: "South America", LastSeen: SeedTo.Add(-time.Minute), StaleAfter: 3 * time.Minute},
		{ID: store.LocalAgentID, Name: store.LocalAgentID, LastSeen: SeedTo.Add(-10 * time.Second), StaleAfter: 5 * time.Minute},
	}))
	probe := func(key, agent string, ts time.Time, ok bool, d time.Duration) store.Result {
		r := store.Result{EndpointKey: key, AgentID: agent, Result: result.Result{
			Timestamp: ts, Duration: d, HTTPStatus: 200, Connected: true, Success: ok,
			Hostname: key + ".example.org", IP: "192.0.2.10",
			ConditionResults: []result.ConditionResult{
				{Condition: "[STATUS] == 200", Success: ok},
				{Condition: "[RESPONSE_TIME] < 300", Success: d < 300*time.Millisecond},
			},
		}}
		if !ok {
			r.HTTPStatus = 503
			r.Errors = []string{"unexpected status code 503"}
		}
		if agent == "eu" {
			r.CertificateExpiration = 45 * 24 * time.Hour
		}
		return r
	}
	var rs []store.Result
	for m := range 60 {
		rs = append(rs,
			probe("core_api", "eu", at(m, 0), m < 25, time.Duration(120+m%7*10)*time.Millisecond),
			probe("core_web", "eu", at(m, 5), m < 50, time.Duration(80+m%3*5)*time.Millisecond))
		if m < 20 {
			rs = append(rs,
				probe("core_api", "us", at(m, 10), m < 15, time.Duration(150+m%5*20)*time.Millisecond),
				probe("core_web", "us", at(m, 15), true, 95*time.Millisecond))
		}
		rs = append(rs, store.Result{EndpointKey: "edge_dns", AgentID: store.LocalAgentID, Result: result.Result{
			Timestamp: at(m, 30), Duration: time.Duration(4+m%2) * time.Millisecond, Connected: true, Success: true,
			DNSRCode: "NOERROR", IP: "192.0.2.53",
			ConditionResults: []result.ConditionResult{{Condition: "[DNS_RCODE] == NOERROR", Success: true}},
		}})
	}
	must("results", s.WriteResults(ctx, rs))
	must("runs", s.SaveAgentRuns(ctx, []store.AgentRun{
		{EndpointKey: "core_api", ConfigurationChecksum: "sum-api/0", AgentID: "eu", FailuresInARow: 35, Triggered: true, Since: at(26, 0)},
		{EndpointKey: "core_api", ConfigurationChecksum: "sum-api/0", AgentID: "us", FailuresInARow: 5, Triggered: true, Since: at(16, 10)},
		{EndpointKey: "core_web", ConfigurationChecksum: "sum-web/1", AgentID: "eu", FailuresInARow: 10, Triggered: true, Since: at(51, 5)},
		{EndpointKey: "core_web", ConfigurationChecksum: "sum-web/1", AgentID: "us", SuccessesInARow: 20},
		{EndpointKey: "core_web", ConfigurationChecksum: "sum-web/1", AgentID: "sa", SuccessesInARow: 3},
	}))
	must("quorum states", s.SaveQuorumStates(ctx, []store.QuorumState{
		{EndpointKey: "core_api", AlertIndex: 0, ConfigurationChecksum: "sum-api", Firing: true, FiredAt: at(26, 0),
			LastReminderAt: at(56, 0), TriggeredCount: 1, ReportingCount: 1, AgentQuorum: 2, MonitorsCount: 3},
		{EndpointKey: "core_web", AlertIndex: 0, ConfigurationChecksum: "sum-web-before", Firing: true, FiredAt: SeedFrom.Add(-time.Hour),
			TriggeredCount: 2, ReportingCount: 2, AgentQuorum: 1, MonitorsCount: 2},
		{EndpointKey: "core_web", AlertIndex: 1, ConfigurationChecksum: "sum-web", Degraded: true,
			TriggeredCount: 1, ReportingCount: 2, AgentQuorum: 2, MonitorsCount: 3},
	}))
	details := func(v map[string]any) json.RawMessage {
		b, err := json.Marshal(v)
		must("event details", err)
		return b
	}
	api := func(triggered, reporting int) map[string]any {
		return map[string]any{"checksum": "sum-api", "alert_index": 0, "alert_type": "slack", "triggered": triggered, "reporting": reporting, "quorum": 2, "monitors": 3}
	}
	web := map[string]any{"checksum": "sum-web", "alert_index": 1, "alert_type": "pagerduty", "triggered": 1, "reporting": 2, "quorum": 2, "monitors": 3}
	must("events", s.RecordEvents(ctx, []store.Event{
		{EndpointKey: "core_api", AgentID: "us", Type: store.EventAgentTriggered, Time: at(16, 10), Details: details(api(1, 2))},
		{EndpointKey: "core_api", Type: store.EventDegraded, Time: at(16, 10), Details: details(api(1, 2))},
		{EndpointKey: "core_api", AgentID: "eu", Type: store.EventAgentTriggered, Time: at(26, 0), Details: details(api(2, 2))},
		{EndpointKey: "core_api", Type: store.EventDegradedCleared, Time: at(26, 0), Details: details(api(2, 2))},
		{EndpointKey: "core_api", Type: store.EventFired, Time: at(26, 0), Details: details(api(2, 2))},
		{AgentID: "us", Type: store.EventAgentStale, Time: at(29, 10), Details: details(map[string]any{"triggered": 0, "reporting": 0})},
		{EndpointKey: "core_web", AgentID: "eu", Type: store.EventAgentTriggered, Time: at(51, 5), Details: details(web)},
		{EndpointKey: "core_web", Type: store.EventDegraded, Time: at(51, 5), Details: details(web)},
		{EndpointKey: "core_api", Type: store.EventReminder, Time: at(56, 0), Details: details(api(1, 1))},
	}))
}
