package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/quorate/quorate/quorum/internal/state"
)

func TestSetEndpointExportsFirstEnabledAlert(t *testing.T) {
	type want struct {
		firing, degraded, triggered, reporting, quorum, monitors, cannot, maint float64
	}
	tests := []struct {
		name string
		st   state.EndpointStatus
		want want
	}{
		{
			name: "firing with two of three triggered",
			st: state.EndpointStatus{
				Key:    "ep",
				Agents: []state.AgentRun{run("a", false, 0), run("b", false, 0), run("c", false)},
				Alerts: []state.QuorumStatus{{AlertIndex: 0, Firing: true, Triggered: 2, Reporting: 3, Quorum: 2, Monitors: 3}},
			},
			want: want{firing: 1, triggered: 2, reporting: 3, quorum: 2, monitors: 3},
		},
		{
			name: "degraded with one of three triggered",
			st: state.EndpointStatus{
				Key:    "ep",
				Agents: []state.AgentRun{run("a", false, 0), run("b", false), run("c", false)},
				Alerts: []state.QuorumStatus{{AlertIndex: 0, Degraded: true, Triggered: 1, Reporting: 3, Quorum: 2, Monitors: 3}},
			},
			want: want{degraded: 1, triggered: 1, reporting: 3, quorum: 2, monitors: 3},
		},
		{
			name: "cannot reach quorum with two stale",
			st: state.EndpointStatus{
				Key:    "ep",
				Agents: []state.AgentRun{run("a", false), run("b", true), run("c", true)},
				Alerts: []state.QuorumStatus{{AlertIndex: 0, CannotReachQuorum: true, Reporting: 1, Quorum: 2, Monitors: 3}},
			},
			want: want{reporting: 1, quorum: 2, monitors: 3, cannot: 1},
		},
		{
			name: "suppressed in maintenance does not fire",
			st: state.EndpointStatus{
				Key: "ep", InMaintenance: true,
				Agents: []state.AgentRun{run("a", false, 0), run("b", false, 0)},
				Alerts: []state.QuorumStatus{{AlertIndex: 0, Suppressed: true, Triggered: 2, Reporting: 2, Quorum: 1, Monitors: 2}},
			},
			want: want{triggered: 2, reporting: 2, quorum: 1, monitors: 2, maint: 1},
		},
		{
			name: "second alert firing does not count, first is healthy",
			st: state.EndpointStatus{
				Key:    "ep",
				Agents: []state.AgentRun{run("a", false, 3)},
				Alerts: []state.QuorumStatus{
					{AlertIndex: 1, Reporting: 1, Quorum: 1, Monitors: 1},
					{AlertIndex: 3, Firing: true, Triggered: 1, Reporting: 1, Quorum: 1, Monitors: 1},
				},
			},
			want: want{reporting: 1, quorum: 1, monitors: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.SetEndpoint(tt.st)
			ep := "endpoint_key=ep"
			mustValue(t, m, tt.want.firing, "quorate_endpoint_alert_firing", ep)
			mustValue(t, m, tt.want.degraded, "quorate_endpoint_degraded", ep)
			mustValue(t, m, tt.want.triggered, "quorate_endpoint_triggered_agents", ep)
			mustValue(t, m, tt.want.reporting, "quorate_endpoint_reporting_agents", ep)
			mustValue(t, m, tt.want.quorum, "quorate_endpoint_agent_quorum", ep)
			mustValue(t, m, tt.want.monitors, "quorate_endpoint_monitoring_agents", ep)
			mustValue(t, m, tt.want.cannot, "quorate_endpoint_cannot_reach_quorum", ep)
			mustValue(t, m, tt.want.maint, "quorate_endpoint_in_maintenance", ep)
		})
	}
}

func TestSetEndpointAgentTriggeredFollowsFirstAlertAndHidesStale(t *testing.T) {
	m := New()
	m.SetEndpoint(state.EndpointStatus{
		Key: "ep",
		Agents: []state.AgentRun{
			run("a", false, 0, 1), // triggered for both alerts
			run("b", false, 1),    // only for the second
			run("c", true, 0),     // stale: unknown
		},
		Alerts: []state.QuorumStatus{
			{AlertIndex: 0, Triggered: 1, Reporting: 2, Quorum: 2, Monitors: 3, Degraded: true},
			{AlertIndex: 1, Triggered: 2, Reporting: 2, Quorum: 2, Monitors: 3, Firing: true},
		},
	})
	compare(t, m, m.agentTriggered, "quorate_endpoint_agent_triggered", `
quorate_endpoint_agent_triggered{agent_id="a",endpoint_key="ep"} 1
quorate_endpoint_agent_triggered{agent_id="b",endpoint_key="ep"} 0
`)
	// The documented invariant: the pair series add up to the endpoint's.
	sum := 0.0
	for _, a := range []string{"a", "b"} {
		v, _ := lookup(t, m, "quorate_endpoint_agent_triggered", "agent_id="+a, "endpoint_key=ep")
		sum += v
	}
	mustValue(t, m, sum, "quorate_endpoint_triggered_agents", "endpoint_key=ep")
}

func TestSetEndpointWithoutAlertHasNoAlertSeries(t *testing.T) {
	m := New()
	withAlert := state.EndpointStatus{
		Key:    "ep",
		Agents: []state.AgentRun{run("a", false, 0), run("b", true)},
		Alerts: []state.QuorumStatus{{AlertIndex: 0, Firing: true, Triggered: 1, Reporting: 1, Quorum: 1, Monitors: 2}},
	}
	m.SetEndpoint(withAlert)
	mustValue(t, m, 1, "quorate_endpoint_alert_firing", "endpoint_key=ep")

	withAlert.Alerts = nil // alert disabled by a reload
	m.SetEndpoint(withAlert)
	for _, name := range []string{
		"quorate_endpoint_alert_firing", "quorate_endpoint_degraded", "quorate_endpoint_triggered_agents",
		"quorate_endpoint_agent_quorum", "quorate_endpoint_cannot_reach_quorum",
	} {
		mustAbsent(t, m, name, "endpoint_key=ep")
	}
	mustAbsent(t, m, "quorate_endpoint_agent_triggered", "agent_id=a", "endpoint_key=ep")
	mustValue(t, m, 1, "quorate_endpoint_reporting_agents", "endpoint_key=ep") // b is stale
	mustValue(t, m, 2, "quorate_endpoint_monitoring_agents", "endpoint_key=ep")
	mustValue(t, m, 0, "quorate_endpoint_in_maintenance", "endpoint_key=ep")
}

func TestSetEndpointDropsPairsOfUnassignedAgents(t *testing.T) {
	m := New()
	both := state.EndpointStatus{
		Key:    "ep",
		Agents: []state.AgentRun{run("a", false), run("b", false)},
		Alerts: []state.QuorumStatus{{AlertIndex: 0, Reporting: 2, Quorum: 1, Monitors: 2}},
	}
	m.SetEndpoint(both)
	m.ObserveResult("ep", "a", Result{Success: true, Duration: time.Millisecond})
	m.ObserveResult("ep", "b", Result{Success: false, Duration: time.Millisecond})
	m.ObserveResult("other", "b", Result{Success: true, Duration: time.Millisecond})

	onlyA := both
	onlyA.Agents = []state.AgentRun{run("a", false)}
	m.SetEndpoint(onlyA)

	for _, name := range []string{"quorate_endpoint_agent_success", "quorate_endpoint_agent_triggered", "quorate_result_duration_seconds"} {
		mustAbsent(t, m, name, "agent_id=b", "endpoint_key=ep")
	}
	mustValue(t, m, 1, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=ep")
	mustAbsent(t, m, "quorate_results_total", "agent_id=b", "endpoint_key=ep", "success=false")
	mustValue(t, m, 1, "quorate_results_total", "agent_id=a", "endpoint_key=ep", "success=true")
	// b's pair on another endpoint is untouched.
	mustValue(t, m, 1, "quorate_results_total", "agent_id=b", "endpoint_key=other", "success=true")

	// Assigned again: the pair starts from zero, with no last result.
	m.SetEndpoint(both)
	mustValue(t, m, 0, "quorate_results_total", "agent_id=b", "endpoint_key=ep", "success=false")
	mustAbsent(t, m, "quorate_endpoint_agent_success", "agent_id=b", "endpoint_key=ep")
}

func TestSetAgent(t *testing.T) {
	seen := time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		name      string
		st        state.AgentStatus
		stale     float64
		lastSeen  float64
		hasSeenTS bool
	}{
		{name: "never seen has no timestamp", st: state.AgentStatus{ID: "a", StaleAfter: time.Minute}},
		{name: "seen exports unix seconds", st: state.AgentStatus{ID: "a", LastSeen: seen}, lastSeen: float64(seen.Unix()) + 0.5, hasSeenTS: true},
		{name: "stale", st: state.AgentStatus{ID: "a", LastSeen: seen, Stale: true}, stale: 1, lastSeen: float64(seen.Unix()) + 0.5, hasSeenTS: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.SetAgent(tt.st)
			mustValue(t, m, tt.stale, "quorate_agent_stale", "agent_id=a")
			if tt.hasSeenTS {
				mustValue(t, m, tt.lastSeen, "quorate_agent_last_seen_timestamp_seconds", "agent_id=a")
				if got := testutil.ToFloat64(m.lastSeen.WithLabelValues("a")); got != tt.lastSeen {
					t.Errorf("ToFloat64 = %v, want %v", got, tt.lastSeen)
				}
			} else {
				mustAbsent(t, m, "quorate_agent_last_seen_timestamp_seconds", "agent_id=a")
			}
			// Every reason an authenticated agent can be rejected for starts at 0.
			compare(t, m, m.rejected, "quorate_results_rejected_total", `
quorate_results_rejected_total{agent_id="",reason="unauthenticated"} 0
quorate_results_rejected_total{agent_id="a",reason="agent_mismatch"} 0
quorate_results_rejected_total{agent_id="a",reason="malformed"} 0
quorate_results_rejected_total{agent_id="a",reason="not_assigned"} 0
quorate_results_rejected_total{agent_id="a",reason="rate_limited"} 0
quorate_results_rejected_total{agent_id="a",reason="unknown_endpoint"} 0
`)
		})
	}
}

func TestStaleAgentVerdictsAreAbsentUntilItIsBack(t *testing.T) {
	m := New()
	st := func(aStale bool) state.EndpointStatus {
		reporting := 2
		if aStale {
			reporting = 1
		}
		return state.EndpointStatus{
			Key:    "ep",
			Agents: []state.AgentRun{run("a", aStale, 0), run("b", false)},
			Alerts: []state.QuorumStatus{{AlertIndex: 0, Reporting: reporting, Quorum: 2, Monitors: 2, Triggered: boolInt(!aStale)}},
		}
	}
	seen := time.Unix(1700000000, 0)
	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen})
	m.ObserveResult("ep", "a", Result{Success: false, Duration: time.Second})
	m.ObserveResult("other", "a", Result{Success: false, Duration: time.Second})
	m.SetEndpoint(st(false))
	mustValue(t, m, 0, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=ep")
	mustValue(t, m, 1, "quorate_endpoint_agent_triggered", "agent_id=a", "endpoint_key=ep")

	// a goes silent.
	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen, Stale: true})
	for _, ep := range []string{"ep", "other"} {
		mustAbsent(t, m, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key="+ep)
	}
	mustAbsent(t, m, "quorate_endpoint_agent_triggered", "agent_id=a", "endpoint_key=ep")
	mustValue(t, m, 1, "quorate_agent_stale", "agent_id=a")
	mustValue(t, m, float64(seen.Unix()), "quorate_agent_last_seen_timestamp_seconds", "agent_id=a")
	mustValue(t, m, 1, "quorate_results_total", "agent_id=a", "endpoint_key=ep", "success=false")
	mustValue(t, m, 1, "quorate_result_duration_seconds", "agent_id=a", "endpoint_key=ep")

	// The quorum update while stale keeps the triggered series absent.
	m.SetEndpoint(st(true))
	mustAbsent(t, m, "quorate_endpoint_agent_triggered", "agent_id=a", "endpoint_key=ep")

	// Its next result brings the success series back, and a liveness
	// snapshot taken before that result does not hide it again.
	m.ObserveResult("ep", "a", Result{Success: true, Duration: time.Second})
	mustValue(t, m, 1, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=ep")
	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen, Stale: true})
	mustValue(t, m, 1, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=ep")

	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen.Add(time.Minute)})
	m.SetEndpoint(st(false))
	mustValue(t, m, 0, "quorate_agent_stale", "agent_id=a")
	mustValue(t, m, 1, "quorate_endpoint_agent_triggered", "agent_id=a", "endpoint_key=ep")

	// Stale again: hidden again (the transition is what counts).
	m.SetAgent(state.AgentStatus{ID: "a", LastSeen: seen.Add(time.Minute), Stale: true})
	mustAbsent(t, m, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=ep")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
