package store

import (
	"encoding/json"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// LocalAgentID is the agent that results of an upgraded Gatus database, and
// endpoints without `monitored-by`, belong to.
const LocalAgentID = "local"

// Agent is one probing agent known to the central.
type Agent struct {
	ID       string
	Name     string
	LastSeen time.Time // zero when never seen
	// StaleAfter is how long the agent may stay silent before the central
	// counts it stale; zero when not recorded.
	StaleAfter time.Duration
}

// Endpoint is a monitored endpoint as Gatus keys it.
type Endpoint struct {
	Key   string
	Name  string
	Group string
	// ConfigurationChecksum identifies the endpoint's current configuration.
	ConfigurationChecksum string
}

// Result is one probe result of one endpoint by one agent. Body of the
// embedded result is never stored.
type Result struct {
	EndpointKey string
	// EndpointName and EndpointGroup name the endpoint when a result creates
	// it; when empty the key is used as name.
	EndpointName  string
	EndpointGroup string
	AgentID       string
	result.Result
}

// EventType is the kind of an event. Gatus's own types (START, HEALTHY,
// UNHEALTHY) appear in upgraded databases.
type EventType string

// Event types written by the quorum processor, then Gatus's.
const (
	EventFired           EventType = "FIRED"
	EventResolved        EventType = "RESOLVED"
	EventReminder        EventType = "REMINDER"
	EventDegraded        EventType = "DEGRADED"
	EventDegradedCleared EventType = "DEGRADED_CLEARED"
	EventAgentStale      EventType = "AGENT_STALE"
	EventAgentBack       EventType = "AGENT_BACK"
	EventAgentTriggered  EventType = "AGENT_TRIGGERED"
	EventAgentCleared    EventType = "AGENT_CLEARED"

	EventGatusStart     EventType = "START"
	EventGatusHealthy   EventType = "HEALTHY"
	EventGatusUnhealthy EventType = "UNHEALTHY"
)

// Event is one transition. EndpointKey and AgentID are empty when the event
// is not about an endpoint (an agent going stale) or not about one agent.
type Event struct {
	ID          int64 // set when read
	EndpointKey string
	AgentID     string
	Type        EventType
	Time        time.Time
	Details     json.RawMessage
}

// AgentRun is one agent's run of consecutive outcomes for one alert
// configuration of one endpoint; it is what restart recovery restores.
type AgentRun struct {
	EndpointKey           string
	ConfigurationChecksum string
	AgentID               string
	FailuresInARow        int
	SuccessesInARow       int
	Triggered             bool
	// Since is when Triggered last changed; zero when unknown.
	Since time.Time
	// ResolveKey is kept from Gatus's triggered rows for providers that
	// resolve incidents by key.
	ResolveKey string
	UpdatedAt  time.Time // set when read
}

// QuorumState is the K-of-M state of one alert of one endpoint.
type QuorumState struct {
	EndpointKey           string
	AlertIndex            int
	ConfigurationChecksum string
	Firing                bool
	Degraded              bool
	FiredAt               time.Time // zero when not firing
	LastReminderAt        time.Time // zero when no reminder was sent
	TriggeredCount        int
	ReportingCount        int
	// AgentQuorum is K and MonitorsCount is M (agents monitoring the
	// endpoint); zero in rows saved before schema version 8.
	AgentQuorum   int
	MonitorsCount int
	UpdatedAt     time.Time // set when read
}

// ResultFilter selects results; zero fields match everything.
type ResultFilter struct {
	EndpointKey string
	AgentID     string
	Since       time.Time // inclusive
	Until       time.Time // exclusive
	Success     *bool
}

// EventFilter selects events; zero fields match everything.
type EventFilter struct {
	EndpointKey string
	AgentID     string
	Types       []EventType
	Limit       int // 0: no limit; otherwise the most recent Limit events
}

// UptimeFilter selects the uptime buckets of one endpoint, or of one endpoint
// and agent when AgentID is set. From and To bound the hour (inclusive) and
// may be zero.
type UptimeFilter struct {
	EndpointKey string
	AgentID     string
	From, To    time.Time
}

// UptimeBucket is one hour of results of one endpoint (and agent).
type UptimeBucket struct {
	EndpointKey string
	AgentID     string // empty for the endpoint-wide bucket
	Hour        time.Time
	Total       int64
	Successful  int64
	// TotalResponseTime is stored in milliseconds, as Gatus does.
	TotalResponseTime time.Duration
}

// PruneStats counts the rows one Prune removed.
type PruneStats struct {
	Results int64
	Events  int64
	Uptimes int64
}
