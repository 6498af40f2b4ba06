package monitoring

import (
	"slices"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/endpoint"
)

// LocalAgentID is the agent an endpoint without monitored-by is assigned to.
const LocalAgentID = "local"

// Defaults of the keys Quorate adds to Gatus's syntax, and Gatus's own
// alert defaults.
const (
	DefaultRatePerSecond       = 50.0
	MinDefaultStaleAfter       = 5 * time.Minute
	StaleAfterIntervals        = 3
	DefaultFailureThreshold    = 3
	DefaultSuccessThreshold    = 2
	DefaultAgentQuorum         = 1
	MinMinimumReminderInterval = 5 * time.Minute
)

// Config is one loaded, validated monitoring config. It is immutable once
// returned: share it freely and swap a whole new one on reload.
type Config struct {
	// Agents are the declared agents in file order, then the implicit local
	// agent when one is needed.
	Agents []Agent
	// Endpoints are in file order, disabled ones included.
	Endpoints []Endpoint
	// Maintenance is the global maintenance window; nil when absent.
	Maintenance *Maintenance
	// Unused lists, sorted, the keys Quorate accepts but does not act on
	// (for example alerting.slack, ui, storage). Log it once.
	Unused []string

	agentIndex    map[string]int
	endpointIndex map[string]int
	assigned      map[string]map[string]bool // agent id -> endpoint keys
	assignments   map[string][]endpoint.Endpoint
	assignSums    map[string]string
	endpointSums  map[string]string
}

// Agent is one agent allowed to push results.
type Agent struct {
	ID   string
	Name string
	// Token authenticates the agent. It prints as [REDACTED]; convert it to
	// string only to compare it (in constant time).
	Token configopaque.String
	// InProcess is true for a local agent without a token: only the
	// central's own probe receiver may report as it.
	InProcess bool
	// Implicit is true when the config defined local because an endpoint
	// uses it and the agents list does not declare it.
	Implicit bool
	// RatePerSecond is how many requests per second the central accepts
	// from this agent.
	RatePerSecond float64
	// StaleAfter is how long the agent may stay silent before it counts as
	// stale (neither triggered nor healthy).
	StaleAfter time.Duration
}

// Endpoint is a Gatus endpoint plus the agents that monitor it. The embedded
// endpoint.Endpoint is the probe spec; its Alerts and MaintenanceWindows
// fields stay empty, the typed ones below replace them.
type Endpoint struct {
	endpoint.Endpoint
	// MonitoredBy are the ids of the agents that probe this endpoint.
	MonitoredBy []string
	// Alerts in file order; an alert's index here is its identity.
	Alerts []Alert
	// MaintenanceWindows suppress this endpoint's alerts.
	MaintenanceWindows []Maintenance
}

// Alert is a Gatus alert with its defaults applied, plus agent-quorum.
type Alert struct {
	// Type is the Gatus provider name (slack, pagerduty, ...): a label only.
	Type                    string
	Enabled                 bool
	FailureThreshold        int
	SuccessThreshold        int
	SendOnResolved          bool
	MinimumReminderInterval time.Duration
	Description             string
	// AgentQuorum is K: how many agents must be triggered at once to fire.
	AgentQuorum int
}

// Agent returns the agent with that id.
func (c *Config) Agent(id string) (*Agent, bool) {
	i, ok := c.agentIndex[id]
	if !ok {
		return nil, false
	}
	return &c.Agents[i], true
}

// Endpoint returns the endpoint with that Gatus key.
func (c *Config) Endpoint(key string) (*Endpoint, bool) {
	i, ok := c.endpointIndex[key]
	if !ok {
		return nil, false
	}
	return &c.Endpoints[i], true
}

// IsAssigned reports whether the agent probes the (enabled) endpoint, that
// is whether a result from it for that endpoint is acceptable.
func (c *Config) IsAssigned(agentID, endpointKey string) bool {
	return c.assigned[agentID][endpointKey]
}

// Monitors reports whether the endpoint lists the agent in monitored-by.
func (e *Endpoint) Monitors(agentID string) bool {
	return slices.Contains(e.MonitoredBy, agentID)
}

// InMaintenance reports whether alerts of the endpoint are suppressed at t,
// by the global maintenance window or one of the endpoint's own.
func (c *Config) InMaintenance(endpointKey string, t time.Time) bool {
	if c.Maintenance.Active(t) {
		return true
	}
	ep, ok := c.Endpoint(endpointKey)
	if !ok {
		return false
	}
	for i := range ep.MaintenanceWindows {
		if ep.MaintenanceWindows[i].Active(t) {
			return true
		}
	}
	return false
}
