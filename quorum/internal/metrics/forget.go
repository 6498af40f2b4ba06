package metrics

import "github.com/prometheus/client_golang/prometheus"

// Forget drops every series of the given endpoints and agents, for
// endpoints and agents removed from the monitoring config. Without it their
// last values would be exported forever.
func (m *Metrics) Forget(endpointKeys []string, agentIDs []string) {
	m.mu.Lock()
	defer m.mu.Unlock()

	for _, key := range endpointKeys {
		if e := m.endpoints[key]; e != nil {
			for _, p := range e.pairs {
				m.dropPairLocked(p)
			}
			delete(m.endpoints, key)
		}
		labels := prometheus.Labels{labelEndpoint: key}
		for _, v := range m.endpointVecs() {
			v.DeletePartialMatch(labels)
		}
	}
	for _, id := range agentIDs {
		if a := m.agents[id]; a != nil {
			for _, p := range a.pairs {
				m.dropPairLocked(p)
			}
			delete(m.agents, id)
		}
		labels := prometheus.Labels{labelAgent: id}
		for _, v := range m.agentVecs() {
			v.DeletePartialMatch(labels)
		}
	}
}

func (m *Metrics) endpointVecs() []*prometheus.MetricVec {
	return []*prometheus.MetricVec{
		m.alertFiring.MetricVec, m.degraded.MetricVec, m.triggeredAgents.MetricVec,
		m.reportingAgents.MetricVec, m.agentQuorum.MetricVec, m.monitoringAgents.MetricVec,
		m.cannotReachQuorum.MetricVec, m.inMaintenance.MetricVec, m.transitions.MetricVec,
		m.agentSuccess.MetricVec, m.agentTriggered.MetricVec, m.certificateExpiry.MetricVec,
		m.results.MetricVec, m.duration.MetricVec,
	}
}

func (m *Metrics) agentVecs() []*prometheus.MetricVec {
	return []*prometheus.MetricVec{
		m.agentSuccess.MetricVec, m.agentTriggered.MetricVec, m.certificateExpiry.MetricVec,
		m.results.MetricVec, m.duration.MetricVec, m.lastSeen.MetricVec, m.stale.MetricVec, m.rejected.MetricVec,
	}
}
