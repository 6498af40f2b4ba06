package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func (c *core) SaveAgentRuns(ctx context.Context, runs []AgentRun) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := validateRuns(runs); err != nil {
		return err
	}
	now := time.Now().UTC()
	return c.writeTx(ctx, func(d db, ids *endpointIDs) error {
		return saveRuns(ctx, d, ids, runs, now, false)
	})
}

const upsertRun = `
	INSERT INTO endpoint_alerts_triggered (endpoint_id, configuration_checksum, agent_id, resolve_key,
		number_of_failures_in_a_row, number_of_successes_in_a_row, triggered, triggered_since, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (endpoint_id, configuration_checksum, agent_id) DO UPDATE SET
		resolve_key = excluded.resolve_key,
		number_of_failures_in_a_row = excluded.number_of_failures_in_a_row,
		number_of_successes_in_a_row = excluded.number_of_successes_in_a_row,
		triggered = excluded.triggered,
		triggered_since = excluded.triggered_since,
		updated_at = excluded.updated_at`

// newerOnly ends a state upsert that must not overwrite a row saved from a
// later read of the quorum state (see Batch.StateAt).
func newerOnly(table string) string {
	return `
	WHERE ` + table + `.updated_at IS NULL OR ` + table + `.updated_at <= excluded.updated_at`
}

// saveRuns upserts runs in the transaction d, stamped updated_at = at: one
// statement on PostgreSQL, one prepared statement on SQLite. With onlyNewer
// a stored row stamped later is kept.
func saveRuns(ctx context.Context, d db, ids *endpointIDs, runs []AgentRun, at time.Time, onlyNewer bool) error {
	if len(runs) == 0 {
		return nil
	}
	if _, ok := d.(pgxDB); ok {
		return saveAgentRunsPG(ctx, d, ids, runs, at, onlyNewer)
	}
	q := upsertRun
	if onlyNewer {
		q += newerOnly("endpoint_alerts_triggered")
	}
	st, err := prepare(ctx, d, q)
	if err != nil {
		return fmt.Errorf("save agent runs: %w", err)
	}
	defer st.close()
	for _, r := range runs {
		id, err := ids.get(ctx, d, r.EndpointKey, "", "")
		if err != nil {
			return fmt.Errorf("save agent run of %q: %w", r.AgentID, err)
		}
		if err := st.exec(ctx, id, r.ConfigurationChecksum, r.AgentID, r.ResolveKey,
			r.FailuresInARow, r.SuccessesInARow, r.Triggered, nullTime(r.Since), at); err != nil {
			return fmt.Errorf("save run of agent %q on endpoint %q: %w", r.AgentID, r.EndpointKey, err)
		}
	}
	return nil
}

func (c *core) DeleteAgentRuns(ctx context.Context, endpointKey string, keep []string) (int64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	var w where
	w.add("endpoint_id = (SELECT endpoint_id FROM endpoints WHERE endpoint_key = ?)", endpointKey)
	if len(keep) > 0 {
		vals := make([]any, len(keep))
		for i, k := range keep {
			vals[i] = k
		}
		w.in("configuration_checksum", vals)
		w.conds[len(w.conds)-1] = "NOT (" + w.conds[len(w.conds)-1] + ")"
	}
	n, err := c.w.exec(ctx, `DELETE FROM endpoint_alerts_triggered`+w.String(), w.args...)
	if err != nil {
		return 0, fmt.Errorf("delete agent runs of endpoint %q: %w", endpointKey, err)
	}
	return n, nil
}

func (c *core) LoadAgentRuns(ctx context.Context) ([]AgentRun, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rs, err := c.r.query(ctx, `
		SELECT e.endpoint_key, t.configuration_checksum, t.agent_id, t.resolve_key,
			t.number_of_failures_in_a_row, t.number_of_successes_in_a_row, t.triggered, t.triggered_since, t.updated_at
		FROM endpoint_alerts_triggered t JOIN endpoints e ON e.endpoint_id = t.endpoint_id
		ORDER BY e.endpoint_key, t.configuration_checksum, t.agent_id`)
	if err != nil {
		return nil, fmt.Errorf("load agent runs: %w", err)
	}
	defer rs.Close()
	var out []AgentRun
	for rs.Next() {
		var r AgentRun
		var since, updated sql.NullTime
		if err := rs.Scan(&r.EndpointKey, &r.ConfigurationChecksum, &r.AgentID, &r.ResolveKey,
			&r.FailuresInARow, &r.SuccessesInARow, &r.Triggered, &since, &updated); err != nil {
			return nil, fmt.Errorf("load agent runs: %w", err)
		}
		r.Since, r.UpdatedAt = utcOrZero(since), utcOrZero(updated)
		out = append(out, r)
	}
	return out, rs.Err()
}

func (c *core) SaveQuorumStates(ctx context.Context, states []QuorumState) error {
	if err := c.check(); err != nil {
		return err
	}
	for _, s := range states {
		if s.EndpointKey == "" {
			return fmt.Errorf("save quorum state: endpoint key is required")
		}
	}
	now := time.Now().UTC()
	return c.writeTx(ctx, func(d db, ids *endpointIDs) error {
		return saveQuorumStates(ctx, d, ids, states, now, false)
	})
}

const upsertQuorumState = `
	INSERT INTO quorum_states (endpoint_id, alert_index, configuration_checksum, firing, degraded,
		fired_at, last_reminder_at, triggered_count, reporting_count, agent_quorum, monitors_count, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
	ON CONFLICT (endpoint_id, alert_index) DO UPDATE SET
		configuration_checksum = excluded.configuration_checksum,
		firing = excluded.firing,
		degraded = excluded.degraded,
		fired_at = excluded.fired_at,
		last_reminder_at = excluded.last_reminder_at,
		triggered_count = excluded.triggered_count,
		reporting_count = excluded.reporting_count,
		agent_quorum = excluded.agent_quorum,
		monitors_count = excluded.monitors_count,
		updated_at = excluded.updated_at`

// saveQuorumStates upserts states in the transaction d, stamped
// updated_at = at: one statement on PostgreSQL, one prepared statement on
// SQLite. With onlyNewer a stored row stamped later is kept.
func saveQuorumStates(ctx context.Context, d db, ids *endpointIDs, states []QuorumState, at time.Time, onlyNewer bool) error {
	if len(states) == 0 {
		return nil
	}
	if _, ok := d.(pgxDB); ok {
		return saveQuorumStatesPG(ctx, d, ids, states, at, onlyNewer)
	}
	q := upsertQuorumState
	if onlyNewer {
		q += newerOnly("quorum_states")
	}
	st, err := prepare(ctx, d, q)
	if err != nil {
		return fmt.Errorf("save quorum states: %w", err)
	}
	defer st.close()
	for _, s := range states {
		id, err := ids.get(ctx, d, s.EndpointKey, "", "")
		if err != nil {
			return fmt.Errorf("save quorum state: %w", err)
		}
		if err := st.exec(ctx, id, s.AlertIndex, s.ConfigurationChecksum, s.Firing, s.Degraded,
			nullTime(s.FiredAt), nullTime(s.LastReminderAt), s.TriggeredCount, s.ReportingCount, s.AgentQuorum, s.MonitorsCount, at); err != nil {
			return fmt.Errorf("save quorum state of endpoint %q alert %d: %w", s.EndpointKey, s.AlertIndex, err)
		}
	}
	return nil
}

func (c *core) LoadQuorumStates(ctx context.Context) ([]QuorumState, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rs, err := c.r.query(ctx, `
		SELECT e.endpoint_key, q.alert_index, q.configuration_checksum, q.firing, q.degraded,
			q.fired_at, q.last_reminder_at, q.triggered_count, q.reporting_count, q.agent_quorum, q.monitors_count, q.updated_at
		FROM quorum_states q JOIN endpoints e ON e.endpoint_id = q.endpoint_id
		ORDER BY e.endpoint_key, q.alert_index`)
	if err != nil {
		return nil, fmt.Errorf("load quorum states: %w", err)
	}
	defer rs.Close()
	var out []QuorumState
	for rs.Next() {
		var s QuorumState
		var fired, reminded, updated sql.NullTime
		if err := rs.Scan(&s.EndpointKey, &s.AlertIndex, &s.ConfigurationChecksum, &s.Firing, &s.Degraded,
			&fired, &reminded, &s.TriggeredCount, &s.ReportingCount, &s.AgentQuorum, &s.MonitorsCount, &updated); err != nil {
			return nil, fmt.Errorf("load quorum states: %w", err)
		}
		s.FiredAt, s.LastReminderAt, s.UpdatedAt = utcOrZero(fired), utcOrZero(reminded), utcOrZero(updated)
		out = append(out, s)
	}
	return out, rs.Err()
}

// saveAgentRunsPG upserts every run in one statement: the engine saves
// thousands of runs a second and a round trip per row held every request
// waiting (bench/central). A run given twice keeps its last version, since
// one ON CONFLICT statement may not touch a row twice.
func saveAgentRunsPG(ctx context.Context, d db, ids *endpointIDs, runs []AgentRun, at time.Time, onlyNewer bool) error {
	type rowKey struct {
		endpoint int64
		checksum string
		agent    string
	}
	last := make(map[rowKey]int, len(runs))
	eids := make([]int64, 0, len(runs))
	var (
		cks, agents, rks []string
		fails, succs     []int32
		trig             []bool
		since            []*time.Time
	)
	for _, r := range runs {
		id, err := ids.get(ctx, d, r.EndpointKey, "", "")
		if err != nil {
			return fmt.Errorf("save agent run of %q: %w", r.AgentID, err)
		}
		var ts *time.Time
		if !r.Since.IsZero() {
			t := r.Since.UTC()
			ts = &t
		}
		k := rowKey{id, r.ConfigurationChecksum, r.AgentID}
		if i, seen := last[k]; seen {
			rks[i], fails[i], succs[i], trig[i], since[i] = r.ResolveKey, int32(r.FailuresInARow), int32(r.SuccessesInARow), r.Triggered, ts
			continue
		}
		last[k] = len(eids)
		eids = append(eids, id)
		cks, agents, rks = append(cks, r.ConfigurationChecksum), append(agents, r.AgentID), append(rks, r.ResolveKey)
		fails, succs = append(fails, int32(r.FailuresInARow)), append(succs, int32(r.SuccessesInARow))
		trig, since = append(trig, r.Triggered), append(since, ts)
	}
	if len(eids) == 0 {
		return nil
	}
	q := `
		INSERT INTO endpoint_alerts_triggered (endpoint_id, configuration_checksum, agent_id, resolve_key,
			number_of_failures_in_a_row, number_of_successes_in_a_row, triggered, triggered_since, updated_at)
		SELECT e, c, a, r, f, s, t, ts, $9
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bool[], $8::timestamptz[])
			AS u(e, c, a, r, f, s, t, ts)
		ON CONFLICT (endpoint_id, configuration_checksum, agent_id) DO UPDATE SET
			resolve_key = excluded.resolve_key,
			number_of_failures_in_a_row = excluded.number_of_failures_in_a_row,
			number_of_successes_in_a_row = excluded.number_of_successes_in_a_row,
			triggered = excluded.triggered,
			triggered_since = excluded.triggered_since,
			updated_at = excluded.updated_at`
	if onlyNewer {
		q += newerOnly("endpoint_alerts_triggered")
	}
	if _, err := d.exec(ctx, q, eids, cks, agents, rks, fails, succs, trig, since, at); err != nil {
		return fmt.Errorf("save %d agent runs: %w", len(eids), err)
	}
	return nil
}

// saveQuorumStatesPG upserts every state in one statement. A state given
// twice keeps its last version, since one ON CONFLICT statement may not
// touch a row twice.
func saveQuorumStatesPG(ctx context.Context, d db, ids *endpointIDs, states []QuorumState, at time.Time, onlyNewer bool) error {
	type rowKey struct {
		endpoint int64
		alert    int
	}
	last := make(map[rowKey]int, len(states))
	var (
		eids                                 []int64
		alerts, trig, rep, quorums, monitors []int32
		cks                                  []string
		firing, degraded                     []bool
		fired, reminded                      []*time.Time
	)
	ptr := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		u := t.UTC()
		return &u
	}
	for _, s := range states {
		id, err := ids.get(ctx, d, s.EndpointKey, "", "")
		if err != nil {
			return fmt.Errorf("save quorum state: %w", err)
		}
		k := rowKey{id, s.AlertIndex}
		i, seen := last[k]
		if !seen {
			i = len(eids)
			last[k] = i
			eids, alerts = append(eids, id), append(alerts, int32(s.AlertIndex))
			cks, firing, degraded = append(cks, ""), append(firing, false), append(degraded, false)
			fired, reminded = append(fired, nil), append(reminded, nil)
			trig, rep, quorums, monitors = append(trig, 0), append(rep, 0), append(quorums, 0), append(monitors, 0)
		}
		cks[i], firing[i], degraded[i] = s.ConfigurationChecksum, s.Firing, s.Degraded
		fired[i], reminded[i] = ptr(s.FiredAt), ptr(s.LastReminderAt)
		trig[i], rep[i] = int32(s.TriggeredCount), int32(s.ReportingCount)
		quorums[i], monitors[i] = int32(s.AgentQuorum), int32(s.MonitorsCount)
	}
	q := `
		INSERT INTO quorum_states (endpoint_id, alert_index, configuration_checksum, firing, degraded,
			fired_at, last_reminder_at, triggered_count, reporting_count, agent_quorum, monitors_count, updated_at)
		SELECT e, a, c, f, dg, fa, lr, t, r, q, m, $12
		FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bool[], $5::bool[], $6::timestamptz[], $7::timestamptz[],
			$8::int[], $9::int[], $10::int[], $11::int[]) AS u(e, a, c, f, dg, fa, lr, t, r, q, m)
		ON CONFLICT (endpoint_id, alert_index) DO UPDATE SET
			configuration_checksum = excluded.configuration_checksum,
			firing = excluded.firing,
			degraded = excluded.degraded,
			fired_at = excluded.fired_at,
			last_reminder_at = excluded.last_reminder_at,
			triggered_count = excluded.triggered_count,
			reporting_count = excluded.reporting_count,
			agent_quorum = excluded.agent_quorum,
			monitors_count = excluded.monitors_count,
			updated_at = excluded.updated_at`
	if onlyNewer {
		q += newerOnly("quorum_states")
	}
	if _, err := d.exec(ctx, q, eids, alerts, cks, firing, degraded, fired, reminded, trig, rep, quorums, monitors, at); err != nil {
		return fmt.Errorf("save %d quorum states: %w", len(eids), err)
	}
	return nil
}
