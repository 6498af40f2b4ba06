package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// Events returns the events of q, newest first: by time, then by the
// order they were stored.
func (r *Reader) Events(ctx context.Context, q EventQuery) ([]Event, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("events: limit %d must be positive", q.Limit)
	}
	if q.To.Before(q.From) {
		return nil, fmt.Errorf("events: time range ends (%s) before it starts (%s)", q.To, q.From)
	}
	var w where
	if len(q.EndpointKeys) > 0 {
		ids, _, err := r.endpointIDs(ctx, q.EndpointKeys)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		r.dialect.anyOf(&w, "ev.endpoint_id", ids)
	}
	if len(q.AgentIDs) > 0 {
		r.dialect.anyOf(&w, "ev.agent_id", q.AgentIDs)
	}
	if len(q.Types) > 0 {
		types := make([]string, len(q.Types))
		for i, t := range q.Types {
			types[i] = string(t)
		}
		r.dialect.anyOf(&w, "ev.event_type", types)
	}
	w.add("ev.event_timestamp >= ?", q.From.UTC())
	w.add("ev.event_timestamp <= ?", q.To.UTC())
	filter := w.String()
	limit := w.next()
	w.args = append(w.args, q.Limit)
	rs, err := r.d.query(ctx, `SELECT ev.endpoint_event_id, COALESCE(e.endpoint_key, ''), COALESCE(ev.agent_id, ''), ev.event_type, ev.event_timestamp, ev.details
		FROM endpoint_events ev LEFT JOIN endpoints e ON e.endpoint_id = ev.endpoint_id`+filter+`
		ORDER BY ev.event_timestamp DESC, ev.endpoint_event_id DESC LIMIT `+limit, w.args...)
	if err != nil {
		return nil, r.fail("read events", err)
	}
	defer rs.Close()
	var out []Event
	for rs.Next() {
		var e Event
		var typ string
		var ts anyTime
		var details []byte
		if err := rs.Scan(&e.ID, &e.EndpointKey, &e.AgentID, &typ, &ts, &details); err != nil {
			return nil, r.fail("read events", err)
		}
		e.Type, e.Time = EventType(typ), ts.t
		if len(details) > 0 {
			e.Details = json.RawMessage(details)
		}
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read events", err)
	}
	return out, nil
}
