package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/quorate/quorate/quorum/internal/state"
)

func TestObserveResultCountsAndKeepsLastOutcome(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", Result{Success: true, Duration: 3 * time.Millisecond})
	m.ObserveResult("ep", "a", Result{Success: true, Duration: 40 * time.Millisecond})
	m.ObserveResult("ep", "a", Result{Success: false, Duration: 2 * time.Second})

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
	m.ObserveResult("ep", "a", Result{Success: true, Duration: time.Millisecond})
	if got := testutil.ToFloat64(m.agentSuccess.WithLabelValues("ep", "a")); got != 1 {
		t.Errorf("success after a success = %v, want 1", got)
	}
}

func TestObserveResultStartsFailureCounterAtZero(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", Result{Success: true, Duration: time.Millisecond})
	// rate() of failures must be 0, not absent, for a pair that never failed.
	mustValue(t, m, 0, "quorate_results_total", "agent_id=a", "endpoint_key=ep", "success=false")
}

func TestObserveResultClampsNegativeDuration(t *testing.T) {
	m := New()
	m.ObserveResult("ep", "a", Result{Success: true, Duration: -time.Second})
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

func TestCertificateExpiryFollowsTheLastResult(t *testing.T) {
	m := New()
	const name = "quorate_endpoint_certificate_expiry_timestamp_seconds"
	pair := []string{"agent_id=a", "endpoint_key=ep"}
	m.ObserveResult("ep", "a", Result{Success: true})
	mustAbsent(t, m, name, pair...)

	expiry := time.Unix(1710000000, 500_000_000)
	m.ObserveResult("ep", "a", Result{Success: true, CertificateExpiry: expiry})
	mustValue(t, m, 1710000000.5, name, pair...)
	m.ObserveResult("ep", "a", Result{Success: false, CertificateExpiry: expiry.Add(time.Hour)})
	mustValue(t, m, 1710003600.5, name, pair...)

	// A result without a certificate (a refused connection, say) leaves no
	// series: the older expiry is not what the endpoint presents now.
	m.ObserveResult("ep", "a", Result{Success: false})
	mustAbsent(t, m, name, pair...)
	m.ObserveResult("ep", "a", Result{Success: true, CertificateExpiry: expiry})
	mustValue(t, m, 1710000000.5, name, pair...)
	// Other pairs are their own.
	mustAbsent(t, m, name, "agent_id=b", "endpoint_key=ep")
}

func TestCertificateExpiryIsAbsentWhileTheAgentIsStale(t *testing.T) {
	m := New()
	const name = "quorate_endpoint_certificate_expiry_timestamp_seconds"
	seen := time.Unix(1700000000, 0)
	expiry := time.Unix(1710000000, 0)
	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen})
	m.ObserveResult("ep", "a", Result{Success: true, CertificateExpiry: expiry})
	m.ObserveResult("ep", "b", Result{Success: true, CertificateExpiry: expiry})

	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen, Stale: true})
	mustAbsent(t, m, name, "agent_id=a", "endpoint_key=ep")
	mustValue(t, m, float64(expiry.Unix()), name, "agent_id=b", "endpoint_key=ep")

	m.ObserveResult("ep", "a", Result{Success: true, CertificateExpiry: expiry.Add(time.Hour)})
	mustValue(t, m, float64(expiry.Add(time.Hour).Unix()), name, "agent_id=a", "endpoint_key=ep")
}

func TestHandlerServesOnlyTheFamiliesNamed(t *testing.T) {
	m := populated()
	get := func(query string) string {
		t.Helper()
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/metrics" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d, %v", query, resp.StatusCode, err)
		}
		return string(body)
	}
	families := func(body string) []string {
		var out []string
		for line := range strings.SplitSeq(body, "\n") {
			if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
				out = append(out, strings.Fields(name)[0])
			}
		}
		return out
	}
	if got := families(get("")); len(got) != len(m.all()) {
		t.Fatalf("plain scrape serves %d families, want all %d", len(got), len(m.all()))
	}
	got := families(get("?name[]=quorate_results_total&name[]=quorate_result_duration_seconds&name[]=no_such_metric"))
	want := []string{"quorate_result_duration_seconds", "quorate_results_total"}
	if !slices.Equal(got, want) {
		t.Fatalf("families served for name[]: %q, want %q", got, want)
	}
	if body := get("?name[]=quorate_results_total"); !strings.Contains(body, `quorate_results_total{agent_id="eu",endpoint_key="core_api",success="false"} 1`) {
		t.Fatalf("name[] scrape lacks the counter's value:\n%s", body)
	}
}
