package metrics

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quorate/quorate/quorum/internal/state"
)

// endpointEntry caches one endpoint's gauge children. Guarded by Metrics.mu.
type endpointEntry struct {
	pairs map[string]*pair // by agent id

	// Set by the first SetEndpoint; nil before, since a result can arrive
	// before the endpoint's status does.
	maintenance, monitoring, reporting prometheus.Gauge
	// alert is nil while the endpoint has no enabled alert.
	alert *alertGauges
}

type alertGauges struct {
	firing, degraded, triggered, quorum, cannotReach prometheus.Gauge
}

// agentEntry caches one agent's gauge children. Guarded by Metrics.mu.
type agentEntry struct {
	pairs map[string]*pair // by endpoint key

	staleGauge    prometheus.Gauge // set by the first SetAgent
	lastSeenGauge prometheus.Gauge // nil until the agent is first seen
	isStale       bool
}

func (m *Metrics) endpointLocked(key string) *endpointEntry {
	e := m.endpoints[key]
	if e == nil {
		e = &endpointEntry{pairs: map[string]*pair{}}
		m.endpoints[key] = e
	}
	return e
}

func (m *Metrics) agentLocked(id string) *agentEntry {
	a := m.agents[id]
	if a == nil {
		a = &agentEntry{pairs: map[string]*pair{}}
		m.agents[id] = a
	}
	return a
}

// SetEndpoint sets the endpoint's gauges from its quorum status.
//
// An endpoint can have several enabled alerts, each with its own quorum;
// the endpoint-level alert gauges (firing, degraded, triggered agents,
// quorum, cannot reach quorum) and quorate_endpoint_agent_triggered follow
// the first enabled alert, st.Alerts[0], which is the endpoint's alert in
// the common one-alert config. With no enabled alert those series are
// absent. The (endpoint, agent) series of agents no longer in st.Agents are
// dropped, which keeps them to assigned pairs across config reloads.
func (m *Metrics) SetEndpoint(st state.EndpointStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()

	e := m.endpointLocked(st.Key)
	if e.maintenance == nil {
		e.maintenance = m.inMaintenance.WithLabelValues(st.Key)
		e.monitoring = m.monitoringAgents.WithLabelValues(st.Key)
		e.reporting = m.reportingAgents.WithLabelValues(st.Key)
		// Start the transition counters at 0 so that increase() sees the
		// first fire of an endpoint.
		for _, k := range endpointKinds {
			m.transitions.WithLabelValues(st.Key, k.String())
		}
	}
	e.maintenance.Set(boolFloat(st.InMaintenance))
	e.monitoring.Set(float64(len(st.Agents)))

	var alert *state.QuorumStatus
	if len(st.Alerts) > 0 {
		alert = &st.Alerts[0]
	}
	if alert != nil {
		m.setAlertLocked(st.Key, e, alert)
		e.reporting.Set(float64(alert.Reporting))
	} else {
		m.dropAlertLocked(st.Key, e)
		reporting := 0
		for _, r := range st.Agents {
			if !r.Stale {
				reporting++
			}
		}
		e.reporting.Set(float64(reporting))
	}

	for _, r := range st.Agents {
		p := m.pairLocked(st.Key, r.AgentID)
		if alert == nil || r.Stale {
			m.hideTriggeredLocked(p)
			continue
		}
		if p.triggered == nil {
			p.triggered = m.agentTriggered.WithLabelValues(st.Key, r.AgentID)
		}
		p.triggered.Set(boolFloat(slices.Contains(r.Triggered, alert.AlertIndex)))
	}
	for agentID, p := range e.pairs {
		if !monitoredBy(st.Agents, agentID) {
			m.dropPairLocked(p)
		}
	}
}

func (m *Metrics) setAlertLocked(key string, e *endpointEntry, q *state.QuorumStatus) {
	if e.alert == nil {
		e.alert = &alertGauges{
			firing:      m.alertFiring.WithLabelValues(key),
			degraded:    m.degraded.WithLabelValues(key),
			triggered:   m.triggeredAgents.WithLabelValues(key),
			quorum:      m.agentQuorum.WithLabelValues(key),
			cannotReach: m.cannotReachQuorum.WithLabelValues(key),
		}
	}
	e.alert.firing.Set(boolFloat(q.Firing))
	e.alert.degraded.Set(boolFloat(q.Degraded))
	e.alert.triggered.Set(float64(q.Triggered))
	e.alert.quorum.Set(float64(q.Quorum))
	e.alert.cannotReach.Set(boolFloat(q.CannotReachQuorum))
}

func (m *Metrics) dropAlertLocked(key string, e *endpointEntry) {
	if e.alert == nil {
		return
	}
	for _, v := range []*prometheus.GaugeVec{m.alertFiring, m.degraded, m.triggeredAgents, m.agentQuorum, m.cannotReachQuorum} {
		v.DeleteLabelValues(key)
	}
	e.alert = nil
}

func monitoredBy(runs []state.AgentRun, agentID string) bool {
	for _, r := range runs {
		if r.AgentID == agentID {
			return true
		}
	}
	return false
}

// SetAgent sets the agent's liveness gauges. When the agent turns stale,
// its per-endpoint success and triggered series are removed: its last
// verdicts are unknown now, and a dashboard must not show them as current.
// Its next result brings the success series back, and the next
// SetEndpoint the triggered one.
func (m *Metrics) SetAgent(st state.AgentStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()

	a := m.agentLocked(st.ID)
	if a.staleGauge == nil {
		a.staleGauge = m.stale.WithLabelValues(st.ID)
		for _, r := range agentReasons {
			m.rejected.WithLabelValues(st.ID, r)
		}
	}
	a.staleGauge.Set(boolFloat(st.Stale))

	if st.LastSeen.IsZero() {
		if a.lastSeenGauge != nil {
			m.lastSeen.DeleteLabelValues(st.ID)
			a.lastSeenGauge = nil
		}
	} else {
		if a.lastSeenGauge == nil {
			a.lastSeenGauge = m.lastSeen.WithLabelValues(st.ID)
		}
		a.lastSeenGauge.Set(unixSeconds(st.LastSeen))
	}

	// Only on the transition: a result that arrived since the caller took
	// st means the agent is back, and its series must stay.
	if st.Stale && !a.isStale {
		for _, p := range a.pairs {
			m.hideUnknownLocked(p)
		}
	}
	a.isStale = st.Stale
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
