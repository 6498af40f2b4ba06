package store

import (
	"context"
	"fmt"
	"time"
)

// pruneChunk bounds the rows one DELETE removes, so that pruning a large
// backlog does not hold SQLite's single writer for long.
const pruneChunk = 10000

func (c *core) Prune(ctx context.Context, now time.Time) (PruneStats, error) {
	if err := c.check(); err != nil {
		return PruneStats{}, err
	}
	var st PruneStats
	r := c.cfg.Retention
	if r.MaxResultAge > 0 {
		n, err := c.deleteResults(ctx, `SELECT endpoint_result_id FROM endpoint_results WHERE timestamp < $1`, now.Add(-r.MaxResultAge).UTC())
		st.Results += n
		if err != nil {
			return st, fmt.Errorf("prune results older than %s: %w", r.MaxResultAge, err)
		}
	}
	if r.MaxResultsPerAgent > 0 {
		// Newest first by probe time; the id breaks ties in arrival order.
		n, err := c.deleteResults(ctx, `SELECT endpoint_result_id FROM (
				SELECT endpoint_result_id, ROW_NUMBER() OVER (
					PARTITION BY endpoint_id, agent_id ORDER BY timestamp DESC, endpoint_result_id DESC) AS n
				FROM endpoint_results) ranked
			WHERE n > $1`, r.MaxResultsPerAgent)
		st.Results += n
		if err != nil {
			return st, fmt.Errorf("prune results beyond %d per endpoint and agent: %w", r.MaxResultsPerAgent, err)
		}
	}
	if r.MaxEventAge > 0 {
		n, err := c.deleteChunked(ctx, "endpoint_events", "endpoint_event_id", "event_timestamp < $1", now.Add(-r.MaxEventAge).UTC())
		st.Events += n
		if err != nil {
			return st, fmt.Errorf("prune events older than %s: %w", r.MaxEventAge, err)
		}
	}
	if r.MaxUptimeAge > 0 {
		cutoff := now.Add(-r.MaxUptimeAge).Truncate(time.Hour).Unix()
		for _, table := range []string{"endpoint_uptimes", "endpoint_agent_uptimes"} {
			n, err := c.w.exec(ctx, `DELETE FROM `+table+` WHERE hour_unix_timestamp < $1`, cutoff)
			st.Uptimes += n
			if err != nil {
				return st, fmt.Errorf("prune %s older than %s: %w", table, r.MaxUptimeAge, err)
			}
		}
	}
	return st, nil
}

// deleteResults deletes the results selectIDs ($1 = arg) returns and their
// condition results, in chunks of pruneChunk, each in its own transaction.
// Condition results are deleted explicitly: on PostgreSQL they have no
// foreign key to cascade from (see postgresResultsPerAgent).
func (c *core) deleteResults(ctx context.Context, selectIDs string, arg any) (int64, error) {
	var total int64
	for {
		var n int64
		err := c.w.inTx(ctx, func(d db) error {
			rs, err := d.query(ctx, selectIDs+` LIMIT `+fmt.Sprint(pruneChunk), arg)
			if err != nil {
				return err
			}
			var ids []any
			for rs.Next() {
				var id int64
				if err := rs.Scan(&id); err != nil {
					rs.Close()
					return err
				}
				ids = append(ids, id)
			}
			rs.Close()
			if err := rs.Err(); err != nil || len(ids) == 0 {
				return err
			}
			var w where
			w.in("endpoint_result_id", ids)
			if _, err := d.exec(ctx, `DELETE FROM endpoint_result_conditions`+w.String(), w.args...); err != nil {
				return err
			}
			n, err = d.exec(ctx, `DELETE FROM endpoint_results`+w.String(), w.args...)
			return err
		})
		total += n
		if err != nil || n == 0 {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// deleteChunked deletes the rows of table matching cond ($1 = arg) in chunks
// of pruneChunk, each in its own transaction.
func (c *core) deleteChunked(ctx context.Context, table, id, cond string, arg any) (int64, error) {
	var total int64
	for {
		n, err := c.w.exec(ctx, `DELETE FROM `+table+` WHERE `+id+` IN (
			SELECT `+id+` FROM `+table+` WHERE `+cond+` LIMIT `+fmt.Sprint(pruneChunk)+`)`, arg)
		total += n
		if err != nil || n < pruneChunk {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
