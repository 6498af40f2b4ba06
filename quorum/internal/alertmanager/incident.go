package alertmanager

import (
	"slices"
	"time"

	"github.com/quorate/quorate/quorum/internal/engine"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// Source is what the notifier reads from the quorum engine; *engine.Engine
// is one.
type Source interface {
	// Config is the running monitoring config.
	Config() *monitoring.Config
	// Endpoint and Endpoints are the quorum status: firing alerts and, per
	// agent, which alerts it is triggered for.
	Endpoint(key string) (state.EndpointStatus, bool)
	Endpoints() []state.EndpointStatus
	// LastFailure is what an agent's latest failed result reported.
	LastFailure(endpointKey, agentID string) []string
	// Now is the engine's clock, the one transitions are stamped with.
	Now() time.Time
}

var _ Source = (*engine.Engine)(nil)

// alertKey identifies one alert of one endpoint.
type alertKey struct {
	endpoint string
	index    int
}

// fromTransition describes the incident of a fired, reminder or resolved
// transition: counts as of the transition, agents as of now.
func fromTransition(src Source, mc *monitoring.Config, t *engine.Transition) incident {
	in := incident{
		endpointKey:    t.EndpointKey,
		endpointName:   t.EndpointName,
		endpointGroup:  t.EndpointGroup,
		alertIndex:     t.AlertIndex,
		alertType:      t.AlertType,
		description:    t.Description,
		sendOnResolved: sendOnResolved(mc, t.EndpointKey, t.AlertIndex),
		firedAt:        t.FiredAt,
		triggered:      t.Triggered,
		quorum:         t.Quorum,
		monitors:       t.Monitors,
	}
	switch t.Kind {
	case state.Fired:
		in.firedAt = t.At
	case state.Resolved:
		in.sendOnResolved = t.SendOnResolved
	}
	if st, ok := src.Endpoint(t.EndpointKey); ok {
		addAgents(src, &in, &st)
	}
	return in
}

// fromStatus describes the incident of one alert of a status.
func fromStatus(src Source, mc *monitoring.Config, st *state.EndpointStatus, qs *state.QuorumStatus) incident {
	in := incident{
		endpointKey:    st.Key,
		alertIndex:     qs.AlertIndex,
		alertType:      qs.AlertType,
		description:    qs.Description,
		sendOnResolved: sendOnResolved(mc, st.Key, qs.AlertIndex),
		firedAt:        qs.FiredAt,
		triggered:      qs.Triggered,
		quorum:         qs.Quorum,
		monitors:       qs.Monitors,
	}
	if ep, ok := mc.Endpoint(st.Key); ok {
		in.endpointName, in.endpointGroup = ep.Name, ep.Group
	}
	addAgents(src, &in, st)
	return in
}

// addAgents fills the triggered agents with their last failures and the
// stale agents, in monitored-by order.
func addAgents(src Source, in *incident, st *state.EndpointStatus) {
	for _, r := range st.Agents {
		if r.Stale {
			in.staleAgents = append(in.staleAgents, r.AgentID)
		}
		if slices.Contains(r.Triggered, in.alertIndex) {
			in.triggeredAgents = append(in.triggeredAgents, r.AgentID)
			in.failures = append(in.failures, src.LastFailure(st.Key, r.AgentID))
		}
	}
}

func sendOnResolved(mc *monitoring.Config, key string, index int) bool {
	ep, ok := mc.Endpoint(key)
	if !ok || index < 0 || index >= len(ep.Alerts) {
		return false
	}
	return ep.Alerts[index].SendOnResolved
}
