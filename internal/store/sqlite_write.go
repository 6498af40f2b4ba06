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
func (s *sqliteStore) writeBatch(ctx context.Context, rs []Result) error {
	ids := s.newEndpointIDs()
	err := s.w.inTx(ctx, func(d db) error {
		endpointIDs, err := resolveEndpoints(ctx, d, ids, rs)
		if err != nil {
			return err
		}
		if err := insertResultsSQLite(ctx, d.(sqlDB), rs, endpointIDs); err != nil {
			return err
		}
		delta := newUptimeDelta()
		delta.addResults(rs, endpointIDs)
		return upsertUptimes(ctx, d, delta)
	})
	if err != nil {
		return err
	}
	ids.commit()
	return nil
}

// insertResultsSQLite inserts results and their condition results with two
// statements prepared once for the whole transaction d.
func insertResultsSQLite(ctx context.Context, d sqlDB, rs []Result, endpointIDs []int64) (err error) {
	tx, ok := d.q.(*sql.Tx)
	if !ok {
		return errors.New("write results: not in a transaction")
	}
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
	rows := newRowContext(ctx)
	for i := range rs {
		r := &rs[i]
		rctx, err := rows.next()
		if err != nil {
			return err
		}
		res, err := insResult.ExecContext(rctx, endpointIDs[i], r.AgentID, r.Success, joinErrors(r.Errors),
			r.Connected, r.HTTPStatus, r.DNSRCode, int64(r.CertificateExpiration), int64(r.DomainExpiration),
			r.Hostname, r.IP, int64(r.Duration), r.Timestamp.UTC())
		if err != nil {
			return fmt.Errorf("insert result of endpoint %q by agent %q: %w", r.EndpointKey, r.AgentID, err)
		}
		if len(r.ConditionResults) == 0 {
			continue
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for _, c := range r.ConditionResults {
			if _, err := insCondition.ExecContext(rctx, id, c.Condition, c.Success); err != nil {
				return fmt.Errorf("insert condition result of endpoint %q: %w", r.EndpointKey, err)
			}
		}
	}
	return nil
}
