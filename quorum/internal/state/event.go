package state

import "time"

// Kind is the kind of a transition.
type Kind uint8

// Transitions, in the order they can occur for one alert.
const (
	// AgentTriggered: an agent's failure run reached failure-threshold.
	AgentTriggered Kind = iota + 1
	// AgentCleared: a triggered agent's success run reached success-threshold.
	AgentCleared
	// Degraded: below quorum with at least one reporting agent triggered.
	Degraded
	// DegradedCleared: no longer degraded (healthy again, or about to fire).
	DegradedCleared
	// Fired: at least K reporting agents are triggered.
	Fired
	// Reminder: still firing after minimum-reminder-interval.
	Reminder
	// Resolved: fewer than K agents remain triggered.
	Resolved
	// AgentStale: an agent has been silent for its stale-after.
	AgentStale
	// AgentBack: a stale agent was heard from again.
	AgentBack
)

var kindNames = [...]string{
	AgentTriggered:  "agent_triggered",
	AgentCleared:    "agent_cleared",
	Degraded:        "degraded",
	DegradedCleared: "degraded_cleared",
	Fired:           "fired",
	Reminder:        "reminder",
	Resolved:        "resolved",
	AgentStale:      "agent_stale",
	AgentBack:       "agent_back",
}

// String is the kind in snake case, e.g. "fired" or "agent_stale".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one transition.
//
// AgentStale and AgentBack concern an agent as a whole: EndpointKey is empty
// and AlertIndex is -1. Every other kind concerns one alert of one endpoint
// and carries the counts right after the transition.
type Event struct {
	Kind Kind
	At   time.Time

	EndpointKey string
	// Checksum is the endpoint's configuration checksum.
	Checksum string
	// AgentID is set for AgentTriggered, AgentCleared, AgentStale, AgentBack.
	AgentID string

	// AlertIndex is the alert's position in the endpoint's alerts list.
	AlertIndex  int
	AlertType   string
	Description string

	// Triggered counts reporting agents that are triggered.
	Triggered int
	// Reporting counts agents that are not stale.
	Reporting int
	// Quorum is K, Monitors is M.
	Quorum   int
	Monitors int

	// SendOnResolved is the alert's send-on-resolved, set on Resolved:
	// whether a resolved notification is wanted.
	SendOnResolved bool
	// FiredAt is when the incident fired, set on Reminder and Resolved.
	FiredAt time.Time
}
