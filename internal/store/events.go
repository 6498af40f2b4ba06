package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

func (c *core) RecordEvents(ctx context.Context, events []Event) error {
	if err := c.check(); err != nil {
		return err
	}
	for i, e := range events {
		switch {
		case e.Type == "":
			return fmt.Errorf("event %d: type is required", i)
		case e.Time.IsZero():
			return fmt.Errorf("event %d (%s): time is required", i, e.Type)
		case len(e.Details) > 0 && !json.Valid(e.Details):
			return fmt.Errorf("event %d (%s): details are not valid JSON", i, e.Type)
		}
	}
	return c.writeTx(ctx, func(d db, ids *endpointIDs) error {
		for _, e := range events {
			var endpointID any
			if e.EndpointKey != "" {
				id, err := ids.get(ctx, d, e.EndpointKey, "", "")
				if err != nil {
					return fmt.Errorf("record %s event: %w", e.Type, err)
				}
				endpointID = id
			}
			var details any
			if len(e.Details) > 0 {
				details = string(e.Details)
			}
			if _, err := d.exec(ctx, `
				INSERT INTO endpoint_events (endpoint_id, agent_id, event_type, event_timestamp, details)
				VALUES ($1, $2, $3, $4, $5)`,
				endpointID, nullString(e.AgentID), string(e.Type), e.Time.UTC(), details); err != nil {
				return fmt.Errorf("record %s event of endpoint %q: %w", e.Type, e.EndpointKey, err)
			}
		}
		return nil
	})
}

func (c *core) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var w where
	if f.EndpointKey != "" {
		w.add("e.endpoint_key = ?", f.EndpointKey)
	}
	if f.AgentID != "" {
		w.add("ev.agent_id = ?", f.AgentID)
	}
	types := make([]any, len(f.Types))
	for i, t := range f.Types {
		types[i] = string(t)
	}
	w.in("ev.event_type", types)
	q := `SELECT ev.endpoint_event_id, COALESCE(e.endpoint_key, ''), COALESCE(ev.agent_id, ''), ev.event_type, ev.event_timestamp, ev.details
		FROM endpoint_events ev LEFT JOIN endpoints e ON e.endpoint_id = ev.endpoint_id` + w.String()
	newestFirst := f.Limit > 0
	if newestFirst {
		q += " ORDER BY ev.endpoint_event_id DESC LIMIT " + w.next()
		w.args = append(w.args, f.Limit)
	} else {
		q += " ORDER BY ev.endpoint_event_id"
	}
	rs, err := c.r.query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rs.Close()
	var out []Event
	for rs.Next() {
		var e Event
		var typ string
		var details []byte
		if err := rs.Scan(&e.ID, &e.EndpointKey, &e.AgentID, &typ, &e.Time, &details); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		e.Type = EventType(typ)
		e.Time = e.Time.UTC()
		if len(details) > 0 {
			e.Details = json.RawMessage(details)
		}
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, errors.Join(errors.New("list events"), err)
	}
	if newestFirst {
		slices.Reverse(out)
	}
	return out, nil
}
