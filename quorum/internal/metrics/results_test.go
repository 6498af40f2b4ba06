package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveResultCountsAndKeepsLastOutcome(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", true, 3*time.Millisecond)
	m.ObserveResult("ep", "a", true, 40*time.Millisecond)
	m.ObserveResult("ep", "a", false, 2*time.Second)

	compare(t, m, m.results, "quorate_results_total", `
quorate_results_total{agent_id="a",endpoint_key="ep",success="false"} 1
quorate_results_total{agent_id="a",endpoint_key="ep",success="true"} 2
`)
	compare(t, m, m.duration, "quorate_result_duration_seconds", `
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.001"} 0
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.0025"} 0
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.005"} 1
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.01"} 1
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.025"} 1
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.05"} 2
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.1"} 2
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.25"} 2
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="0.5"} 2
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="1"} 2
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="2.5"} 3
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="5"} 3
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="10"} 3
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="30"} 3
quorate_result_duration_seconds_bucket{agent_id="a",endpoint_key="ep",le="+Inf"} 3
quorate_result_duration_seconds_sum{agent_id="a",endpoint_key="ep"} 2.043
quorate_result_duration_seconds_count{agent_id="a",endpoint_key="ep"} 3
`)
	if got := testutil.ToFloat64(m.agentSuccess.WithLabelValues("ep", "a")); got != 0 {
		t.Errorf("success after a failure = %v, want 0", got)
	}
	m.ObserveResult("ep", "a", true, time.Millisecond)
	if got := testutil.ToFloat64(m.agentSuccess.WithLabelValues("ep", "a")); got != 1 {
		t.Errorf("success after a success = %v, want 1", got)
	}
}

func TestObserveResultStartsFailureCounterAtZero(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", true, time.Millisecond)
	// rate() of failures must be 0, not absent, for a pair that never failed.
	mustValue(t, m, 0, "quorate_results_total", "agent_id=a", "endpoint_key=ep", "success=false")
}

func TestObserveResultClampsNegativeDuration(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", true, -time.Second)
	mf := families(t, m)["quorate_result_duration_seconds"]
	h := mf.GetMetric()[0].GetHistogram()
	if h.GetSampleSum() != 0 || h.GetBucket()[0].GetCumulativeCount() != 1 {
		t.Errorf("sum = %v, first bucket = %d; want 0 and 1", h.GetSampleSum(), h.GetBucket()[0].GetCumulativeCount())
	}
}

func TestRejected(t *testing.T) {
	tests := []struct {
		name       string
		agent      string
		reason     string
		wantReason string
	}{
		{"agent mismatch", "a", ReasonAgentMismatch, "agent_mismatch"},
		{"not assigned", "a", ReasonNotAssigned, "not_assigned"},
		{"rate limited", "a", ReasonRateLimited, "rate_limited"},
		{"unauthenticated has no agent", "", ReasonUnauthenticated, "unauthenticated"},
		{"malformed", "a", ReasonMalformed, "malformed"},
		{"unknown endpoint", "a", ReasonUnknownEndpoint, "unknown_endpoint"},
		{"unlisted reason is other", "a", "made up by a client", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.Rejected(tt.agent, tt.reason)
			m.Rejected(tt.agent, tt.reason)
			mustValue(t, m, 2, "quorate_results_rejected_total", "agent_id="+tt.agent, "reason="+tt.wantReason)
			if tt.wantReason == "other" {
				mustAbsent(t, m, "quorate_results_rejected_total", "agent_id=a", "reason="+tt.reason)
			}
		})
	}
}
