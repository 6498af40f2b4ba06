package store

import (
	"encoding/json"
	"time"
)

// The central and the plugin's Reader read agents and events with the same
// columns and scanners, so both see a row the same way.

const agentColumns = `agent_id, agent_name, last_seen, stale_after_ms`

func scanAgent(rs rows) (Agent, error) {
	var a Agent
	var seen anyTime
	var staleMS int64
	if err := rs.Scan(&a.ID, &a.Name, &seen, &staleMS); err != nil {
		return Agent{}, err
	}
	if seen.valid {
		a.LastSeen = seen.t
	}
	a.StaleAfter = time.Duration(staleMS) * time.Millisecond
	return a, nil
}

// eventsFrom selects events with their endpoint key; callers add WHERE,
// ORDER BY and LIMIT.
const eventsFrom = `SELECT ev.endpoint_event_id, COALESCE(e.endpoint_key, ''), COALESCE(ev.agent_id, ''), ev.event_type, ev.event_timestamp, ev.details
		FROM endpoint_events ev LEFT JOIN endpoints e ON e.endpoint_id = ev.endpoint_id`

func scanEvent(rs rows) (Event, error) {
	var e Event
	var typ string
	var ts anyTime
	var details []byte
	if err := rs.Scan(&e.ID, &e.EndpointKey, &e.AgentID, &typ, &ts, &details); err != nil {
		return Event{}, err
	}
	e.Type, e.Time = EventType(typ), ts.t
	if len(details) > 0 {
		e.Details = json.RawMessage(details)
	}
	return e, nil
}
