package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/store/testpg"
)

// readT0 is the start of the reader fixture; readNow is "now" for it.
var (
	readT0  = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	readNow = readT0.Add(2 * time.Hour)
)

// readerDriver opens a store (migrated, written by the central's code) and
// a Reader on the same database.
type readerDriver struct {
	name string
	open func(t *testing.T) (Store, ReaderConfig)
}

var readerDrivers = []readerDriver{
	{
		name: DriverSQLite,
		open: func(t *testing.T) (Store, ReaderConfig) {
			path := filepath.Join(t.TempDir(), "quorate.db")
			return openStoreForReader(t, Config{Driver: DriverSQLite, Path: path}), ReaderConfig{Driver: DriverSQLite, Path: path}
		},
	},
	{
		name: DriverPostgres,
		open: func(t *testing.T) (Store, ReaderConfig) {
			dsn := testpg.DSN(t)
			return openStoreForReader(t, Config{Driver: DriverPostgres, DSN: configopaque.String(dsn)}), postgresReaderConfig(t, dsn)
		},
	},
}

func openStoreForReader(t *testing.T, cfg Config) Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s store: %v", cfg.Driver, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// postgresReaderConfig turns a test DSN (with search_path) into reader
// settings, the way a Grafana user fills them in.
func postgresReaderConfig(t testing.TB, dsn string) ReaderConfig {
	t.Helper()
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return ReaderConfig{
		Driver:   DriverPostgres,
		Host:     pc.Host + ":" + strconv.Itoa(int(pc.Port)),
		Database: pc.Database,
		User:     pc.User,
		Password: pc.Password,
		SSLMode:  "disable",
		Schema:   pc.RuntimeParams["search_path"],
	}
}

func openReader(t *testing.T, cfg ReaderConfig) *Reader {
	t.Helper()
	r, err := OpenReader(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open reader: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}

// forEachReader runs test per driver on a seeded store and its reader.
func forEachReader(t *testing.T, test func(t *testing.T, r *Reader)) {
	for _, d := range readerDrivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, cfg := d.open(t)
			seedReadFixture(t, s)
			test(t, openReader(t, cfg))
		})
	}
}

func fixtureResult(key, agent string, at time.Time, ok bool, d time.Duration) Result {
	r := Result{EndpointKey: key, AgentID: agent, Result: result.Result{
		Timestamp: at, Duration: d, HTTPStatus: 200, Connected: true, Success: ok,
		ConditionResults: []result.ConditionResult{
			{Condition: "[STATUS] == 200", Success: ok},
			{Condition: "[RESPONSE_TIME] < 500", Success: d < 500*time.Millisecond},
		},
	}}
	if !ok {
		r.HTTPStatus = 503
		r.Errors = []string{"unexpected status 503", "upstream timeout"}
	}
	return r
}

// seedReadFixture writes, through the central's store code:
//   - endpoints core_api, core_web, edge_cdn (current checksums sum-*);
//   - agents eu (seen 30s before readNow), us (seen 1h before), ap (never
//     seen), all stale after 5m;
//   - results every 10 minutes from readT0 to readT0+110m: core_api by eu
//     (failing at 30m and 40m, durations 100ms + minutes) and by us (all
//     fine, 50ms); core_web by eu once with a certificate; edge_cdn by
//     local (no agent row);
//   - a run of ap on core_web (no results): it monitors without data;
//   - assignments as the central records them: core_api monitored by ap,
//     eu, us (ap never reported it), core_web by ap, eu, edge_cdn by local;
//   - quorum rows: core_api alert 0 firing; core_web alert 0 of an old
//     checksum, alerts 2 (degraded) and 3 (firing) of the current one;
//   - events from readT0+30m on.
func seedReadFixture(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpsertEndpoints(ctx, []Endpoint{
		{Key: "core_api", Name: "api", Group: "core", ConfigurationChecksum: "sum-api"},
		{Key: "core_web", Name: "web", Group: "core", ConfigurationChecksum: "sum-web"},
		{Key: "edge_cdn", Name: "cdn", Group: "edge", ConfigurationChecksum: "sum-cdn"},
	}))
	must(s.UpsertAgents(ctx, []Agent{
		{ID: "eu", Name: "Europe", LastSeen: readNow.Add(-30 * time.Second), StaleAfter: 5 * time.Minute},
		{ID: "us", Name: "United States", LastSeen: readNow.Add(-time.Hour), StaleAfter: 5 * time.Minute},
		{ID: "ap", StaleAfter: 5 * time.Minute},
	}))
	var rs []Result
	for i := range 12 {
		at := readT0.Add(time.Duration(i) * 10 * time.Minute)
		rs = append(rs,
			fixtureResult("core_api", "eu", at, i != 3 && i != 4, 100*time.Millisecond+time.Duration(i)*time.Millisecond),
			fixtureResult("core_api", "us", at.Add(time.Second), true, 50*time.Millisecond))
	}
	web := fixtureResult("core_web", "eu", readT0.Add(90*time.Minute), true, 20*time.Millisecond)
	web.CertificateExpiration = 30 * 24 * time.Hour
	rs = append(rs, web, fixtureResult("edge_cdn", LocalAgentID, readT0.Add(5*time.Minute), false, 700*time.Millisecond))
	must(s.WriteResults(ctx, rs))
	must(s.ReplaceAssignments(ctx, []Assignment{
		{EndpointKey: "core_api", AgentID: "ap"}, {EndpointKey: "core_api", AgentID: "eu"}, {EndpointKey: "core_api", AgentID: "us"},
		{EndpointKey: "core_web", AgentID: "ap"}, {EndpointKey: "core_web", AgentID: "eu"},
		{EndpointKey: "edge_cdn", AgentID: LocalAgentID},
	}))
	must(s.SaveAgentRuns(ctx, []AgentRun{{EndpointKey: "core_web", ConfigurationChecksum: "sum-web/2", AgentID: "ap"}}))
	must(s.SaveQuorumStates(ctx, []QuorumState{
		{EndpointKey: "core_api", AlertIndex: 0, ConfigurationChecksum: "sum-api", Firing: true, FiredAt: readT0.Add(40 * time.Minute),
			TriggeredCount: 2, ReportingCount: 2, AgentQuorum: 2, MonitorsCount: 3},
		{EndpointKey: "core_web", AlertIndex: 0, ConfigurationChecksum: "old-sum", Firing: true, TriggeredCount: 3, ReportingCount: 3, AgentQuorum: 1, MonitorsCount: 3},
		{EndpointKey: "core_web", AlertIndex: 2, ConfigurationChecksum: "sum-web", Degraded: true, TriggeredCount: 1, ReportingCount: 1, AgentQuorum: 2, MonitorsCount: 2},
		{EndpointKey: "core_web", AlertIndex: 3, ConfigurationChecksum: "sum-web", Firing: true, TriggeredCount: 1, ReportingCount: 1, AgentQuorum: 1, MonitorsCount: 2},
	}))
	must(s.RecordEvents(ctx, []Event{
		{EndpointKey: "core_api", AgentID: "eu", Type: EventAgentTriggered, Time: readT0.Add(40 * time.Minute), Details: json.RawMessage(`{"triggered":1,"reporting":2}`)},
		{EndpointKey: "core_api", Type: EventDegraded, Time: readT0.Add(40 * time.Minute), Details: json.RawMessage(`{"triggered":1,"reporting":2,"quorum":2}`)},
		{EndpointKey: "core_api", Type: EventFired, Time: readT0.Add(41 * time.Minute), Details: json.RawMessage(`{"triggered":2,"reporting":2,"quorum":2}`)},
		{AgentID: "us", Type: EventAgentStale, Time: readT0.Add(65 * time.Minute)},
		{EndpointKey: "core_web", Type: EventDegraded, Time: readT0.Add(95 * time.Minute)},
	}))
}

func configopaqueString(s string) configopaque.String { return configopaque.String(s) }

// jsonEqual compares JSON documents by value (PostgreSQL's jsonb reorders
// keys and spaces them).
func readerJSONEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Errorf("details %q: %v", got, err)
		return false
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(a, b)
}
