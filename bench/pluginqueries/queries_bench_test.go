package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5"

	"github.com/quorate/quorate/grafana-plugin/pkg/plugintest"
	"github.com/quorate/quorate/internal/store"
)

// EnvDSN names the seeded database BenchmarkDashboardQueries reads.
const EnvDSN = "QUORATE_BENCH_PLUGIN_DSN"

func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }

// dashboardQuery is one query behind a panel or alert rule: what the
// plugin asks the store reader for it (as the plugin's query dispatch
// does), and the query model a panel sends the plugin.
type dashboardQuery struct {
	name     string
	reader   func(ctx context.Context, r *store.Reader) (rows int, err error)
	model    map[string]any
	from, to time.Time
}

// BenchmarkDashboardQueries times each query type behind the dashboards
// and alert rules on the database seeded by `pluginqueries seed`
// ($QUORATE_BENCH_PLUGIN_DSN; skipped without it): through the store
// reader the plugin uses, and through the real plugin binary over
// Grafana's plugin protocol, building and encoding the frames. Besides
// ns/op it reports the p50, p95 and max of the b.N runs in milliseconds.
// Run it with a fixed count, e.g. -benchtime 30x (bench/plugin-queries.sh).
func BenchmarkDashboardQueries(b *testing.B) {
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		b.Skipf("%s is not set; run bench/plugin-queries.sh", EnvDSN)
	}
	ctx := context.Background()
	cfg, err := readerConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	r, err := store.OpenReader(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	queries, err := dashboardQueries(ctx, r, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	plugin := plugintest.Start(b)
	ds := plugintest.PostgresDataSource(b, dsn)
	for _, q := range queries {
		b.Run(q.name+"/reader", func(b *testing.B) {
			measure(b, func() (int, error) { return q.reader(ctx, r) })
		})
		b.Run(q.name+"/plugin", func(b *testing.B) {
			dq := plugintest.NewQuery("A", q.model, q.from, q.to)
			measure(b, func() (int, error) {
				resp, err := plugin.QueryData(ctx, ds, dq)
				if err != nil {
					return 0, err
				}
				res := resp.Responses["A"]
				if res.Error != nil {
					return 0, res.Error
				}
				// Rows, as the reader counts them: a numeric-wide frame has
				// one series per field.
				n := 0
				for _, f := range res.Frames {
					if f.Meta != nil && f.Meta.Type == data.FrameTypeNumericWide {
						n += len(f.Fields)
					} else if rows, err := f.RowLen(); err == nil {
						n += rows
					}
				}
				return n, nil
			})
		})
	}
}

// measure runs fn twice untimed, then b.N times, and reports the
// quantiles of the timed runs and how many rows the last one returned.
func measure(b *testing.B, fn func() (int, error)) {
	for range 2 {
		if _, err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	ds := make([]time.Duration, 0, b.N)
	n := 0
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		var err error
		if n, err = fn(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	q := summarize(ds)
	b.ReportMetric(float64(q.p50)/1e6, "p50-ms")
	b.ReportMetric(float64(q.p95)/1e6, "p95-ms")
	b.ReportMetric(float64(q.max)/1e6, "max-ms")
	b.ReportMetric(float64(n), "rows")
}

// readerConfig turns a DSN into the field-by-field settings of a plugin
// data source.
func readerConfig(dsn string) (store.ReaderConfig, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return store.ReaderConfig{}, fmt.Errorf("%s: %w", EnvDSN, err)
	}
	return store.ReaderConfig{
		Driver: store.DriverPostgres, Host: pc.Host + ":" + strconv.Itoa(int(pc.Port)),
		Database: pc.Database, User: pc.User, Password: pc.Password, SSLMode: "disable",
		Schema: pc.RuntimeParams["search_path"],
	}, nil
}

// dashboardQueries are the queries the dashboards and alert rules run, on
// one endpoint in the middle of the seeded ones or on all of them. The
// reader calls mirror the plugin's query dispatch (grafana-plugin/pkg/plugin).
func dashboardQueries(ctx context.Context, r *store.Reader, now time.Time) ([]dashboardQuery, error) {
	eps, err := r.Endpoints(ctx, nil)
	if err != nil {
		return nil, err
	}
	if len(eps) == 0 {
		return nil, errors.New("the database has no endpoints: seed it first")
	}
	one := eps[len(eps)/2].Key
	day, week, month := now.Add(-24*time.Hour), now.Add(-7*24*time.Hour), now.Add(-30*24*time.Hour)
	all := store.ReadFilter{}
	single := store.ReadFilter{EndpointKeys: []string{one}}
	const maxPoints = 1000 // plugintest.NewQuery's MaxDataPoints, a wide panel's
	type readFn = func(ctx context.Context, r *store.Reader) (int, error)
	status := func(f store.ReadFilter) readFn {
		return func(ctx context.Context, r *store.Reader) (int, error) {
			lr, err := r.LatestResults(ctx, f)
			if err != nil {
				return 0, err
			}
			if _, err := r.Endpoints(ctx, f.EndpointKeys); err != nil {
				return 0, err
			}
			if _, err := r.EndpointQuorums(ctx, f.EndpointKeys); err != nil {
				return 0, err
			}
			_, err = r.Agents(ctx, nil)
			return len(lr), err
		}
	}
	quorums := func(ctx context.Context, r *store.Reader) (int, error) {
		if _, err := r.Endpoints(ctx, nil); err != nil {
			return 0, err
		}
		qs, err := r.EndpointQuorums(ctx, nil)
		return len(qs), err
	}
	latest := func(ctx context.Context, r *store.Reader) (int, error) {
		lr, err := r.LatestResults(ctx, all)
		return len(lr), err
	}
	agents := func(ctx context.Context, r *store.Reader) (int, error) {
		as, err := r.Agents(ctx, nil)
		return len(as), err
	}
	series := func(f store.ReadFilter, m store.SeriesMetric) readFn {
		return func(ctx context.Context, r *store.Reader) (int, error) {
			ss, err := r.ResultSeries(ctx, store.SeriesQuery{ReadFilter: f, From: day, To: now, Metric: m, MaxPoints: maxPoints})
			n := 0
			for _, s := range ss {
				n += len(s.Points)
			}
			return n, err
		}
	}
	failures := func(f store.ReadFilter, limit int) readFn {
		return func(ctx context.Context, r *store.Reader) (int, error) {
			fs, err := r.Failures(ctx, store.FailureQuery{ReadFilter: f, From: day, To: now, Limit: limit})
			return len(fs), err
		}
	}
	uptime := func(f store.ReadFilter, from time.Time, perAgent bool) readFn {
		return func(ctx context.Context, r *store.Reader) (int, error) {
			us, err := r.Uptime(ctx, store.UptimeQuery{ReadFilter: f, From: from, To: now, PerAgent: perAgent})
			return len(us), err
		}
	}
	events := func(f store.ReadFilter, from time.Time, types []store.EventType, limit int) readFn {
		return func(ctx context.Context, r *store.Reader) (int, error) {
			es, err := r.Events(ctx, store.EventQuery{ReadFilter: f, From: from, To: now, Types: types, Limit: limit})
			return len(es), err
		}
	}
	quorumEvents := []store.EventType{store.EventFired, store.EventResolved, store.EventReminder, store.EventDegraded, store.EventDegradedCleared}
	q := func(name string, fn readFn, from time.Time, model map[string]any) dashboardQuery {
		return dashboardQuery{name: name, reader: fn, model: model, from: from, to: now}
	}
	return []dashboardQuery{
		q("status_all", status(all), day, map[string]any{"queryType": "status"}),
		q("status_one", status(single), day, map[string]any{"queryType": "status", "endpoint": one}),
		q("current_firing", quorums, day, map[string]any{"queryType": "current", "metric": "firing"}),
		q("current_agent_success", latest, day, map[string]any{"queryType": "current", "metric": "agent_success"}),
		q("current_certificate_expiry", latest, day, map[string]any{"queryType": "current", "metric": "certificate_expiry_seconds"}),
		q("current_agent_stale", agents, day, map[string]any{"queryType": "current", "metric": "agent_stale"}),
		q("results_24h_duration_one", series(single, store.SeriesDurationMS), day, map[string]any{"queryType": "results", "endpoint": one, "metric": "duration_ms"}),
		q("results_24h_success_one", series(single, store.SeriesSuccess), day, map[string]any{"queryType": "results", "endpoint": one, "metric": "success"}),
		q("results_24h_duration_all", series(all, store.SeriesDurationMS), day, map[string]any{"queryType": "results", "metric": "duration_ms"}),
		q("failures_24h_one_limit200", failures(single, 200), day, map[string]any{"queryType": "failures", "endpoint": one, "limit": 200}),
		q("failures_24h_all_limit100", failures(all, 100), day, map[string]any{"queryType": "failures", "limit": 100}),
		q("uptime_7d_per_endpoint_all", uptime(all, week, false), week, map[string]any{"queryType": "uptime", "per": "endpoint"}),
		q("uptime_30d_per_endpoint_all", uptime(all, month, false), month, map[string]any{"queryType": "uptime", "per": "endpoint"}),
		q("uptime_30d_per_agent_all", uptime(all, month, true), month, map[string]any{"queryType": "uptime", "per": "agent"}),
		q("uptime_30d_per_agent_one", uptime(single, month, true), month, map[string]any{"queryType": "uptime", "per": "agent", "endpoint": one}),
		q("agents", agents, day, map[string]any{"queryType": "agents"}),
		q("alerts_24h_quorum_all", events(all, day, quorumEvents, 200), day, map[string]any{"queryType": "alerts", "limit": 200,
			"eventTypes": []string{"FIRED", "RESOLVED", "REMINDER", "DEGRADED", "DEGRADED_CLEARED"}}),
		q("alerts_30d_one", events(single, month, nil, 500), month, map[string]any{"queryType": "alerts", "endpoint": one, "limit": 500}),
	}, nil
}
