package metrics

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/quorate/quorate/quorum/internal/state"
)

// families gathers the registry by metric name.
func families(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// lookup returns the value of the series of name with exactly labels,
// without creating it (WithLabelValues would). Labels are "k=v" pairs.
func lookup(t *testing.T, m *Metrics, name string, labels ...string) (float64, bool) {
	t.Helper()
	mf := families(t, m)[name]
	if mf == nil {
		return 0, false
	}
	want := strings.Join(labels, ",")
	for _, s := range mf.GetMetric() {
		if labelString(s) != want {
			continue
		}
		switch {
		case s.Gauge != nil:
			return s.GetGauge().GetValue(), true
		case s.Counter != nil:
			return s.GetCounter().GetValue(), true
		case s.Histogram != nil:
			return float64(s.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func labelString(s *dto.Metric) string {
	var parts []string
	for _, l := range s.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}

// mustValue fails unless the series exists with value want.
func mustValue(t *testing.T, m *Metrics, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := lookup(t, m, name, labels...)
	if !ok {
		t.Errorf("%s{%s}: absent, want %v", name, strings.Join(labels, ","), want)
		return
	}
	if got != want {
		t.Errorf("%s{%s} = %v, want %v", name, strings.Join(labels, ","), got, want)
	}
}

// mustAbsent fails if the series exists.
func mustAbsent(t *testing.T, m *Metrics, name string, labels ...string) {
	t.Helper()
	if got, ok := lookup(t, m, name, labels...); ok {
		t.Errorf("%s{%s} = %v, want absent", name, strings.Join(labels, ","), got)
	}
}

// seriesLabels lists the label strings of every series of name, sorted.
func seriesLabels(t *testing.T, m *Metrics, name string) []string {
	t.Helper()
	var out []string
	if mf := families(t, m)[name]; mf != nil {
		for _, s := range mf.GetMetric() {
			out = append(out, labelString(s))
		}
	}
	sort.Strings(out)
	return out
}

// compare runs testutil.CollectAndCompare on c with the HELP and TYPE
// lines of name taken from the registry, so that the expectation is only
// about series and values.
func compare(t *testing.T, m *Metrics, c prometheus.Collector, name, series string) {
	t.Helper()
	mf := families(t, m)[name]
	if mf == nil {
		t.Fatalf("%s: no series at all", name)
	}
	header := fmt.Sprintf("# HELP %s %s\n# TYPE %s %s\n", name, mf.GetHelp(), name, strings.ToLower(mf.GetType().String()))
	if err := testutil.CollectAndCompare(c, strings.NewReader(header+series), name); err != nil {
		t.Error(err)
	}
}

func run(agent string, stale bool, triggered ...int) state.AgentRun {
	return state.AgentRun{AgentID: agent, Stale: stale, Failures: 1, Triggered: triggered}
}

// populated returns metrics in which every family has at least one series.
func populated() *Metrics {
	m := New()
	m.SetEndpoint(state.EndpointStatus{
		Key:    "core_api",
		Agents: []state.AgentRun{run("eu", false, 0), run("us", false)},
		Alerts: []state.QuorumStatus{{AlertIndex: 0, Degraded: true, Triggered: 1, Reporting: 2, Quorum: 2, Monitors: 2}},
	})
	m.SetAgent(state.AgentStatus{ID: "eu", LastSeen: time.Unix(1700000000, 0), StaleAfter: time.Minute})
	m.SetAgent(state.AgentStatus{ID: "us", LastSeen: time.Unix(1700000001, 0), StaleAfter: time.Minute})
	m.ObserveResult("core_api", "eu", Result{Success: false, Duration: 120 * time.Millisecond, CertificateExpiry: time.Unix(1710000000, 0)})
	m.ObserveResult("core_api", "us", Result{Success: true, Duration: 80 * time.Millisecond})
	m.Rejected("eu", ReasonNotAssigned)
	m.ObserveEvents([]state.Event{{Kind: state.Degraded, EndpointKey: "core_api"}})
	return m
}
