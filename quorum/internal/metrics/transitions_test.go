package metrics

import (
	"testing"

	"github.com/quorate/quorate/quorum/internal/state"
)

func TestObserveEventsCountsEndpointTransitions(t *testing.T) {
	m := New()
	m.SetEndpoint(state.EndpointStatus{Key: "ep", Agents: []state.AgentRun{run("a", false)}})
	m.ObserveEvents([]state.Event{
		{Kind: state.AgentTriggered, EndpointKey: "ep", AgentID: "a"},
		{Kind: state.Fired, EndpointKey: "ep"},
		{Kind: state.Fired, EndpointKey: "ep", AlertIndex: 1}, // a second alert counts too
		{Kind: state.Reminder, EndpointKey: "ep"},
		{Kind: state.AgentStale, AgentID: "a", AlertIndex: -1}, // agent-wide: not counted
		{Kind: state.AgentBack, AgentID: "a", AlertIndex: -1},
	})
	m.ObserveEvents(nil)
	// All seven start at 0 with the endpoint, so increase() sees the first.
	compare(t, m, m.transitions, "quorate_alert_transitions_total", `
quorate_alert_transitions_total{endpoint_key="ep",transition="agent_cleared"} 0
quorate_alert_transitions_total{endpoint_key="ep",transition="agent_triggered"} 1
quorate_alert_transitions_total{endpoint_key="ep",transition="degraded"} 0
quorate_alert_transitions_total{endpoint_key="ep",transition="degraded_cleared"} 0
quorate_alert_transitions_total{endpoint_key="ep",transition="fired"} 2
quorate_alert_transitions_total{endpoint_key="ep",transition="reminder"} 1
quorate_alert_transitions_total{endpoint_key="ep",transition="resolved"} 0
`)
}
