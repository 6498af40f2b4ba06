package main

import (
	"fmt"
	"maps"
	"testing"
	"time"
)

func TestMarkerCountsReadsTheLastMarkerPerAgent(t *testing.T) {
	epoch := float64(markerEpoch.Unix())
	text := fmt.Sprintf(`# HELP quorate_endpoint_certificate_expiry_timestamp_seconds Unix time at which ...
# TYPE quorate_endpoint_certificate_expiry_timestamp_seconds gauge
quorate_endpoint_certificate_expiry_timestamp_seconds{agent_id="agent-01",endpoint_key="bench_ep-00001"} %[1]g
quorate_endpoint_certificate_expiry_timestamp_seconds{agent_id="agent-01",endpoint_key="bench_marker"} %.6[2]f
quorate_endpoint_certificate_expiry_timestamp_seconds{agent_id="agent-02",endpoint_key="bench_marker"} %[3]g
quorate_endpoint_certificate_expiry_timestamp_seconds{agent_id="agent-03",endpoint_key="bench_marker-2"} %[1]g
quorate_results_total{agent_id="agent-04",endpoint_key="bench_marker",success="true"} 3
`, epoch+99, epoch+12.0000004, epoch+7)
	got := markerCounts([]byte(text), "bench_marker")
	want := map[string]float64{"agent-01": 12, "agent-02": 7}
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
