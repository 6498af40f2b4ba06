package state

import "time"

// EndpointStatus is the current state of one endpoint, for metrics and APIs.
type EndpointStatus struct {
	Key           string
	Checksum      string
	InMaintenance bool
	// Agents are the monitored-by agents in config order.
	Agents []AgentRun
	// Alerts are the enabled alerts in config order.
	Alerts []QuorumStatus
}

// AgentRun is one agent's runs for an endpoint.
type AgentRun struct {
	AgentID   string
	Stale     bool
	Failures  int
	Successes int
	// Triggered lists the alert indexes for which the agent is triggered.
	Triggered []int
}

// Observed reports whether the agent has sent a result for the endpoint
// since the state was created or reset.
func (r AgentRun) Observed() bool { return r.Failures > 0 || r.Successes > 0 }

// LastSuccess reports whether the agent's last result was a success (a
// success resets the failure run and a failure the success run).
func (r AgentRun) LastSuccess() bool { return r.Successes > 0 }

// QuorumStatus is one alert's quorum.
type QuorumStatus struct {
	AlertIndex  int
	AlertType   string
	Description string
	Firing      bool
	Degraded    bool
	// Suppressed: the quorum holds but maintenance holds the alert back.
	Suppressed bool
	// CannotReachQuorum: fewer agents report than the quorum needs.
	CannotReachQuorum bool
	Triggered         int
	Reporting         int
	Quorum            int
	Monitors          int
	FiredAt           time.Time
	LastNotifiedAt    time.Time
}

// AgentStatus is one agent's liveness.
type AgentStatus struct {
	ID         string
	LastSeen   time.Time // zero when never seen
	Stale      bool
	StaleAfter time.Duration
}

// Endpoint returns the status of one endpoint.
func (m *Machine) Endpoint(key string) (EndpointStatus, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ep, ok := m.endpoints[key]
	if !ok {
		return EndpointStatus{}, false
	}
	return ep.status(), true
}

// Endpoints returns the status of every endpoint, sorted by key.
func (m *Machine) Endpoints() []EndpointStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]EndpointStatus, 0, len(m.endpointOrder))
	for _, ep := range m.endpointOrder {
		out = append(out, ep.status())
	}
	return out
}

// Agents returns every agent's liveness, sorted by id.
func (m *Machine) Agents() []AgentStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]AgentStatus, 0, len(m.agentOrder))
	for _, a := range m.agentOrder {
		out = append(out, AgentStatus{ID: a.id, LastSeen: a.lastSeen, Stale: a.stale, StaleAfter: a.staleAfter})
	}
	return out
}

func (ep *endpointState) status() EndpointStatus {
	s := EndpointStatus{Key: ep.cfg.Key, Checksum: ep.cfg.Checksum, InMaintenance: ep.inMaint}
	for j, a := range ep.agents {
		r := ep.runs[j]
		s.Agents = append(s.Agents, AgentRun{
			AgentID:   a.id,
			Stale:     a.stale,
			Failures:  r.failures,
			Successes: r.successes,
			Triggered: ep.triggeredIndexes(j),
		})
	}
	for i := range ep.alerts {
		al := &ep.alerts[i]
		triggered, reporting, _ := ep.counts(i)
		s.Alerts = append(s.Alerts, QuorumStatus{
			AlertIndex:        al.cfg.Index,
			AlertType:         al.cfg.Type,
			Description:       al.cfg.Description,
			Firing:            al.firing,
			Degraded:          al.degraded,
			Suppressed:        !al.firing && ep.inMaint && triggered >= al.cfg.Quorum,
			CannotReachQuorum: reporting < al.cfg.Quorum,
			Triggered:         triggered,
			Reporting:         reporting,
			Quorum:            al.cfg.Quorum,
			Monitors:          len(ep.agents),
			FiredAt:           al.firedAt,
			LastNotifiedAt:    al.lastNotified,
		})
	}
	return s
}
