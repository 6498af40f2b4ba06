package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

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
		endpointIDs, err := resolveEndpoints(ctx, d, ids, rs)
		if err != nil {
			return err
		}
		if err := copyResults(ctx, tx, s.nextResultIDs, rs, endpointIDs); err != nil {
			return err
		}
		delta := newUptimeDelta()
		delta.addResults(rs, endpointIDs)
		return upsertUptimesPG(ctx, tx, delta)
	})
	if err != nil {
		return err
	}
	ids.commit()
	return nil
}

// copyResults reserves result ids with the query nextIDs, then COPYs the
// results and their condition results.
func copyResults(ctx context.Context, tx pgx.Tx, nextIDs string, rs []Result, endpointIDs []int64) error {
	resultIDs, err := reserveResultIDs(ctx, tx, nextIDs, len(rs))
	if err != nil {
		return err
	}
	if ok, err := copyResultsByHand(ctx, tx, rs, resultIDs, endpointIDs); ok || err != nil {
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
	return copyConditions(ctx, tx, rs, resultIDs)
}

// resolveEndpoints returns the endpoint id of every result. Endpoints are
// looked up (and created) in key order, so that concurrent batches creating
// the same endpoints wait for each other instead of deadlocking.
func resolveEndpoints(ctx context.Context, d db, ids *endpointIDs, rs []Result) ([]int64, error) {
	out := make([]int64, len(rs))
	var missing map[string]int // key -> index of its first result
	for i := range rs {
		if id, ok := ids.c.cachedEndpointID(rs[i].EndpointKey); ok {
			out[i] = id
			continue
		}
		if missing == nil {
			missing = map[string]int{}
		}
		if _, ok := missing[rs[i].EndpointKey]; !ok {
			missing[rs[i].EndpointKey] = i
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	byKey := make(map[string]int64, len(missing))
	for _, k := range slices.Sorted(maps.Keys(missing)) {
		r := &rs[missing[k]]
		id, err := ids.get(ctx, d, k, r.endpointName(), r.EndpointGroup)
		if err != nil {
			return nil, err
		}
		byKey[k] = id
	}
	for i := range rs {
		if id, ok := byKey[rs[i].EndpointKey]; ok {
			out[i] = id
		}
	}
	return out, nil
}

func reserveResultIDs(ctx context.Context, tx pgx.Tx, nextIDs string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, nextIDs, n)
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

// nextResultIDsQuery is the query reserving $1 result ids: nextval of the
// result id sequence, whose name is looked up once.
func (c *core) nextResultIDsQuery(ctx context.Context, d db) (string, error) {
	c.seqMu.Lock()
	defer c.seqMu.Unlock()
	if c.nextIDs != "" {
		return c.nextIDs, nil
	}
	var seq *string
	if err := queryOne(ctx, d, `SELECT pg_get_serial_sequence('endpoint_results', 'endpoint_result_id')`, nil, &seq); err != nil {
		return "", fmt.Errorf("find the result id sequence: %w", err)
	}
	if seq == nil {
		return "", errors.New("find the result id sequence: endpoint_results.endpoint_result_id has no sequence")
	}
	c.nextIDs = `SELECT nextval('` + strings.ReplaceAll(*seq, "'", "''") + `') FROM generate_series(1, $1)`
	return c.nextIDs, nil
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
