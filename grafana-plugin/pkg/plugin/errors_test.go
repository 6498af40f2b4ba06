package plugin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/grafana-plugin/pkg/plugintest"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/internal/store/testpg"
)

func TestBadQueriesAreErrorsNamingTheField(t *testing.T) {
	s, ds := plugintest.Postgres(t)
	plugintest.Seed(t, s)
	p := plugintest.Start(t)
	from, to := plugintest.SeedFrom, plugintest.SeedTo
	for _, tc := range []struct {
		name  string
		query backend.DataQuery
		want  string
	}{
		{"unknown queryType", plugintest.NewQuery("A", map[string]any{"queryType": "latency"}, from, to),
			`queryType: "latency" is not supported; use one of status, current, results, failures, uptime, agents, alerts`},
		{"no queryType", plugintest.NewQuery("A", map[string]any{"endpoint": "core_api"}, from, to),
			`queryType: required; use one of status, current, results, failures, uptime, agents, alerts`},
		{"unknown current metric", plugintest.NewQuery("A", map[string]any{"queryType": "current", "metric": "latency"}, from, to),
			`metric: "latency" is not supported; use one of firing, degraded, cannot_reach_quorum, triggered_agents, reporting_agents, agent_success, certificate_expiry_seconds, agent_stale (default firing)`},
		{"unknown results metric", plugintest.NewQuery("A", map[string]any{"queryType": "results", "metric": "firing"}, from, to),
			`metric: "firing" is not supported; use one of duration_ms, success (default duration_ms)`},
		{"unknown per", plugintest.NewQuery("A", map[string]any{"queryType": "uptime", "per": "region"}, from, to),
			`per: "region" is not supported; use one of endpoint, agent (default endpoint)`},
		{"limit above the maximum", plugintest.NewQuery("A", map[string]any{"queryType": "failures", "limit": 10001}, from, to),
			`limit: 10001 is out of range; use 1 to 10000 (default 100)`},
		{"negative limit", plugintest.NewQuery("A", map[string]any{"queryType": "alerts", "limit": -1}, from, to),
			`limit: -1 is out of range; use 1 to 10000 (default 1000)`},
		{"limit not a number", plugintest.NewQuery("A", map[string]any{"queryType": "alerts", "limit": "many"}, from, to),
			`limit: "many" is not a whole number; use 1 to 10000 (default 1000)`},
		{"unknown event type", plugintest.NewQuery("A", map[string]any{"queryType": "alerts", "eventTypes": "FIRED,EXPLODED"}, from, to),
			`eventTypes: "EXPLODED" is not an event type; use some of FIRED, RESOLVED, REMINDER`},
		{"endpoint not a list", plugintest.NewQuery("A", map[string]any{"queryType": "status", "endpoint": 42}, from, to),
			`endpoint: 42 is neither a comma-separated string nor a list of strings`},
		{"bad JSON", plugintest.NewQuery("A", json.RawMessage(`{"queryType": "status",`), from, to),
			`query: not valid JSON`},
		{"time range backwards", plugintest.NewQuery("A", map[string]any{"queryType": "results"}, to, from),
			`timeRange: ends (2025-06-02T10:00:00Z) before it starts (2025-06-02T11:00:00Z)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := p.Query(t, ds, tc.query)
			if res.Error == nil {
				t.Fatalf("no error; frames %v", res.Frames)
			}
			if !strings.Contains(res.Error.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", res.Error, tc.want)
			}
			if res.Status != backend.StatusBadRequest {
				t.Errorf("status %d, want 400", res.Status)
			}
		})
	}

	t.Run("one bad query does not fail the others", func(t *testing.T) {
		resp, err := p.QueryData(context.Background(), ds,
			plugintest.NewQuery("bad", map[string]any{"queryType": "uptime", "per": "region"}, from, to),
			plugintest.NewQuery("good", map[string]any{"queryType": "agents"}, from, to))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Responses["bad"].Error == nil {
			t.Error("the bad query succeeded")
		}
		good := resp.Responses["good"]
		if good.Error != nil || len(good.Frames) != 1 || good.Frames[0].Rows() != 5 {
			t.Errorf("the good query: %v, %v", good.Error, good.Frames)
		}
	})
}

func TestBadSettingsAreReportedNamingTheKey(t *testing.T) {
	p := plugintest.Start(t)
	pg := func(extra map[string]any) map[string]any {
		m := map[string]any{"driver": "postgres", "database": "quorate", "user": "grafana"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		jsonData any
		want     []string
	}{
		{"empty", map[string]any{}, []string{`jsonData.driver: required; use "postgres" or "sqlite"`}},
		{"unknown driver", map[string]any{"driver": "mysql"}, []string{`jsonData.driver: "mysql" is not supported; use "postgres" or "sqlite"`}},
		{"postgres without database and user", map[string]any{"driver": "postgres"}, []string{
			"jsonData.database: required with driver postgres", "jsonData.user: required with driver postgres"}},
		{"bad sslMode", pg(map[string]any{"sslMode": "prefer"}), []string{`jsonData.sslMode: "prefer" is not supported; use one of disable, require, verify-ca, verify-full`}},
		{"bad host", pg(map[string]any{"host": "db:0"}), []string{`jsonData.host: "db:0": port "0" must be a number from 1 to 65535`}},
		{"bad pool size", pg(map[string]any{"maxOpenConns": "lots"}), []string{`jsonData.maxOpenConns: "lots" is not a whole number; use 1 to 100 (default 4)`}},
		{"pool too large", pg(map[string]any{"maxOpenConns": 1000}), []string{`jsonData.maxOpenConns: 1000 is out of range`}},
		{"sqlite without path", map[string]any{"driver": "sqlite"}, []string{"jsonData.path: required with driver sqlite"}},
		{"jsonData not an object", `["postgres"]`, []string{"jsonData: not a JSON object of settings"}},
		{"sqlite file missing", map[string]any{"driver": "sqlite", "path": "/nonexistent/quorate.db"}, []string{
			`path: "/nonexistent/quorate.db" does not exist; give the database file the Quorate central writes`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := plugintest.DataSource{JSONData: tc.jsonData}
			h, err := p.CheckHealth(context.Background(), ds)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != backend.HealthStatusError {
				t.Errorf("health status %v, want error", h.Status)
			}
			res := p.Query(t, ds, plugintest.NewQuery("A", map[string]any{"queryType": "status"}, plugintest.SeedFrom, plugintest.SeedTo))
			if res.Error == nil {
				t.Fatal("the query succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(h.Message, w) {
					t.Errorf("health message %q\ndoes not contain %q", h.Message, w)
				}
				if !strings.Contains(res.Error.Error(), w) {
					t.Errorf("query error %q\ndoes not contain %q", res.Error, w)
				}
			}
		})
	}
}

func TestResources(t *testing.T) {
	for _, driver := range []string{"postgres", "sqlite"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			open := plugintest.Postgres
			if driver == "sqlite" {
				open = plugintest.SQLite
			}
			s, ds := open(t)
			plugintest.Seed(t, s)
			p := plugintest.Start(t)
			ctx := context.Background()
			for _, tc := range []struct {
				method, path string
				status       int
				body         string
			}{
				{http.MethodGet, "endpoints", 200, `[{"text":"api","value":"core_api"},{"text":"web","value":"core_web"},{"text":"dns","value":"edge_dns"}]`},
				{http.MethodGet, "agents", 200, `[{"text":"Asia Pacific","value":"ap"},{"text":"Europe (Frankfurt)","value":"eu"},{"text":"local","value":"local"},{"text":"South America","value":"sa"},{"text":"US East","value":"us"}]`},
				{http.MethodGet, "results", 404, `{"error":"resource \"results\" does not exist; use endpoints or agents"}`},
				{http.MethodPost, "agents", 405, `{"error":"POST agents: only GET is supported"}`},
			} {
				r, err := p.CallResource(ctx, ds, tc.method, tc.path, nil)
				if err != nil {
					t.Fatalf("%s %s: %v", tc.method, tc.path, err)
				}
				if r.Status != tc.status || string(r.Body) != tc.body {
					t.Errorf("%s %s = %d %s\nwant %d %s", tc.method, tc.path, r.Status, r.Body, tc.status, tc.body)
				}
			}
		})
	}
	t.Run("an agent without a name shows its id", func(t *testing.T) {
		s, ds := plugintest.SQLite(t)
		if err := s.UpsertAgents(context.Background(), []store.Agent{{ID: "edge-7"}}); err != nil {
			t.Fatal(err)
		}
		p := plugintest.Start(t)
		r, err := p.CallResource(context.Background(), ds, http.MethodGet, "agents", nil)
		if err != nil || r.Status != 200 || string(r.Body) != `[{"text":"edge-7","value":"edge-7"}]` {
			t.Errorf("agents: %v %v", r, err)
		}
	})
}

func TestHealthCheck(t *testing.T) {
	v := store.LatestVersion()
	want := fmt.Sprintf("schema version %d.", v)
	p := plugintest.Start(t)
	ctx := context.Background()
	check := func(t *testing.T, ds plugintest.DataSource) *backend.CheckHealthResult {
		t.Helper()
		h, err := p.CheckHealth(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// migrated is a schema the central's store migrated, with a raw
	// connection to it.
	migrated := func(t *testing.T) (plugintest.DataSource, *pgx.Conn) {
		dsn := testpg.DSN(t)
		s, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: configopaque.String(dsn)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		return plugintest.PostgresDataSource(t, dsn), testpg.Conn(t, dsn)
	}
	t.Run("postgres ok", func(t *testing.T) {
		ds, _ := migrated(t)
		h := check(t, ds)
		if h.Status != backend.HealthStatusOk || !strings.HasPrefix(h.Message, "Quorate store reachable (postgres 127.0.0.1:5432") || !strings.HasSuffix(h.Message, want) {
			t.Errorf("health %v %q", h.Status, h.Message)
		}
	})
	t.Run("sqlite ok", func(t *testing.T) {
		_, ds := plugintest.SQLite(t)
		h := check(t, ds)
		if h.Status != backend.HealthStatusOk || !strings.HasPrefix(h.Message, "Quorate store reachable (sqlite file") || !strings.HasSuffix(h.Message, want) {
			t.Errorf("health %v %q", h.Status, h.Message)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		h := check(t, plugintest.DataSource{JSONData: map[string]any{"driver": "postgres", "host": "127.0.0.1:1", "database": "quorate", "user": "grafana", "sslMode": "disable"}})
		if h.Status != backend.HealthStatusError || !strings.HasPrefix(h.Message, `Cannot reach the Quorate store (postgres 127.0.0.1:1 database "quorate" user "grafana")`) {
			t.Errorf("health %v %q", h.Status, h.Message)
		}
	})
	t.Run("older schema", func(t *testing.T) {
		ds, conn := migrated(t)
		if _, err := conn.Exec(ctx, `DELETE FROM quorate_schema_migrations WHERE version = $1`, v); err != nil {
			t.Fatal(err)
		}
		h := check(t, ds)
		msg := fmt.Sprintf("The Quorate store is at schema version %d; this plugin reads version %d. Upgrade the Quorate central", v-1, v)
		if h.Status != backend.HealthStatusError || !strings.HasPrefix(h.Message, msg) {
			t.Errorf("health %v %q\nwant it to start with %q", h.Status, h.Message, msg)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		ds, conn := migrated(t)
		if _, err := conn.Exec(ctx, `INSERT INTO quorate_schema_migrations (version, name, applied_at) VALUES ($1, 'future', $2)`, v+1, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		h := check(t, ds)
		msg := fmt.Sprintf("The Quorate store is at schema version %d, newer than this plugin reads (%d). Upgrade the Quorate data source plugin", v+1, v)
		if h.Status != backend.HealthStatusError || !strings.HasPrefix(h.Message, msg) {
			t.Errorf("health %v %q\nwant it to start with %q", h.Status, h.Message, msg)
		}
	})
	t.Run("no schema", func(t *testing.T) {
		h := check(t, plugintest.PostgresDataSource(t, testpg.DSN(t)))
		if h.Status != backend.HealthStatusError || !strings.HasPrefix(h.Message, "No Quorate store in this database and schema (postgres 127.0.0.1:5432") {
			t.Errorf("health %v %q", h.Status, h.Message)
		}
	})
}
