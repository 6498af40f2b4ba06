package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
)

var (
	resultColumns = []string{"endpoint_result_id", "endpoint_id", "agent_id", "success", "errors", "connected", "status",
		"dns_rcode", "certificate_expiration", "domain_expiration", "hostname", "ip", "duration", "timestamp"}
	conditionColumns = []string{"endpoint_result_id", "condition", "success"}
)

// Upserts adding a batch's bucket sums, one statement per table; a batch
// holds each bucket once, as ON CONFLICT DO UPDATE requires.
const (
	pgUpsertEndpointUptimes = `INSERT INTO endpoint_uptimes (endpoint_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
		ON CONFLICT (endpoint_id, hour_unix_timestamp) DO UPDATE SET
			total_executions = endpoint_uptimes.total_executions + excluded.total_executions,
			successful_executions = endpoint_uptimes.successful_executions + excluded.successful_executions,
			total_response_time = endpoint_uptimes.total_response_time + excluded.total_response_time`
	pgUpsertAgentUptimes = `INSERT INTO endpoint_agent_uptimes (endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
		ON CONFLICT (endpoint_id, agent_id, hour_unix_timestamp) DO UPDATE SET
			total_executions = endpoint_agent_uptimes.total_executions + excluded.total_executions,
			successful_executions = endpoint_agent_uptimes.successful_executions + excluded.successful_executions,
			total_response_time = endpoint_agent_uptimes.total_response_time + excluded.total_response_time`
)

// writeBatch writes results in one transaction: reserve result ids, COPY the
// results, COPY their condition results, then add to the uptime buckets.
func (s *postgresStore) writeBatch(ctx context.Context, rs []Result) error {
	ids := s.newEndpointIDs()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d := pgxDB{q: tx}
		endpointIDs, err := s.resolveEndpoints(ctx, d, ids, rs)
		if err != nil {
			return err
		}
		resultIDs, err := s.reserveResultIDs(ctx, tx, len(rs))
		if err != nil {
			return err
		}
		row := make([]any, len(resultColumns))
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"endpoint_results"}, resultColumns, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
			r := &rs[i]
			row[0], row[1], row[2], row[3] = resultIDs[i], endpointIDs[i], r.AgentID, r.Success
			row[4], row[5], row[6] = joinErrors(r.Errors), r.Connected, int64(r.HTTPStatus)
			row[7], row[8], row[9] = r.DNSRCode, int64(r.CertificateExpiration), int64(r.DomainExpiration)
			row[10], row[11], row[12], row[13] = r.Hostname, r.IP, int64(r.Duration), r.Timestamp.UTC()
			return row, nil
		})); err != nil {
			return fmt.Errorf("copy results: %w", err)
		}
		if err := copyConditions(ctx, tx, rs, resultIDs); err != nil {
			return err
		}
		delta := newUptimeDelta()
		for i := range rs {
			delta.add(endpointIDs[i], rs[i].AgentID, rs[i].Timestamp.UTC(), rs[i].Success, rs[i].Duration)
		}
		return upsertUptimesPG(ctx, tx, delta)
	})
	if err != nil {
		return err
	}
	ids.commit()
	return nil
}

// resolveEndpoints returns the endpoint id of every result. Endpoints are
// looked up (and created) in key order, so that concurrent batches creating
// the same endpoints wait for each other instead of deadlocking.
func (s *postgresStore) resolveEndpoints(ctx context.Context, d db, ids *endpointIDs, rs []Result) ([]int64, error) {
	first := map[string]int{} // key -> index of its first result
	for i := range rs {
		if _, ok := first[rs[i].EndpointKey]; !ok {
			first[rs[i].EndpointKey] = i
		}
	}
	keys := slices.Sorted(maps.Keys(first))
	byKey := make(map[string]int64, len(keys))
	for _, k := range keys {
		r := &rs[first[k]]
		id, err := ids.get(ctx, d, k, r.endpointName(), r.EndpointGroup)
		if err != nil {
			return nil, err
		}
		byKey[k] = id
	}
	out := make([]int64, len(rs))
	for i := range rs {
		out[i] = byKey[rs[i].EndpointKey]
	}
	return out, nil
}

func (s *postgresStore) reserveResultIDs(ctx context.Context, tx pgx.Tx, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, s.nextResultIDs, n)
	if err != nil {
		return nil, fmt.Errorf("reserve result ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve result ids: %w", err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve result ids: got %d, want %d", len(ids), n)
	}
	return ids, nil
}

func copyConditions(ctx context.Context, tx pgx.Tx, rs []Result, resultIDs []int64) error {
	n := 0
	for i := range rs {
		n += len(rs[i].ConditionResults)
	}
	if n == 0 {
		return nil
	}
	ri, ci := 0, 0 // result and condition being copied
	row := make([]any, len(conditionColumns))
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"endpoint_result_conditions"}, conditionColumns, pgx.CopyFromSlice(n, func(int) ([]any, error) {
		for ci >= len(rs[ri].ConditionResults) {
			ri, ci = ri+1, 0
		}
		c := rs[ri].ConditionResults[ci]
		row[0], row[1], row[2] = resultIDs[ri], c.Condition, c.Success
		ci++
		return row, nil
	}))
	if err != nil {
		return fmt.Errorf("copy condition results: %w", err)
	}
	return nil
}

func upsertUptimesPG(ctx context.Context, tx pgx.Tx, delta *uptimeDelta) error {
	ep := sorted(delta.endpoint)
	ag := sorted(delta.agent)
	col := func(rows []bucketRow, f func(bucketRow) int64) []int64 {
		out := make([]int64, len(rows))
		for i, r := range rows {
			out[i] = f(r)
		}
		return out
	}
	agents := make([]string, len(ag))
	for i, r := range ag {
		agents[i] = r.agent
	}
	var b pgx.Batch
	b.Queue(pgUpsertEndpointUptimes,
		col(ep, func(r bucketRow) int64 { return r.endpointID }), col(ep, func(r bucketRow) int64 { return r.hour }),
		col(ep, func(r bucketRow) int64 { return r.total }), col(ep, func(r bucketRow) int64 { return r.successful }),
		col(ep, func(r bucketRow) int64 { return r.responseTimeMs }))
	b.Queue(pgUpsertAgentUptimes,
		col(ag, func(r bucketRow) int64 { return r.endpointID }), agents, col(ag, func(r bucketRow) int64 { return r.hour }),
		col(ag, func(r bucketRow) int64 { return r.total }), col(ag, func(r bucketRow) int64 { return r.successful }),
		col(ag, func(r bucketRow) int64 { return r.responseTimeMs }))
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("update uptimes: %w", err)
	}
	return nil
}
