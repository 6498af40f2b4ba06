package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/quorum/internal/state"
)

// setUpTwoByTwo assigns endpoints x and y to agents a and b, with a result
// for every pair and every kind of series present.
func setUpTwoByTwo(m *Metrics) {
	for _, ep := range []string{"x", "y"} {
		m.SetEndpoint(state.EndpointStatus{
			Key:    ep,
			Agents: []state.AgentRun{run("a", false, 0), run("b", false)},
			Alerts: []state.QuorumStatus{{AlertIndex: 0, Degraded: true, Triggered: 1, Reporting: 2, Quorum: 2, Monitors: 2}},
		})
		m.ObserveEvents([]state.Event{{Kind: state.Degraded, EndpointKey: ep}})
		for _, a := range []string{"a", "b"} {
			m.ObserveResult(ep, a, Result{Success: a == "b", Duration: 10 * time.Millisecond, CertificateExpiry: time.Unix(1710000000, 0)})
		}
	}
	for _, a := range []string{"a", "b"} {
		m.SetAgent(state.AgentStatus{ID: a, LastSeen: time.Unix(1700000000, 0)})
		m.Rejected(a, ReasonRateLimited)
	}
}

func TestForgetDropsEverySeriesOfRemovedEndpointsAndAgents(t *testing.T) {
	tests := []struct {
		name      string
		endpoints []string
		agents    []string
		gone      func(labels string) bool
	}{
		{
			name:      "endpoint",
			endpoints: []string{"x"},
			gone:      func(l string) bool { return strings.Contains(l, "endpoint_key=x") },
		},
		{
			name:   "agent",
			agents: []string{"a"},
			gone:   func(l string) bool { return strings.Contains(l, "agent_id=a") },
		},
		{
			name:      "both, and unknown names are ignored",
			endpoints: []string{"x", "never-existed"},
			agents:    []string{"a", "nobody"},
			gone: func(l string) bool {
				return strings.Contains(l, "endpoint_key=x") || strings.Contains(l, "agent_id=a")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			setUpTwoByTwo(m)
			before := map[string][]string{}
			for name := range families(t, m) {
				before[name] = seriesLabels(t, m, name)
			}

			m.Forget(tt.endpoints, tt.agents)

			removed := 0
			for name, labels := range before {
				var want []string
				for _, l := range labels {
					if tt.gone(l) {
						removed++
					} else {
						want = append(want, l)
					}
				}
				got := seriesLabels(t, m, name)
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s after Forget:\n got  %v\n want %v", name, got, want)
				}
			}
			if removed < 10 {
				t.Fatalf("only %d series matched the forgotten names: the setup is too thin to test Forget", removed)
			}
		})
	}
}

func TestResultAfterForgetStartsAFreshSeries(t *testing.T) {
	m := New()
	setUpTwoByTwo(m)
	m.Forget([]string{"x"}, nil)

	// The endpoint comes back in a later reload: the cached pair must not
	// be reused (its children are no longer in the registry).
	m.ObserveResult("x", "a", Result{Success: true, Duration: time.Millisecond})
	mustValue(t, m, 1, "quorate_results_total", "agent_id=a", "endpoint_key=x", "success=true")
	mustValue(t, m, 0, "quorate_results_total", "agent_id=a", "endpoint_key=x", "success=false")
	mustValue(t, m, 1, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=x")
	mustValue(t, m, 1, "quorate_result_duration_seconds", "agent_id=a", "endpoint_key=x")

	m.Forget(nil, []string{"b"})
	m.ObserveResult("y", "b", Result{Success: false, Duration: time.Millisecond})
	mustValue(t, m, 1, "quorate_results_total", "agent_id=b", "endpoint_key=y", "success=false")
	mustValue(t, m, 0, "quorate_endpoint_agent_success", "agent_id=b", "endpoint_key=y")
}
