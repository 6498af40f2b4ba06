package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func (c *core) CountResults(ctx context.Context, f ResultFilter) (int64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	var w where
	if f.EndpointKey != "" {
		w.add("endpoint_id = (SELECT endpoint_id FROM endpoints WHERE endpoint_key = ?)", f.EndpointKey)
	}
	if f.AgentID != "" {
		w.add("agent_id = ?", f.AgentID)
	}
	if !f.Since.IsZero() {
		w.add("timestamp >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		w.add("timestamp < ?", f.Until.UTC())
	}
	if f.Success != nil {
		w.add("success = ?", *f.Success)
	}
	var n int64
	if err := queryOne(ctx, c.r, `SELECT COUNT(*) FROM endpoint_results`+w.String(), w.args, &n); err != nil {
		return 0, fmt.Errorf("count results: %w", err)
	}
	return n, nil
}

func (c *core) UptimeBuckets(ctx context.Context, f UptimeFilter) ([]UptimeBucket, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if f.EndpointKey == "" {
		return nil, errors.New("uptime buckets: endpoint key is required")
	}
	table, agentCol := "endpoint_uptimes", "''"
	var w where
	w.add("endpoint_id = (SELECT endpoint_id FROM endpoints WHERE endpoint_key = ?)", f.EndpointKey)
	if f.AgentID != "" {
		table, agentCol = "endpoint_agent_uptimes", "agent_id"
		w.add("agent_id = ?", f.AgentID)
	}
	if !f.From.IsZero() {
		w.add("hour_unix_timestamp >= ?", f.From.Truncate(time.Hour).Unix())
	}
	if !f.To.IsZero() {
		w.add("hour_unix_timestamp <= ?", f.To.Unix())
	}
	rs, err := c.r.query(ctx, `SELECT `+agentCol+`, hour_unix_timestamp, total_executions, successful_executions, total_response_time
		FROM `+table+w.String()+` ORDER BY hour_unix_timestamp`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("uptime buckets of %q: %w", f.EndpointKey, err)
	}
	defer rs.Close()
	var out []UptimeBucket
	for rs.Next() {
		b := UptimeBucket{EndpointKey: f.EndpointKey}
		var hour, ms int64
		if err := rs.Scan(&b.AgentID, &hour, &b.Total, &b.Successful, &ms); err != nil {
			return nil, fmt.Errorf("uptime buckets of %q: %w", f.EndpointKey, err)
		}
		b.Hour = time.Unix(hour, 0).UTC()
		b.TotalResponseTime = time.Duration(ms) * time.Millisecond
		out = append(out, b)
	}
	return out, rs.Err()
}
