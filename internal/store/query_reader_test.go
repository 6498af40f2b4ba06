package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/store/testpg"
)

func TestReaderConfigErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  ReaderConfig
		want []string
	}{
		{"unknown driver", ReaderConfig{Driver: "mysql"}, []string{`driver: "mysql" is not supported`}},
		{"postgres without database and user", ReaderConfig{Driver: DriverPostgres}, []string{"database: required", "user: required"}},
		{"bad sslmode", ReaderConfig{Driver: DriverPostgres, Database: "q", User: "u", SSLMode: "prefer"}, []string{`sslMode: "prefer" is not supported; use one of disable, require, verify-ca, verify-full`}},
		{"bad port", ReaderConfig{Driver: DriverPostgres, Database: "q", User: "u", Host: "db:99999"}, []string{`host: "db:99999": port "99999" must be a number from 1 to 65535`}},
		{"sqlite without path", ReaderConfig{Driver: DriverSQLite}, []string{"path: required with driver sqlite"}},
		{"sqlite in memory", ReaderConfig{Driver: DriverSQLite, Path: ":memory:"}, []string{`path: ":memory:" is not a file path`}},
		{"negative pool", ReaderConfig{Driver: DriverSQLite, Path: "q.db", MaxConns: -1}, []string{"maxOpenConns: -1 must not be negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	ok := ReaderConfig{Driver: DriverPostgres, Database: "q", User: "u", Host: "[::1]:5433", SSLMode: "verify-full"}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

func TestReaderRefusesAMissingSQLiteFileWithoutCreatingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := OpenReader(context.Background(), ReaderConfig{Driver: DriverSQLite, Path: path})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("error = %v, want one saying the file does not exist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the reader created %s", path)
	}
}

func TestReaderOpensFilesWithSpacesAndHashesInTheirPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grafana data #1", "quorate db.sqlite")
	seedReadFixture(t, openStoreForReader(t, Config{Driver: DriverSQLite, Path: path}))
	r := openReader(t, ReaderConfig{Driver: DriverSQLite, Path: path})
	if got, err := r.Agents(context.Background(), nil); err != nil || len(got) != 3 {
		t.Errorf("agents: %d, %v; want 3", len(got), err)
	}
}

// The reader must never change what the central owns: SQLite's file stays
// byte for byte the same (no WAL checkpoint when the reader closes) and
// both drivers refuse writes.
func TestReaderNeverWrites(t *testing.T) {
	t.Run(DriverSQLite, func(t *testing.T) {
		t.Parallel()
		// A central that stopped without checkpointing: its data is still in
		// the -wal file. Copying the files while it runs leaves the same.
		live := filepath.Join(t.TempDir(), "quorate.db")
		s := openStoreForReader(t, Config{Driver: DriverSQLite, Path: live})
		seedReadFixture(t, s)
		dir := t.TempDir()
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(live + suffix)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "quorate.db"+suffix), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		before := dirDigest(t, dir)
		if before["quorate.db-wal"] == sha256.Sum256(nil) {
			t.Fatal("the fixture left nothing in the WAL; the test would prove nothing")
		}
		r := openReader(t, ReaderConfig{Driver: DriverSQLite, Path: filepath.Join(dir, "quorate.db")})
		readEverything(t, r)
		if got, err := r.Agents(context.Background(), nil); err != nil || len(got) != 3 {
			t.Errorf("agents read from the WAL: %d, %v; want 3", len(got), err)
		}
		if _, err := r.d.exec(context.Background(), `DELETE FROM agents`); err == nil {
			t.Error("a write through the reader succeeded")
		}
		r.Close()
		// The reader may add the -shm file WAL readers coordinate through;
		// the database and its WAL must be untouched (no checkpoint).
		after := dirDigest(t, dir)
		for _, name := range []string{"quorate.db", "quorate.db-wal"} {
			if after[name] != before[name] {
				t.Errorf("the reader changed %s", name)
			}
		}
		for name := range after {
			if _, ok := before[name]; !ok && name != "quorate.db-shm" {
				t.Errorf("the reader left %s behind", name)
			}
		}
	})
	t.Run(DriverPostgres, func(t *testing.T) {
		t.Parallel()
		dsn := testpg.DSN(t)
		seedReadFixture(t, openStoreForReader(t, Config{Driver: DriverPostgres, DSN: configopaqueString(dsn)}))
		r := openReader(t, postgresReaderConfig(t, dsn))
		readEverything(t, r)
		_, err := r.d.exec(context.Background(), `DELETE FROM agents`)
		if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
			t.Errorf("write through the reader: err = %v, want a read-only transaction error", err)
		}
	})
}

// dirDigest is the name and content hash of every file in dir.
func dirDigest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][32]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// readEverything runs every read query once.
func readEverything(t *testing.T, r *Reader) {
	t.Helper()
	ctx := context.Background()
	from, to := readT0, readNow
	for name, run := range map[string]func() error{
		"version":  func() error { _, err := r.SchemaVersion(ctx); return err },
		"ping":     func() error { return r.Ping(ctx) },
		"eps":      func() error { _, err := r.Endpoints(ctx, nil); return err },
		"agents":   func() error { _, err := r.Agents(ctx, nil); return err },
		"latest":   func() error { _, err := r.LatestResults(ctx, ReadFilter{}); return err },
		"quorums":  func() error { _, err := r.EndpointQuorums(ctx, nil); return err },
		"series":   func() error { _, err := r.ResultSeries(ctx, SeriesQuery{From: from, To: to, MaxPoints: 3}); return err },
		"failures": func() error { _, err := r.Failures(ctx, FailureQuery{From: from, To: to, Limit: 10}); return err },
		"uptime":   func() error { _, err := r.Uptime(ctx, UptimeQuery{From: from, To: to, PerAgent: true}); return err },
		"events":   func() error { _, err := r.Events(ctx, EventQuery{From: from, To: to, Limit: 10}); return err },
	} {
		if err := run(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The reader also reads while the central writes (SQLite WAL: a reader
// never blocks the writer).
func TestReaderReadsWhileTheCentralWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quorate.db")
	s := openStoreForReader(t, Config{Driver: DriverSQLite, Path: path})
	seedReadFixture(t, s)
	r := openReader(t, ReaderConfig{Driver: DriverSQLite, Path: path})
	ctx := context.Background()
	before, err := r.LatestResults(ctx, ReadFilter{EndpointKeys: []string{"edge_cdn"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteResults(ctx, []Result{fixtureResult("edge_cdn", LocalAgentID, readT0.Add(6*time.Minute), true, time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	after, err := r.LatestResults(ctx, ReadFilter{EndpointKeys: []string{"edge_cdn"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0].Success || len(after) != 1 || !after[0].Success {
		t.Errorf("latest edge_cdn result before %+v, after a write %+v; want a failure then the new success", before, after)
	}
}

func TestReaderSchemaVersion(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		v, err := r.SchemaVersion(context.Background())
		if err != nil || v != LatestVersion() {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
		}
	})
	t.Run("no schema/"+DriverPostgres, func(t *testing.T) {
		r := openReader(t, postgresReaderConfig(t, testpg.DSN(t)))
		if _, err := r.SchemaVersion(context.Background()); !errors.Is(err, ErrNoSchema) {
			t.Errorf("empty schema: err = %v, want ErrNoSchema", err)
		}
	})
	t.Run("no schema/"+DriverSQLite, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r := openReader(t, ReaderConfig{Driver: DriverSQLite, Path: path})
		if _, err := r.SchemaVersion(context.Background()); !errors.Is(err, ErrNoSchema) {
			t.Errorf("empty file: err = %v, want ErrNoSchema", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		r := openReader(t, ReaderConfig{Driver: DriverPostgres, Host: "127.0.0.1:1", Database: "q", User: "u", Password: "pa55-w0rd", SSLMode: "disable"})
		err := r.Ping(context.Background())
		if err == nil {
			t.Fatal("ping of a closed port succeeded")
		}
		if strings.Contains(err.Error(), "pa55-w0rd") {
			t.Errorf("the error shows the password: %v", err)
		}
	})
}

func TestReaderAgentsAndStaleness(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		got, err := r.Agents(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []Agent{
			{ID: "ap", StaleAfter: 5 * time.Minute},
			{ID: "eu", Name: "Europe", LastSeen: readNow.Add(-30 * time.Second), StaleAfter: 5 * time.Minute},
			{ID: "us", Name: "United States", LastSeen: readNow.Add(-time.Hour), StaleAfter: 5 * time.Minute},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("agents:\n got %+v\nwant %+v", got, want)
		}
		stale := map[string]bool{}
		for _, a := range got {
			stale[a.ID] = a.StaleAt(readNow)
		}
		if !reflect.DeepEqual(stale, map[string]bool{"ap": true, "eu": false, "us": true}) {
			t.Errorf("stale at now: %v", stale)
		}
		some, err := r.Agents(context.Background(), []string{"us", "nobody"})
		if err != nil || len(some) != 1 || some[0].ID != "us" {
			t.Errorf("agents us,nobody = %+v, %v", some, err)
		}
	})
	eu := Agent{LastSeen: readT0, StaleAfter: time.Minute}
	if eu.StaleAt(readT0.Add(time.Minute-time.Nanosecond)) || !eu.StaleAt(readT0.Add(time.Minute)) {
		t.Error("an agent must turn stale exactly when it has been silent for its stale-after, as the central does")
	}
}

func TestReaderEndpoints(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		got, err := r.Endpoints(context.Background(), []string{"edge_cdn", "core_api", "gone"})
		if err != nil {
			t.Fatal(err)
		}
		want := []Endpoint{
			{Key: "core_api", Name: "api", Group: "core", ConfigurationChecksum: "sum-api"},
			{Key: "edge_cdn", Name: "cdn", Group: "edge", ConfigurationChecksum: "sum-cdn"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("endpoints:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestReaderLatestResults(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		ctx := context.Background()
		got, err := r.LatestResults(ctx, ReadFilter{})
		if err != nil {
			t.Fatal(err)
		}
		failed := []string{"unexpected status 503", "upstream timeout"}
		want := []LatestResult{
			{EndpointKey: "core_api", AgentID: "ap"}, // assigned, never reported
			{EndpointKey: "core_api", AgentID: "eu", HasResult: true, Timestamp: readT0.Add(110 * time.Minute), Success: true, HTTPStatus: 200, Duration: 111 * time.Millisecond},
			{EndpointKey: "core_api", AgentID: "us", HasResult: true, Timestamp: readT0.Add(110*time.Minute + time.Second), Success: true, HTTPStatus: 200, Duration: 50 * time.Millisecond},
			{EndpointKey: "core_web", AgentID: "ap"},
			{EndpointKey: "core_web", AgentID: "eu", HasResult: true, Timestamp: readT0.Add(90 * time.Minute), Success: true, HTTPStatus: 200, Duration: 20 * time.Millisecond, CertificateExpiration: 30 * 24 * time.Hour},
			{EndpointKey: "edge_cdn", AgentID: LocalAgentID, HasResult: true, Timestamp: readT0.Add(5 * time.Minute), HTTPStatus: 503, Duration: 700 * time.Millisecond, Errors: failed},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("latest results:\n got %+v\nwant %+v", got, want)
		}
		got, err = r.LatestResults(ctx, ReadFilter{EndpointKeys: []string{"core_web", "gone"}, AgentIDs: []string{"eu", "nobody"}})
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], want[4]) {
			t.Errorf("core_web by eu: %+v, %v", got, err)
		}
		got, err = r.LatestResults(ctx, ReadFilter{EndpointKeys: []string{"core_api"}, AgentIDs: []string{"ap"}})
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], want[0]) {
			t.Errorf("core_api by ap (assigned, no results): %+v, %v; want %+v", got, err, want[0])
		}
		got, err = r.LatestResults(ctx, ReadFilter{EndpointKeys: []string{"gone"}})
		if err != nil || len(got) != 0 {
			t.Errorf("unknown endpoint: %+v, %v; want nothing", got, err)
		}
	})
}

func TestReaderEndpointQuorumsFollowTheFirstEnabledAlertOfTheCurrentConfig(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		got, err := r.EndpointQuorums(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i].UpdatedAt.IsZero() {
				t.Errorf("%s: updated_at not read", got[i].EndpointKey)
			}
			got[i].UpdatedAt = time.Time{}
		}
		want := []QuorumState{
			{EndpointKey: "core_api", AlertIndex: 0, ConfigurationChecksum: "sum-api", Firing: true, FiredAt: readT0.Add(40 * time.Minute),
				TriggeredCount: 2, ReportingCount: 2, AgentQuorum: 2, MonitorsCount: 3},
			// Alert 0 is of an old configuration; 2 is the first enabled one.
			{EndpointKey: "core_web", AlertIndex: 2, ConfigurationChecksum: "sum-web", Degraded: true, TriggeredCount: 1, ReportingCount: 1, AgentQuorum: 2, MonitorsCount: 2},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("quorums:\n got %+v\nwant %+v", got, want)
		}
		got, err = r.EndpointQuorums(context.Background(), []string{"edge_cdn"})
		if err != nil || len(got) != 0 {
			t.Errorf("endpoint without alerts: %+v, %v", got, err)
		}
	})
}

func TestReaderResultSeries(t *testing.T) {
	at := func(m int) time.Time { return readT0.Add(time.Duration(m) * time.Minute) }
	forEachReader(t, func(t *testing.T, r *Reader) {
		ctx := context.Background()
		t.Run("every point", func(t *testing.T) {
			got, err := r.ResultSeries(ctx, SeriesQuery{From: readT0, To: readNow, ReadFilter: ReadFilter{AgentIDs: []string{"eu"}}})
			if err != nil {
				t.Fatal(err)
			}
			var eu []SeriesPoint
			for i := range 12 {
				eu = append(eu, SeriesPoint{Time: at(10 * i), Value: 100 + float64(i)})
			}
			want := []Series{
				{EndpointKey: "core_api", AgentID: "eu", Points: eu},
				{EndpointKey: "core_web", AgentID: "eu", Points: []SeriesPoint{{at(90), 20}}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("series:\n got %+v\nwant %+v", got, want)
			}
		})
		t.Run("averaged into buckets", func(t *testing.T) {
			// Four buckets of exactly 30 minutes; points on a boundary
			// open the next bucket.
			got, err := r.ResultSeries(ctx, SeriesQuery{From: readT0, To: readNow.Add(-time.Millisecond), MaxPoints: 4, Metric: SeriesSuccess})
			if err != nil {
				t.Fatal(err)
			}
			want := []Series{
				{EndpointKey: "core_api", AgentID: "eu", Points: []SeriesPoint{{at(0), 1}, {at(30), 1.0 / 3}, {at(60), 1}, {at(90), 1}}},
				{EndpointKey: "core_api", AgentID: "us", Points: []SeriesPoint{{at(0), 1}, {at(30), 1}, {at(60), 1}, {at(90), 1}}},
				{EndpointKey: "core_web", AgentID: "eu", Points: []SeriesPoint{{at(90), 1}}},
				{EndpointKey: "edge_cdn", AgentID: LocalAgentID, Points: []SeriesPoint{{at(5), 0}}},
			}
			if !seriesEqual(got, want) {
				t.Errorf("series:\n got %+v\nwant %+v", got, want)
			}
			dur, err := r.ResultSeries(ctx, SeriesQuery{From: readT0, To: readNow.Add(-time.Millisecond), MaxPoints: 4,
				ReadFilter: ReadFilter{EndpointKeys: []string{"core_api"}, AgentIDs: []string{"eu"}}})
			if err != nil {
				t.Fatal(err)
			}
			want = []Series{{EndpointKey: "core_api", AgentID: "eu", Points: []SeriesPoint{{at(0), 101}, {at(30), 104}, {at(60), 107}, {at(90), 110}}}}
			if !seriesEqual(dur, want) {
				t.Errorf("duration series:\n got %+v\nwant %+v", dur, want)
			}
		})
		t.Run("a result at the end of the range joins the last bucket", func(t *testing.T) {
			got, err := r.ResultSeries(ctx, SeriesQuery{From: readT0, To: at(110), MaxPoints: 11,
				ReadFilter: ReadFilter{EndpointKeys: []string{"core_api"}, AgentIDs: []string{"eu"}}})
			if err != nil {
				t.Fatal(err)
			}
			var want []SeriesPoint
			for i := range 10 {
				want = append(want, SeriesPoint{at(10 * i), 100 + float64(i)})
			}
			want = append(want, SeriesPoint{at(100), 110.5})
			if !seriesEqual(got, []Series{{EndpointKey: "core_api", AgentID: "eu", Points: want}}) {
				t.Errorf("series:\n got %+v\nwant %+v", got, want)
			}
		})
		t.Run("time range and unknown keys", func(t *testing.T) {
			got, err := r.ResultSeries(ctx, SeriesQuery{From: at(100), To: at(110), ReadFilter: ReadFilter{EndpointKeys: []string{"core_api"}, AgentIDs: []string{"eu"}}})
			if err != nil || len(got) != 1 || len(got[0].Points) != 2 {
				t.Errorf("[100m, 110m] inclusive: %+v, %v; want the points at 100m and 110m", got, err)
			}
			got, err = r.ResultSeries(ctx, SeriesQuery{From: readT0, To: readNow, ReadFilter: ReadFilter{EndpointKeys: []string{"gone"}}})
			if err != nil || len(got) != 0 {
				t.Errorf("unknown endpoint: %+v, %v", got, err)
			}
		})
	})
}

func seriesEqual(a, b []Series) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].EndpointKey != b[i].EndpointKey || a[i].AgentID != b[i].AgentID || len(a[i].Points) != len(b[i].Points) {
			return false
		}
		for j, p := range a[i].Points {
			q := b[i].Points[j]
			if !p.Time.Equal(q.Time) || p.Value-q.Value > 1e-9 || q.Value-p.Value > 1e-9 {
				return false
			}
		}
	}
	return true
}

func TestReaderFailures(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		ctx := context.Background()
		got, err := r.Failures(ctx, FailureQuery{From: readT0, To: readNow, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		errs := []string{"unexpected status 503", "upstream timeout"}
		want := []FailedResult{
			{EndpointKey: "core_api", AgentID: "eu", Timestamp: readT0.Add(40 * time.Minute), HTTPStatus: 503, Duration: 104 * time.Millisecond, Errors: errs, FailedConditions: []string{"[STATUS] == 200"}},
			{EndpointKey: "core_api", AgentID: "eu", Timestamp: readT0.Add(30 * time.Minute), HTTPStatus: 503, Duration: 103 * time.Millisecond, Errors: errs, FailedConditions: []string{"[STATUS] == 200"}},
			{EndpointKey: "edge_cdn", AgentID: LocalAgentID, Timestamp: readT0.Add(5 * time.Minute), HTTPStatus: 503, Duration: 700 * time.Millisecond, Errors: errs, FailedConditions: []string{"[STATUS] == 200", "[RESPONSE_TIME] < 500"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("failures:\n got %+v\nwant %+v", got, want)
		}
		got, err = r.Failures(ctx, FailureQuery{From: readT0, To: readNow, Limit: 2})
		if err != nil || !reflect.DeepEqual(got, want[:2]) {
			t.Errorf("limit 2: %+v, %v", got, err)
		}
		got, err = r.Failures(ctx, FailureQuery{From: readT0, To: readNow, Limit: 10, ReadFilter: ReadFilter{AgentIDs: []string{LocalAgentID}}})
		if err != nil || !reflect.DeepEqual(got, want[2:]) {
			t.Errorf("agent local: %+v, %v", got, err)
		}
		got, err = r.Failures(ctx, FailureQuery{From: readT0.Add(31 * time.Minute), To: readNow, Limit: 10, ReadFilter: ReadFilter{EndpointKeys: []string{"core_api"}}})
		if err != nil || !reflect.DeepEqual(got, want[:1]) {
			t.Errorf("core_api from 31m: %+v, %v", got, err)
		}
	})
}

func TestReaderUptime(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		ctx := context.Background()
		ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
		for _, tc := range []struct {
			name string
			q    UptimeQuery
			want []UptimeSummary
		}{
			{"per endpoint", UptimeQuery{From: readT0, To: readNow}, []UptimeSummary{
				{EndpointKey: "core_api", Total: 24, Successful: 22, TotalResponseTime: ms(1866)},
				{EndpointKey: "core_web", Total: 1, Successful: 1, TotalResponseTime: ms(20)},
				{EndpointKey: "edge_cdn", Total: 1, Successful: 0, TotalResponseTime: ms(700)},
			}},
			{"per agent", UptimeQuery{From: readT0, To: readNow, PerAgent: true}, []UptimeSummary{
				{EndpointKey: "core_api", AgentID: "eu", Total: 12, Successful: 10, TotalResponseTime: ms(1266)},
				{EndpointKey: "core_api", AgentID: "us", Total: 12, Successful: 12, TotalResponseTime: ms(600)},
				{EndpointKey: "core_web", AgentID: "eu", Total: 1, Successful: 1, TotalResponseTime: ms(20)},
				{EndpointKey: "edge_cdn", AgentID: LocalAgentID, Total: 1, Successful: 0, TotalResponseTime: ms(700)},
			}},
			{"per endpoint as seen by us", UptimeQuery{From: readT0, To: readNow, ReadFilter: ReadFilter{AgentIDs: []string{"us"}}}, []UptimeSummary{
				{EndpointKey: "core_api", Total: 12, Successful: 12, TotalResponseTime: ms(600)},
			}},
			// From 10:30 the buckets of 10:00 (overlapping) counts; 09:00 does not.
			{"overlapping buckets", UptimeQuery{From: readT0.Add(90 * time.Minute), To: readNow, ReadFilter: ReadFilter{EndpointKeys: []string{"core_api", "core_web", "edge_cdn"}}}, []UptimeSummary{
				{EndpointKey: "core_api", Total: 12, Successful: 12, TotalResponseTime: ms(651 + 300)},
				{EndpointKey: "core_web", Total: 1, Successful: 1, TotalResponseTime: ms(20)},
			}},
			{"unknown endpoint", UptimeQuery{From: readT0, To: readNow, ReadFilter: ReadFilter{EndpointKeys: []string{"gone"}}}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := r.Uptime(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("uptime:\n got %+v\nwant %+v", got, tc.want)
				}
			})
		}
	})
}

func TestReaderEvents(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		ctx := context.Background()
		kinds := func(evs []Event) []string {
			var out []string
			for _, e := range evs {
				out = append(out, string(e.Type)+" "+e.EndpointKey+" "+e.AgentID+" "+e.Time.Sub(readT0).String())
			}
			return out
		}
		for _, tc := range []struct {
			name string
			q    EventQuery
			want []string
		}{
			{"all newest first", EventQuery{From: readT0, To: readNow, Limit: 10}, []string{
				"DEGRADED core_web  1h35m0s", "AGENT_STALE  us 1h5m0s", "FIRED core_api  41m0s",
				"DEGRADED core_api  40m0s", "AGENT_TRIGGERED core_api eu 40m0s"}},
			{"limit", EventQuery{From: readT0, To: readNow, Limit: 2}, []string{"DEGRADED core_web  1h35m0s", "AGENT_STALE  us 1h5m0s"}},
			{"types", EventQuery{From: readT0, To: readNow, Limit: 10, Types: []EventType{EventFired, EventAgentStale}}, []string{"AGENT_STALE  us 1h5m0s", "FIRED core_api  41m0s"}},
			{"endpoint", EventQuery{From: readT0, To: readNow, Limit: 10, ReadFilter: ReadFilter{EndpointKeys: []string{"core_api"}}}, []string{
				"FIRED core_api  41m0s", "DEGRADED core_api  40m0s", "AGENT_TRIGGERED core_api eu 40m0s"}},
			{"agent", EventQuery{From: readT0, To: readNow, Limit: 10, ReadFilter: ReadFilter{AgentIDs: []string{"us"}}}, []string{"AGENT_STALE  us 1h5m0s"}},
			{"time range", EventQuery{From: readT0.Add(41 * time.Minute), To: readT0.Add(65 * time.Minute), Limit: 10}, []string{"AGENT_STALE  us 1h5m0s", "FIRED core_api  41m0s"}},
			{"unknown endpoint", EventQuery{From: readT0, To: readNow, Limit: 10, ReadFilter: ReadFilter{EndpointKeys: []string{"gone"}}}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := r.Events(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(kinds(got), tc.want) {
					t.Errorf("events:\n got %q\nwant %q", kinds(got), tc.want)
				}
			})
		}
		evs, err := r.Events(ctx, EventQuery{From: readT0, To: readNow, Limit: 1, Types: []EventType{EventFired}})
		if err != nil || len(evs) != 1 || !readerJSONEqual(t, evs[0].Details, `{"triggered":2,"reporting":2,"quorum":2}`) {
			t.Errorf("fired details: %+v, %v", evs, err)
		}
	})
}
