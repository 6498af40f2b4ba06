package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Upserts adding sums to one hourly bucket, as Gatus does per result
// (SQLite; PostgreSQL upserts a whole set with unnest).
const (
	upsertEndpointUptime = `INSERT INTO endpoint_uptimes (endpoint_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (endpoint_id, hour_unix_timestamp) DO UPDATE SET
			total_executions = endpoint_uptimes.total_executions + excluded.total_executions,
			successful_executions = endpoint_uptimes.successful_executions + excluded.successful_executions,
			total_response_time = endpoint_uptimes.total_response_time + excluded.total_response_time`
	upsertAgentUptime = `INSERT INTO endpoint_agent_uptimes (endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (endpoint_id, agent_id, hour_unix_timestamp) DO UPDATE SET
			total_executions = endpoint_agent_uptimes.total_executions + excluded.total_executions,
			successful_executions = endpoint_agent_uptimes.successful_executions + excluded.successful_executions,
			total_response_time = endpoint_agent_uptimes.total_response_time + excluded.total_response_time`
)

// bucketKey identifies an hourly uptime bucket; agent is empty for the
// endpoint-wide bucket.
type bucketKey struct {
	endpointID int64
	agent      string
	hour       int64 // unix seconds, floored to the hour
}

// bucketSum is what one batch adds to a bucket.
type bucketSum struct {
	total, successful int64
	responseTimeMs    int64
}

// uptimeDelta sums a batch into endpoint-wide and per-agent buckets, so one
// upsert per bucket replaces one per result.
type uptimeDelta struct {
	endpoint map[bucketKey]bucketSum
	agent    map[bucketKey]bucketSum
}

func newUptimeDelta() *uptimeDelta {
	return &uptimeDelta{endpoint: map[bucketKey]bucketSum{}, agent: map[bucketKey]bucketSum{}}
}

// add counts one result the way Gatus does: hour of the probe's start,
// response time in whole milliseconds.
func (u *uptimeDelta) add(endpointID int64, agent string, ts time.Time, success bool, d time.Duration) {
	hour := ts.Truncate(time.Hour).Unix()
	var ok int64
	if success {
		ok = 1
	}
	one := bucketSum{total: 1, successful: ok, responseTimeMs: d.Milliseconds()}
	u.endpoint[bucketKey{endpointID, "", hour}] = u.endpoint[bucketKey{endpointID, "", hour}].plus(one)
	u.agent[bucketKey{endpointID, agent, hour}] = u.agent[bucketKey{endpointID, agent, hour}].plus(one)
}

func (s bucketSum) plus(o bucketSum) bucketSum {
	return bucketSum{s.total + o.total, s.successful + o.successful, s.responseTimeMs + o.responseTimeMs}
}

// addResults counts results whose endpoints have the ids given.
func (u *uptimeDelta) addResults(rs []Result, endpointIDs []int64) {
	for i := range rs {
		u.add(endpointIDs[i], rs[i].AgentID, rs[i].Timestamp.UTC(), rs[i].Success, rs[i].Duration)
	}
}

// merge adds the sums of o (nil: nothing).
func (u *uptimeDelta) merge(o *uptimeDelta) {
	if o == nil {
		return
	}
	for k, v := range o.endpoint {
		u.endpoint[k] = u.endpoint[k].plus(v)
	}
	for k, v := range o.agent {
		u.agent[k] = u.agent[k].plus(v)
	}
}

func (u *uptimeDelta) empty() bool { return u == nil || len(u.endpoint)+len(u.agent) == 0 }

// upsertUptimes adds the sums to their buckets in the transaction d: two
// statements on PostgreSQL, two prepared statements on SQLite.
func upsertUptimes(ctx context.Context, d db, delta *uptimeDelta) error {
	if delta.empty() {
		return nil
	}
	if p, ok := d.(pgxDB); ok {
		tx, ok := p.q.(pgx.Tx)
		if !ok {
			return errors.New("update uptimes: not in a transaction")
		}
		return upsertUptimesPG(ctx, tx, delta)
	}
	ep, err := prepare(ctx, d, upsertEndpointUptime)
	if err != nil {
		return fmt.Errorf("update uptime: %w", err)
	}
	defer ep.close()
	for _, b := range sorted(delta.endpoint) {
		if err := ep.exec(ctx, b.endpointID, b.hour, b.total, b.successful, b.responseTimeMs); err != nil {
			return fmt.Errorf("update uptime: %w", err)
		}
	}
	ag, err := prepare(ctx, d, upsertAgentUptime)
	if err != nil {
		return fmt.Errorf("update agent uptime: %w", err)
	}
	defer ag.close()
	for _, b := range sorted(delta.agent) {
		if err := ag.exec(ctx, b.endpointID, b.agent, b.hour, b.total, b.successful, b.responseTimeMs); err != nil {
			return fmt.Errorf("update agent uptime: %w", err)
		}
	}
	return nil
}

type bucketRow struct {
	bucketKey
	bucketSum
}

// sorted returns the buckets of m in a fixed order, so that concurrent
// writers lock rows in the same order and cannot deadlock.
func sorted(m map[bucketKey]bucketSum) []bucketRow {
	rows := make([]bucketRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, bucketRow{k, v})
	}
	slices.SortFunc(rows, func(a, b bucketRow) int {
		return cmp.Or(cmp.Compare(a.endpointID, b.endpointID), cmp.Compare(a.agent, b.agent), cmp.Compare(a.hour, b.hour))
	})
	return rows
}
