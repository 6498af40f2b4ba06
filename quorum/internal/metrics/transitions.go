package metrics

import "github.com/quorate/quorate/quorum/internal/state"

// endpointKinds are the transitions counted per endpoint. AgentStale and
// AgentBack concern an agent as a whole and show in quorate_agent_stale.
var endpointKinds = []state.Kind{
	state.AgentTriggered, state.AgentCleared, state.Degraded, state.DegradedCleared,
	state.Fired, state.Reminder, state.Resolved,
}

// ObserveEvents counts the transitions of quorate_alert_transitions_total.
// Every enabled alert of an endpoint counts, so an endpoint with two alerts
// that both fire counts two fired transitions. Agent-wide events (stale,
// back) are not counted here.
func (m *Metrics) ObserveEvents(events []state.Event) {
	for i := range events {
		ev := &events[i]
		if ev.EndpointKey == "" || !isEndpointKind(ev.Kind) {
			continue
		}
		m.transitions.WithLabelValues(ev.EndpointKey, ev.Kind.String()).Inc()
	}
}

func isEndpointKind(k state.Kind) bool {
	for _, e := range endpointKinds {
		if e == k {
			return true
		}
	}
	return false
}
