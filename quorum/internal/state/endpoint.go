package state

import "time"

// endpointState is the state of one endpoint: a run per monitoring agent
// and a quorum per enabled alert.
type endpointState struct {
	cfg     EndpointConfig
	agents  []*agentState // monitored-by, parallel to runs
	runs    []run
	alerts  []alertState
	inMaint bool // last maintenance status the caller gave
}

// run is one agent's view of one endpoint.
type run struct {
	failures  int
	successes int
	triggered []bool // per alert, parallel to endpointState.alerts
}

type alertState struct {
	cfg          AlertConfig
	firing       bool
	degraded     bool
	firedAt      time.Time
	lastNotified time.Time // last Fired or Reminder
}

func newEndpointState(cfg EndpointConfig, agents map[string]*agentState) *endpointState {
	ep := &endpointState{cfg: cfg, runs: make([]run, len(cfg.Agents)), alerts: make([]alertState, len(cfg.Alerts))}
	for _, id := range cfg.Agents {
		ep.agents = append(ep.agents, agents[id])
	}
	for j := range ep.runs {
		ep.runs[j].triggered = make([]bool, len(cfg.Alerts))
	}
	for i, a := range cfg.Alerts {
		ep.alerts[i].cfg = a
	}
	return ep
}

func (ep *endpointState) agentIndex(id string) int {
	for j, a := range ep.agents {
		if a.id == id {
			return j
		}
	}
	return -1
}

func (ep *endpointState) alertPosition(index int) int {
	for i := range ep.alerts {
		if ep.alerts[i].cfg.Index == index {
			return i
		}
	}
	return -1
}

// record applies one result of agent j to its runs, the way Gatus's
// handleAlertsToTrigger and handleAlertsToResolve do for one endpoint.
func (ep *endpointState) record(j int, success bool, at time.Time, events []Event) []Event {
	r := &ep.runs[j]
	if !success {
		r.successes = 0
		r.failures++
		for i := range ep.alerts {
			if !r.triggered[i] && r.failures >= ep.alerts[i].cfg.FailureThreshold {
				r.triggered[i] = true
				events = append(events, ep.event(AgentTriggered, i, at, ep.agents[j].id))
			}
		}
		return events
	}
	r.successes++
	for i := range ep.alerts {
		if r.triggered[i] && r.successes >= ep.alerts[i].cfg.SuccessThreshold {
			r.triggered[i] = false
			events = append(events, ep.event(AgentCleared, i, at, ep.agents[j].id))
		}
	}
	// Gatus resets the failure run after handling the success.
	r.failures = 0
	return events
}

// counts returns, for alert i, the triggered agents that report, the agents
// that report, and the triggered agents including stale ones (whose last
// verdict holds an incident open).
func (ep *endpointState) counts(i int) (triggered, reporting, held int) {
	for j, a := range ep.agents {
		t := ep.runs[j].triggered[i]
		if t {
			held++
		}
		if a.stale {
			continue
		}
		reporting++
		if t {
			triggered++
		}
	}
	return triggered, reporting, held
}

// evaluate checks every alert's quorum at time now. reminder is the index
// of the agent whose failed result is being handled (reminders are only
// due on a failed result), or -1.
func (ep *endpointState) evaluate(now time.Time, reminder int, events []Event) []Event {
	for i := range ep.alerts {
		events = ep.evaluateAlert(i, now, reminder, events)
	}
	return events
}

func (ep *endpointState) evaluateAlert(i int, now time.Time, reminder int, events []Event) []Event {
	al := &ep.alerts[i]
	k := al.cfg.Quorum
	triggered, _, held := ep.counts(i)
	switch {
	case !al.firing && triggered >= k && !ep.inMaint:
		if al.degraded {
			al.degraded = false
			events = append(events, ep.event(DegradedCleared, i, now, ""))
		}
		al.firing, al.firedAt, al.lastNotified = true, now, now
		return append(events, ep.event(Fired, i, now, ""))
	case al.firing && held < k && !ep.inMaint:
		e := ep.event(Resolved, i, now, "")
		e.SendOnResolved = al.cfg.SendOnResolved
		events = append(events, e)
		al.firing, al.firedAt, al.lastNotified = false, time.Time{}, time.Time{}
	case al.firing && ep.reminderDue(i, now, reminder, triggered):
		al.lastNotified = now
		events = append(events, ep.event(Reminder, i, now, ""))
	}
	if degraded := !al.firing && triggered > 0 && triggered < k; degraded != al.degraded {
		al.degraded = degraded
		kind := DegradedCleared
		if degraded {
			kind = Degraded
		}
		events = append(events, ep.event(kind, i, now, ""))
	}
	return events
}

func (ep *endpointState) reminderDue(i int, now time.Time, agent, triggered int) bool {
	al := &ep.alerts[i]
	return agent >= 0 &&
		!ep.inMaint &&
		al.cfg.MinimumReminderInterval > 0 &&
		triggered >= al.cfg.Quorum &&
		ep.runs[agent].failures >= al.cfg.FailureThreshold &&
		now.Sub(al.lastNotified) >= al.cfg.MinimumReminderInterval
}

// event describes a transition of alert i with the counts as they are now.
func (ep *endpointState) event(kind Kind, i int, at time.Time, agentID string) Event {
	al := &ep.alerts[i]
	triggered, reporting, _ := ep.counts(i)
	e := Event{
		Kind:        kind,
		At:          at,
		EndpointKey: ep.cfg.Key,
		Checksum:    ep.cfg.Checksum,
		AgentID:     agentID,
		AlertIndex:  al.cfg.Index,
		AlertType:   al.cfg.Type,
		Description: al.cfg.Description,
		Triggered:   triggered,
		Reporting:   reporting,
		Quorum:      al.cfg.Quorum,
		Monitors:    len(ep.agents),
	}
	if kind == Reminder || kind == Resolved {
		e.FiredAt = al.firedAt
	}
	return e
}
