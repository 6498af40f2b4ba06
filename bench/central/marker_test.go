package main

import (
	"maps"
	"testing"
	"time"
)

func TestMarkerCountsReadsSuccessfulMarkerResultsPerAgent(t *testing.T) {
	const text = `# HELP quorate_results_total Probe results accepted from the agent for the endpoint, by success.
# TYPE quorate_results_total counter
quorate_results_total{agent_id="agent-01",endpoint_key="bench_ep-00001",success="true"} 900
quorate_results_total{agent_id="agent-01",endpoint_key="bench_marker",success="false"} 4
quorate_results_total{agent_id="agent-01",endpoint_key="bench_marker",success="true"} 12
quorate_results_total{agent_id="agent-02",endpoint_key="bench_marker",success="true"} 1.2e+06
quorate_results_total{agent_id="agent-03",endpoint_key="bench_marker-2",success="true"} 7
quorate_result_duration_seconds_count{agent_id="agent-04",endpoint_key="bench_marker"} 3
`
	got := markerCounts([]byte(text), "bench_marker")
	want := map[string]float64{"agent-01": 12, "agent-02": 1.2e6}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSummarizeUsesNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		name string
		in   []time.Duration
		want quantiles
	}{
		{"hundred", ds, quantiles{n: 100, p50: 50 * time.Millisecond, p99: 99 * time.Millisecond, max: 100 * time.Millisecond, ok: true}},
		{"one", []time.Duration{time.Second}, quantiles{n: 1, p50: time.Second, p99: time.Second, max: time.Second, ok: true}},
		{"none", nil, quantiles{}},
	} {
		if got := summarize(c.in); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestThousandsGroupsDigits(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45000, "-45,000"}} {
		if got := thousands(c.in); got != c.want {
			t.Errorf("thousands(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}
