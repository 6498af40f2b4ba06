package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

func (c *core) RecordEvents(ctx context.Context, events []Event) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := validateEvents(events); err != nil {
		return err
	}
	return c.writeTx(ctx, func(d db, ids *endpointIDs) error {
		return recordEvents(ctx, d, ids, events)
	})
}

// recordEvents inserts events in the transaction d, in order: one
// statement on PostgreSQL, one prepared statement on SQLite.
func recordEvents(ctx context.Context, d db, ids *endpointIDs, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	endpointIDs := make([]*int64, len(events))
	for i, e := range events {
		if e.EndpointKey == "" {
			continue
		}
		id, err := ids.get(ctx, d, e.EndpointKey, "", "")
		if err != nil {
			return fmt.Errorf("record %s event: %w", e.Type, err)
		}
		endpointIDs[i] = &id
	}
	if _, ok := d.(pgxDB); ok {
		return recordEventsPG(ctx, d, events, endpointIDs)
	}
	st, err := prepare(ctx, d, `INSERT INTO endpoint_events (endpoint_id, agent_id, event_type, event_timestamp, details)
		VALUES ($1, $2, $3, $4, $5)`)
	if err != nil {
		return fmt.Errorf("record events: %w", err)
	}
	defer st.close()
	for i, e := range events {
		var endpointID, details any
		if endpointIDs[i] != nil {
			endpointID = *endpointIDs[i]
		}
		if len(e.Details) > 0 {
			details = string(e.Details)
		}
		if err := st.exec(ctx, endpointID, nullString(e.AgentID), string(e.Type), e.Time.UTC(), details); err != nil {
			return fmt.Errorf("record %s event of endpoint %q: %w", e.Type, e.EndpointKey, err)
		}
	}
	return nil
}

// recordEventsPG inserts every event in one statement; WITH ORDINALITY
// keeps their order in the ids they get.
func recordEventsPG(ctx context.Context, d db, events []Event, endpointIDs []*int64) error {
	agents := make([]*string, len(events))
	types := make([]string, len(events))
	times := make([]time.Time, len(events))
	details := make([]*string, len(events))
	for i := range events {
		e := &events[i]
		if e.AgentID != "" {
			agents[i] = &e.AgentID
		}
		types[i], times[i] = string(e.Type), e.Time.UTC()
		if len(e.Details) > 0 {
			s := string(e.Details)
			details[i] = &s
		}
	}
	if _, err := d.exec(ctx, `
		INSERT INTO endpoint_events (endpoint_id, agent_id, event_type, event_timestamp, details)
		SELECT e, a, t, ts, dt::jsonb
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamp[], $5::text[]) WITH ORDINALITY AS u(e, a, t, ts, dt, n)
		ORDER BY n`,
		endpointIDs, agents, types, times, details); err != nil {
		return fmt.Errorf("record %d events: %w", len(events), err)
	}
	return nil
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
	q := eventsFrom + w.String()
	newestFirst := f.Limit > 0
	if newestFirst {
		q += " ORDER BY ev.event_timestamp DESC, ev.endpoint_event_id DESC LIMIT " + w.next()
		w.args = append(w.args, f.Limit)
	} else {
		q += " ORDER BY ev.event_timestamp, ev.endpoint_event_id"
	}
	rs, err := c.r.query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rs.Close()
	var out []Event
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
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
