package plugin_test

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/quorate/quorate/grafana-plugin/pkg/plugintest"
)

// These tests drive the built plugin binary through Grafana's handshake
// (plugintest) against stores written by the central's own store code.

var update = flag.Bool("update", false, "rewrite testdata/*.golden.jsonc from the PostgreSQL answers")

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(plugintest.Main(m))
}

// goldenCase is one query whose frames testdata/<name>.golden.jsonc pins.
type goldenCase struct {
	name  string
	model map[string]any
	// from and to default to the seeded hour.
	from, to time.Time
	// maxDataPoints overrides NewQuery's 1000.
	maxDataPoints int64
}

var goldenCases = []goldenCase{
	{name: "status", model: map[string]any{"queryType": "status"}},
	{name: "status_filtered", model: map[string]any{"queryType": "status", "endpoint": "core_web, gone", "agent": "eu,sa"}},
	{name: "status_unknown_endpoint", model: map[string]any{"queryType": "status", "endpoint": "gone"}},
	{name: "current_firing", model: map[string]any{"queryType": "current"}},
	{name: "current_degraded", model: map[string]any{"queryType": "current", "metric": "degraded"}},
	{name: "current_cannot_reach_quorum", model: map[string]any{"queryType": "current", "metric": "cannot_reach_quorum"}},
	{name: "current_triggered_agents", model: map[string]any{"queryType": "current", "metric": "triggered_agents", "endpoint": "*"}},
	{name: "current_reporting_agents", model: map[string]any{"queryType": "current", "metric": "reporting_agents"}},
	{name: "current_agent_success", model: map[string]any{"queryType": "current", "metric": "agent_success"}},
	{name: "current_certificate_expiry_seconds", model: map[string]any{"queryType": "current", "metric": "certificate_expiry_seconds"}},
	{name: "current_agent_stale", model: map[string]any{"queryType": "current", "metric": "agent_stale"}},
	{name: "results_duration_ms", model: map[string]any{"queryType": "results", "endpoint": "core_api"},
		from: plugintest.SeedFrom.Add(20 * time.Minute), to: plugintest.SeedFrom.Add(30 * time.Minute)},
	{name: "results_success_averaged", model: map[string]any{"queryType": "results", "metric": "success"}, maxDataPoints: 6},
	{name: "results_empty", model: map[string]any{"queryType": "results", "agent": "ap"}},
	{name: "failures", model: map[string]any{"queryType": "failures", "limit": 5}},
	{name: "failures_us", model: map[string]any{"queryType": "failures", "agent": "us"}},
	{name: "uptime_per_endpoint", model: map[string]any{"queryType": "uptime"}},
	{name: "uptime_per_agent", model: map[string]any{"queryType": "uptime", "per": "agent", "endpoint": "core_api,core_web"}},
	{name: "uptime_as_seen_by_us", model: map[string]any{"queryType": "uptime", "agent": "us"}},
	{name: "agents", model: map[string]any{"queryType": "agents"}},
	{name: "agents_filtered", model: map[string]any{"queryType": "agents", "agent": []string{"sa", "us"}}},
	{name: "alerts", model: map[string]any{"queryType": "alerts"}},
	{name: "alerts_fired_and_reminders", model: map[string]any{"queryType": "alerts", "eventTypes": "fired,REMINDER"}},
	{name: "alerts_core_web", model: map[string]any{"queryType": "alerts", "endpoint": "core_web", "limit": "1"}},
}

// TestQueryFramesMatchTheGoldenFiles runs every case against PostgreSQL
// and SQLite stores holding the same data: both must give the frames of
// the same golden file.
func TestQueryFramesMatchTheGoldenFiles(t *testing.T) {
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
			for _, tc := range goldenCases {
				t.Run(tc.name, func(t *testing.T) {
					from, to := tc.from, tc.to
					if from.IsZero() {
						from, to = plugintest.SeedFrom, plugintest.SeedTo
					}
					q := plugintest.NewQuery("A", tc.model, from, to)
					if tc.maxDataPoints > 0 {
						q.MaxDataPoints = tc.maxDataPoints
					}
					res := p.Query(t, ds, q)
					if res.Error != nil {
						t.Fatalf("query %v: %v", tc.model, res.Error)
					}
					experimental.CheckGoldenJSONResponse(t, "testdata", tc.name+".golden", &res, *update && driver == "postgres")
				})
			}
		})
	}
}
