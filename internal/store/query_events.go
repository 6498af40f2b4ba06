package store

import (
	"context"
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
	rs, err := r.d.query(ctx, eventsFrom+filter+`
		ORDER BY ev.event_timestamp DESC, ev.endpoint_event_id DESC LIMIT `+limit, w.args...)
	if err != nil {
		return nil, r.fail("read events", err)
	}
	defer rs.Close()
	var out []Event
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return nil, r.fail("read events", err)
		}
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read events", err)
	}
	return out, nil
}
