package state

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors of Observe, for results the processor should have rejected.
var (
	ErrUnknownEndpoint = errors.New("unknown endpoint")
	ErrNotMonitored    = errors.New("agent does not monitor the endpoint")
	ErrUnknownAgent    = errors.New("unknown agent")
)

// Machine is the quorum state of every endpoint and agent. It is safe for
// concurrent use; calls are serialised.
type Machine struct {
	mu        sync.Mutex
	agents    map[string]*agentState
	endpoints map[string]*endpointState
	// Sorted by id and key, so Tick emits events in a stable order.
	agentOrder    []*agentState
	endpointOrder []*endpointState
}

type agentState struct {
	id         string
	staleAfter time.Duration
	lastSeen   time.Time // last result or Touch; zero when never seen
	graceFrom  time.Time // when the silence clock started, if after lastSeen
	needsGrace bool      // start the clock at the next Tick
	stale      bool
	endpoints  []*endpointState
}

// Observation is one result as the quorum sees it.
type Observation struct {
	EndpointKey string
	AgentID     string
	Success     bool
	// At is when the central received the result: it is the agent's last
	// seen time and the time of the events.
	At time.Time
	// InMaintenance tells whether the endpoint is in a maintenance window at At.
	InMaintenance bool
}

// New returns a machine running cfg.
func New(cfg Config) (*Machine, error) {
	m := &Machine{agents: map[string]*agentState{}, endpoints: map[string]*endpointState{}}
	if _, err := m.Apply(cfg); err != nil {
		return nil, err
	}
	return m, nil
}

// Observe feeds one result and returns the transitions it caused, in order.
// A result from a stale agent first brings it back (AgentBack), and every
// endpoint it monitors is evaluated again.
func (m *Machine) Observe(o Observation) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ep, ok := m.endpoints[o.EndpointKey]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownEndpoint, o.EndpointKey)
	}
	j := ep.agentIndex(o.AgentID)
	if j < 0 {
		return nil, fmt.Errorf("%w: agent %q, endpoint %q", ErrNotMonitored, o.AgentID, o.EndpointKey)
	}
	a := ep.agents[j]
	var events []Event
	back := a.seen(o.At)
	if back {
		events = append(events, agentEvent(AgentBack, a, o.At))
	}
	ep.inMaint = o.InMaintenance
	events = ep.record(j, o.Success, o.At, events)
	reminder := -1
	if !o.Success {
		reminder = j
	}
	events = ep.evaluate(o.At, reminder, events)
	if back {
		events = a.evaluateOthers(ep, o.At, events)
	}
	return events, nil
}

// Touch records that an agent was heard from without a result (for
// example it fetched its assignments). It brings a stale agent back.
func (m *Machine) Touch(agentID string, at time.Time) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.agents[agentID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownAgent, agentID)
	}
	if !a.seen(at) {
		return nil, nil
	}
	return a.evaluateOthers(nil, at, []Event{agentEvent(AgentBack, a, at)}), nil
}

// Tick marks agents silent for their stale-after as stale and evaluates
// every alert at now: it is how staleness and the end of a maintenance
// window take effect without a new result. inMaintenance tells whether an
// endpoint is in maintenance at now; nil means never. Call it regularly,
// for example every few seconds.
func (m *Machine) Tick(now time.Time, inMaintenance func(endpointKey string) bool) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var events []Event
	for _, a := range m.agentOrder {
		if a.needsGrace {
			a.graceFrom, a.needsGrace = now, false
		}
		if !a.stale && now.Sub(a.silentSince()) >= a.staleAfter {
			a.stale = true
			events = append(events, agentEvent(AgentStale, a, now))
		}
	}
	for _, ep := range m.endpointOrder {
		ep.inMaint = inMaintenance != nil && inMaintenance(ep.cfg.Key)
		events = ep.evaluate(now, -1, events)
	}
	return events
}

// seen records contact at t and reports whether the agent was stale.
func (a *agentState) seen(t time.Time) bool {
	if t.After(a.lastSeen) {
		a.lastSeen = t
	}
	back := a.stale
	a.stale = false
	return back
}

// silentSince is when the agent was last heard from, or when its grace
// period started if that is later.
func (a *agentState) silentSince() time.Time {
	if a.graceFrom.After(a.lastSeen) {
		return a.graceFrom
	}
	return a.lastSeen
}

// evaluateOthers evaluates the endpoints of a other than skip, whose counts
// changed because a's staleness did.
func (a *agentState) evaluateOthers(skip *endpointState, at time.Time, events []Event) []Event {
	for _, ep := range a.endpoints {
		if ep != skip {
			events = ep.evaluate(at, -1, events)
		}
	}
	return events
}

func agentEvent(kind Kind, a *agentState, at time.Time) Event {
	return Event{Kind: kind, At: at, AgentID: a.id, AlertIndex: -1}
}

// Changes lists what Apply did, each list sorted.
type Changes struct {
	// Added endpoints had no state before.
	Added []string
	// Removed endpoints' state was dropped.
	Removed []string
	// Reset endpoints changed checksum: their runs and alert state restarted.
	Reset []string
	// AgentsAdded and AgentsRemoved are agent ids.
	AgentsAdded   []string
	AgentsRemoved []string
}

// Apply switches to a new configuration. State of endpoints whose checksum
// is unchanged is kept; see the package comment. It emits no events: an
// endpoint that was firing and is reset or removed simply stops, as in Gatus.
func (m *Machine) Apply(cfg Config) (Changes, error) {
	if err := cfg.validate(); err != nil {
		return Changes{}, fmt.Errorf("quorum state config: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var ch Changes

	agents := make(map[string]*agentState, len(cfg.Agents))
	for _, ac := range cfg.Agents {
		a, ok := m.agents[ac.ID]
		if !ok {
			a = &agentState{id: ac.ID, needsGrace: true}
			ch.AgentsAdded = append(ch.AgentsAdded, ac.ID)
		}
		a.staleAfter = ac.StaleAfter
		a.endpoints = nil
		agents[ac.ID] = a
	}
	for id := range m.agents {
		if _, ok := agents[id]; !ok {
			ch.AgentsRemoved = append(ch.AgentsRemoved, id)
		}
	}

	endpoints := make(map[string]*endpointState, len(cfg.Endpoints))
	for _, ec := range cfg.Endpoints {
		old, existed := m.endpoints[ec.Key]
		var ep *endpointState
		switch {
		case existed && sameEndpoint(old.cfg, ec):
			ep = old
			ep.cfg = ec
		case existed:
			ep = newEndpointState(ec, agents)
			ch.Reset = append(ch.Reset, ec.Key)
		default:
			ep = newEndpointState(ec, agents)
			ch.Added = append(ch.Added, ec.Key)
		}
		for _, a := range ep.agents {
			a.endpoints = append(a.endpoints, ep)
		}
		endpoints[ec.Key] = ep
	}
	for key := range m.endpoints {
		if _, ok := endpoints[key]; !ok {
			ch.Removed = append(ch.Removed, key)
		}
	}

	m.agents, m.endpoints = agents, endpoints
	m.agentOrder = sortedValues(agents, func(a *agentState) string { return a.id })
	m.endpointOrder = sortedValues(endpoints, func(e *endpointState) string { return e.cfg.Key })
	for _, list := range [][]string{ch.Added, ch.Removed, ch.Reset, ch.AgentsAdded, ch.AgentsRemoved} {
		slices.Sort(list)
	}
	return ch, nil
}

// sameEndpoint reports whether state built for a can serve b. The checksum
// decides; agents and alerts are compared too so that a hand-built config
// with a stale checksum cannot break the parallel slices.
func sameEndpoint(a, b EndpointConfig) bool {
	return a.Checksum == b.Checksum &&
		slices.Equal(a.Agents, b.Agents) &&
		slices.Equal(a.Alerts, b.Alerts)
}

func sortedValues[T any](m map[string]T, key func(T) string) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out
}
