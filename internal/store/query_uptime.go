package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Uptime sums the hourly buckets that overlap [From, To]: those whose
// hour starts at or before To and ends after From. Without an agent
// filter, per endpoint it reads the endpoint-wide buckets; with one, or
// per agent, the per-agent buckets. Only endpoints (and agents) with at
// least one result in those buckets are listed, ordered by endpoint key
// then agent id.
func (r *Reader) Uptime(ctx context.Context, q UptimeQuery) ([]UptimeSummary, error) {
	if q.To.Before(q.From) {
		return nil, fmt.Errorf("uptime: time range ends (%s) before it starts (%s)", q.To, q.From)
	}
	// The endpoint ids are always given, so each endpoint's buckets are
	// read through the unique (endpoint_id, [agent_id,] hour) index.
	ids, byID, err := r.endpointIDs(ctx, q.EndpointKeys)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	perAgent := q.PerAgent || len(q.AgentIDs) > 0
	table, agentCol, group := "endpoint_uptimes", "''", "endpoint_id"
	if perAgent {
		table = "endpoint_agent_uptimes"
		if q.PerAgent {
			agentCol, group = "agent_id", "endpoint_id, agent_id"
		}
	}
	var w where
	r.dialect.anyOf(&w, "endpoint_id", ids)
	if len(q.AgentIDs) > 0 {
		r.dialect.anyOf(&w, "agent_id", q.AgentIDs)
	}
	w.add("hour_unix_timestamp >= ?", q.From.UTC().Truncate(time.Hour).Unix())
	w.add("hour_unix_timestamp <= ?", q.To.Unix())
	rs, err := r.d.query(ctx, `SELECT endpoint_id, `+agentCol+`,
			CAST(SUM(total_executions) AS BIGINT), CAST(SUM(successful_executions) AS BIGINT), CAST(SUM(total_response_time) AS BIGINT)
		FROM `+table+w.String()+`
		GROUP BY `+group, w.args...)
	if err != nil {
		return nil, r.fail("read uptime", err)
	}
	defer rs.Close()
	var out []UptimeSummary
	for rs.Next() {
		var u UptimeSummary
		var id, ms int64
		if err := rs.Scan(&id, &u.AgentID, &u.Total, &u.Successful, &ms); err != nil {
			return nil, r.fail("read uptime", err)
		}
		if u.Total == 0 {
			continue
		}
		u.EndpointKey = byID[id]
		u.TotalResponseTime = time.Duration(ms) * time.Millisecond
		out = append(out, u)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read uptime", err)
	}
	slices.SortFunc(out, func(a, b UptimeSummary) int {
		return cmp.Or(cmp.Compare(a.EndpointKey, b.EndpointKey), cmp.Compare(a.AgentID, b.AgentID))
	})
	return out, nil
}
