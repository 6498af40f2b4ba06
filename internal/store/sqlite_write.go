package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// writeBatch writes results in one IMMEDIATE transaction with prepared
// statements, then adds the batch to the uptime buckets, one upsert per
// bucket.
func (s *sqliteStore) writeBatch(ctx context.Context, rs []Result) (err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	d := sqlDB{q: tx}
	ids := s.newEndpointIDs()
	insResult, err := tx.PrepareContext(ctx, `INSERT INTO endpoint_results (endpoint_id, agent_id, success, errors,
		connected, status, dns_rcode, certificate_expiration, domain_expiration, hostname, ip, duration, timestamp)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`)
	if err != nil {
		return err
	}
	defer insResult.Close()
	insCondition, err := tx.PrepareContext(ctx, `INSERT INTO endpoint_result_conditions (endpoint_result_id, condition, success) VALUES ($1, $2, $3)`)
	if err != nil {
		return err
	}
	defer insCondition.Close()
	delta := newUptimeDelta()
	for i := range rs {
		r := &rs[i]
		endpointID, err := ids.get(ctx, d, r.EndpointKey, r.endpointName(), r.EndpointGroup)
		if err != nil {
			return err
		}
		ts := r.Timestamp.UTC()
		res, err := insResult.ExecContext(ctx, endpointID, r.AgentID, r.Success, joinErrors(r.Errors),
			r.Connected, r.HTTPStatus, r.DNSRCode, int64(r.CertificateExpiration), int64(r.DomainExpiration),
			r.Hostname, r.IP, int64(r.Duration), ts)
		if err != nil {
			return fmt.Errorf("insert result of endpoint %q by agent %q: %w", r.EndpointKey, r.AgentID, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for _, c := range r.ConditionResults {
			if _, err := insCondition.ExecContext(ctx, id, c.Condition, c.Success); err != nil {
				return fmt.Errorf("insert condition result of endpoint %q: %w", r.EndpointKey, err)
			}
		}
		delta.add(endpointID, r.AgentID, ts, r.Success, r.Duration)
	}
	if err := upsertUptimes(ctx, tx, delta); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	ids.commit()
	return nil
}

// Upserts adding a batch's sums to the hourly buckets, as Gatus does per result.
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

func upsertUptimes(ctx context.Context, tx *sql.Tx, delta *uptimeDelta) error {
	for _, b := range sorted(delta.endpoint) {
		if _, err := tx.ExecContext(ctx, upsertEndpointUptime, b.endpointID, b.hour, b.total, b.successful, b.responseTimeMs); err != nil {
			return fmt.Errorf("update uptime: %w", err)
		}
	}
	for _, b := range sorted(delta.agent) {
		if _, err := tx.ExecContext(ctx, upsertAgentUptime, b.endpointID, b.agent, b.hour, b.total, b.successful, b.responseTimeMs); err != nil {
			return fmt.Errorf("update agent uptime: %w", err)
		}
	}
	return nil
}
