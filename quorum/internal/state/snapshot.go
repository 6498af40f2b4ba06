package state

import "time"

// Snapshot is the machine's state as plain values, for storage. Endpoints
// and agents are in key and id order.
type Snapshot struct {
	Agents []AgentSnapshot
	Runs   []RunSnapshot
	Alerts []AlertSnapshot
}

// AgentSnapshot is one agent's liveness.
type AgentSnapshot struct {
	AgentID  string
	LastSeen time.Time // zero when never seen
	Stale    bool
}

// RunSnapshot is one (endpoint, agent) pair that has seen results.
type RunSnapshot struct {
	EndpointKey string
	Checksum    string
	AgentID     string
	Failures    int
	Successes   int
	// Triggered lists the alert indexes for which the agent is triggered.
	Triggered []int
}

// AlertSnapshot is one alert quorum.
type AlertSnapshot struct {
	EndpointKey    string
	Checksum       string
	AlertIndex     int
	Firing         bool
	Degraded       bool
	FiredAt        time.Time
	LastNotifiedAt time.Time
}

// Snapshot copies the current state.
func (m *Machine) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s Snapshot
	for _, a := range m.agentOrder {
		s.Agents = append(s.Agents, AgentSnapshot{AgentID: a.id, LastSeen: a.lastSeen, Stale: a.stale})
	}
	for _, ep := range m.endpointOrder {
		for j, r := range ep.runs {
			if r.failures == 0 && r.successes == 0 && !anyTrue(r.triggered) {
				continue
			}
			s.Runs = append(s.Runs, RunSnapshot{
				EndpointKey: ep.cfg.Key,
				Checksum:    ep.cfg.Checksum,
				AgentID:     ep.agents[j].id,
				Failures:    r.failures,
				Successes:   r.successes,
				Triggered:   ep.triggeredIndexes(j),
			})
		}
		for _, al := range ep.alerts {
			s.Alerts = append(s.Alerts, AlertSnapshot{
				EndpointKey:    ep.cfg.Key,
				Checksum:       ep.cfg.Checksum,
				AlertIndex:     al.cfg.Index,
				Firing:         al.firing,
				Degraded:       al.degraded,
				FiredAt:        al.firedAt,
				LastNotifiedAt: al.lastNotified,
			})
		}
	}
	return s
}

// Restore loads a snapshot into a machine that already runs the current
// config (New or Apply first). Entries whose endpoint, checksum, agent or
// alert no longer exist are dropped, as Gatus drops triggered alerts whose
// configuration changed. Agents get a fresh stale-after grace from the next
// Tick; those stale in the snapshot stay stale until heard from. Restore
// emits nothing: an incident that was firing keeps firing without a second
// Fired. It returns how many entries were applied and dropped.
func (m *Machine) Restore(s Snapshot) (applied, dropped int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, as := range s.Agents {
		a, ok := m.agents[as.AgentID]
		if !ok {
			dropped++
			continue
		}
		a.lastSeen, a.stale, a.needsGrace = as.LastSeen, as.Stale, true
		applied++
	}
	for _, rs := range s.Runs {
		ep, ok := m.endpoints[rs.EndpointKey]
		j := -1
		if ok && ep.cfg.Checksum == rs.Checksum {
			j = ep.agentIndex(rs.AgentID)
		}
		if j < 0 {
			dropped++
			continue
		}
		r := &ep.runs[j]
		r.failures, r.successes = rs.Failures, rs.Successes
		clear(r.triggered)
		for _, index := range rs.Triggered {
			if i := ep.alertPosition(index); i >= 0 {
				r.triggered[i] = true
			}
		}
		applied++
	}
	for _, as := range s.Alerts {
		ep, ok := m.endpoints[as.EndpointKey]
		i := -1
		if ok && ep.cfg.Checksum == as.Checksum {
			i = ep.alertPosition(as.AlertIndex)
		}
		if i < 0 {
			dropped++
			continue
		}
		al := &ep.alerts[i]
		al.firing, al.degraded, al.firedAt, al.lastNotified = as.Firing, as.Degraded, as.FiredAt, as.LastNotifiedAt
		applied++
	}
	return applied, dropped
}

func (ep *endpointState) triggeredIndexes(j int) []int {
	var out []int
	for i, t := range ep.runs[j].triggered {
		if t {
			out = append(out, ep.alerts[i].cfg.Index)
		}
	}
	return out
}

func anyTrue(bs []bool) bool {
	for _, b := range bs {
		if b {
			return true
		}
	}
	return false
}
