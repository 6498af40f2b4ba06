package engine

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// Transition is one state.Event with the endpoint's name and group, for
// people reading it downstream.
type Transition struct {
	state.Event
	// EndpointName and EndpointGroup are empty for agent-wide events.
	EndpointName  string
	EndpointGroup string
}

// Sink receives transitions, in order, on the goroutine that caused them
// (an Ingest caller or the ticker). It must not call back into the engine
// synchronously with Subscribe or Unsubscribe.
type Sink func(ctx context.Context, transitions []Transition)

// Subscribe adds a sink and returns the function that removes it. Every
// sink receives every transition.
func (e *Engine) Subscribe(s Sink) (unsubscribe func()) {
	e.subsMu.Lock()
	defer e.subsMu.Unlock()
	id := e.nextSub
	e.nextSub++
	e.subs[id] = s
	return func() {
		e.subsMu.Lock()
		defer e.subsMu.Unlock()
		delete(e.subs, id)
	}
}

// deliver sends transitions to the sinks, after the caller's commit
// wrote the state of the endpoints concerned and the events, so that a
// restart right after a Fired restores firing and does not fire again. A
// failed commit is logged; the transitions are still delivered (losing the
// alert would be worse than a second one after a crash).
func (e *Engine) deliver(ctx context.Context, mc *monitoring.Config, events []state.Event, commitErr error) {
	if len(events) == 0 {
		return
	}
	if commitErr != nil {
		e.logger.Error("Storing transitions and the quorum state failed; the state is retried at the next tick",
			zap.Int("events", len(events)), zap.Error(commitErr))
	}
	ts := make([]Transition, len(events))
	for i, ev := range events {
		ts[i] = Transition{Event: ev}
		if ep, ok := mc.Endpoint(ev.EndpointKey); ok {
			ts[i].EndpointName, ts[i].EndpointGroup = ep.Name, ep.Group
		}
	}
	e.subsMu.RLock()
	sinks := make([]Sink, 0, len(e.subs))
	for _, s := range e.subs {
		sinks = append(sinks, s)
	}
	e.subsMu.RUnlock()
	for _, s := range sinks {
		s(ctx, ts)
	}
}

// eventDetails is the JSON stored with an event.
type eventDetails struct {
	Checksum       string     `json:"checksum,omitempty"`
	AlertIndex     *int       `json:"alert_index,omitempty"`
	AlertType      string     `json:"alert_type,omitempty"`
	Description    string     `json:"description,omitempty"`
	Triggered      int        `json:"triggered"`
	Reporting      int        `json:"reporting"`
	Quorum         int        `json:"quorum,omitempty"`
	Monitors       int        `json:"monitors,omitempty"`
	SendOnResolved bool       `json:"send_on_resolved,omitempty"`
	FiredAt        *time.Time `json:"fired_at,omitempty"`
}

// EventType is the stored type of a transition kind: the kind in upper
// case, e.g. FIRED or AGENT_STALE.
func EventType(k state.Kind) store.EventType {
	return store.EventType(strings.ToUpper(k.String()))
}

func storeEvents(events []state.Event) []store.Event {
	out := make([]store.Event, len(events))
	for i, ev := range events {
		d := eventDetails{Checksum: ev.Checksum, AlertType: ev.AlertType, Description: ev.Description,
			Triggered: ev.Triggered, Reporting: ev.Reporting, Quorum: ev.Quorum, Monitors: ev.Monitors,
			SendOnResolved: ev.SendOnResolved}
		if ev.AlertIndex >= 0 && ev.EndpointKey != "" {
			d.AlertIndex = &ev.AlertIndex
		}
		if !ev.FiredAt.IsZero() {
			d.FiredAt = &ev.FiredAt
		}
		details, _ := json.Marshal(d) // plain values: cannot fail
		out[i] = store.Event{EndpointKey: ev.EndpointKey, AgentID: ev.AgentID, Type: EventType(ev.Kind), Time: ev.At, Details: details}
	}
	return out
}
