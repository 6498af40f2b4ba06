package monitoring

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/quorate/quorate/internal/endpoint"
)

// Assignments is the slim probe spec of the enabled endpoints the agent
// monitors, sorted by endpoint key: no alerts, no maintenance windows, no
// tokens. It is nil for an unknown agent. Treat the result as read-only.
func (c *Config) Assignments(agentID string) []endpoint.Endpoint {
	list, ok := c.assignments[agentID]
	if !ok {
		return nil
	}
	return slices.Clone(list)
}

// AssignmentsChecksum is the hex SHA-256 of the canonical JSON of
// Assignments(agentID): equal across reloads when nothing the agent probes
// changed, so it serves as an ETag. Empty for an unknown agent.
func (c *Config) AssignmentsChecksum(agentID string) string {
	return c.assignSums[agentID]
}

// EndpointChecksum identifies an endpoint's configuration as far as alerting
// is concerned: its probe spec, its alerts and its monitored-by (in any
// order). It changes when any of them changes, not when a maintenance
// window does. Empty for an unknown key.
func (c *Config) EndpointChecksum(key string) string {
	return c.endpointSums[key]
}

// endpointIdentity is what EndpointChecksum hashes.
type endpointIdentity struct {
	Spec        endpoint.Endpoint `json:"spec"`
	MonitoredBy []string          `json:"monitored-by"`
	Alerts      []alertIdentity   `json:"alerts"`
}

// alertIdentity pins the JSON names, so a refactor of Alert does not change
// persisted checksums.
type alertIdentity struct {
	Type                    string `json:"type"`
	Enabled                 bool   `json:"enabled"`
	FailureThreshold        int    `json:"failure-threshold"`
	SuccessThreshold        int    `json:"success-threshold"`
	SendOnResolved          bool   `json:"send-on-resolved"`
	MinimumReminderInterval int64  `json:"minimum-reminder-interval-ns"`
	Description             string `json:"description"`
	AgentQuorum             int    `json:"agent-quorum"`
}

// index builds the lookups and checksums once, so that reads need no lock.
func (c *Config) index() error {
	c.agentIndex = make(map[string]int, len(c.Agents))
	c.assigned = make(map[string]map[string]bool, len(c.Agents))
	c.assignments = make(map[string][]endpoint.Endpoint, len(c.Agents))
	for i, a := range c.Agents {
		c.agentIndex[a.ID] = i
		c.assigned[a.ID] = map[string]bool{}
		c.assignments[a.ID] = []endpoint.Endpoint{}
	}

	c.endpointIndex = make(map[string]int, len(c.Endpoints))
	c.endpointSums = make(map[string]string, len(c.Endpoints))
	order := make([]int, len(c.Endpoints))
	for i := range c.Endpoints {
		c.endpointIndex[c.Endpoints[i].Key()] = i
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return c.Endpoints[order[a]].Key() < c.Endpoints[order[b]].Key() })

	for _, i := range order {
		ep := &c.Endpoints[i]
		spec := slim(ep)
		sum, err := checksum(endpointIdentity{Spec: spec, MonitoredBy: sortedCopy(ep.MonitoredBy), Alerts: identities(ep.Alerts)})
		if err != nil {
			return fmt.Errorf("checksum of endpoint %q: %w", ep.Key(), err)
		}
		c.endpointSums[ep.Key()] = sum
		if !ep.IsEnabled() {
			continue
		}
		for _, id := range ep.MonitoredBy {
			c.assigned[id][ep.Key()] = true
			c.assignments[id] = append(c.assignments[id], spec)
		}
	}

	c.assignSums = make(map[string]string, len(c.Agents))
	for id, list := range c.assignments {
		sum, err := checksum(list)
		if err != nil {
			return fmt.Errorf("checksum of agent %q's assignments: %w", id, err)
		}
		c.assignSums[id] = sum
	}
	return nil
}

// slim is the probe spec an agent needs, without the central's keys.
func slim(ep *Endpoint) endpoint.Endpoint {
	s := ep.Endpoint
	s.Alerts = nil
	s.MaintenanceWindows = nil
	return s
}

func identities(alerts []Alert) []alertIdentity {
	out := make([]alertIdentity, len(alerts))
	for i, a := range alerts {
		out[i] = alertIdentity{
			Type:                    a.Type,
			Enabled:                 a.Enabled,
			FailureThreshold:        a.FailureThreshold,
			SuccessThreshold:        a.SuccessThreshold,
			SendOnResolved:          a.SendOnResolved,
			MinimumReminderInterval: int64(a.MinimumReminderInterval),
			Description:             a.Description,
			AgentQuorum:             a.AgentQuorum,
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// checksum hashes the JSON of v. encoding/json sorts map keys, so equal
// values give equal bytes.
func checksum(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
