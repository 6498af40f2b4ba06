package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// StaleAt applies the central's rule (quorum/internal/state): an agent is
// stale once it has been silent for its stale-after; one never seen is
// stale.
func (a Agent) StaleAt(now time.Time) bool {
	return a.LastSeen.IsZero() || now.Sub(a.LastSeen) >= a.StaleAfter
}

// condsSince returns the conditions added to w since it held n, joined
// with AND, and removes them from w's list (their arguments stay, so that
// placeholders keep their numbers across the clauses of one statement).
func condsSince(w *where, n int) string {
	c := strings.Join(w.conds[n:], " AND ")
	w.conds = w.conds[:n]
	return c
}

// whereSince is condsSince as a WHERE (or AND) clause; empty without
// conditions.
func whereSince(w *where, n int, keyword string) string {
	if c := condsSince(w, n); c != "" {
		return " " + keyword + " " + c
	}
	return ""
}

// Endpoints returns the endpoints with the given keys (all when none),
// ordered by key.
func (r *Reader) Endpoints(ctx context.Context, keys []string) ([]Endpoint, error) {
	rows, err := r.endpointRows(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, len(rows))
	for i, e := range rows {
		out[i] = e.Endpoint
	}
	return out, nil
}

func (r *Reader) endpointRows(ctx context.Context, keys []string) ([]endpointRow, error) {
	var w where
	if len(keys) > 0 {
		r.dialect.anyOf(&w, "endpoint_key", keys)
	}
	rs, err := r.d.query(ctx, `SELECT endpoint_id, endpoint_key, endpoint_name, endpoint_group, configuration_checksum
		FROM endpoints`+w.String()+` ORDER BY endpoint_key`, w.args...)
	if err != nil {
		return nil, r.fail("list endpoints", err)
	}
	defer rs.Close()
	var out []endpointRow
	for rs.Next() {
		var e endpointRow
		var key sql.NullString
		if err := rs.Scan(&e.id, &key, &e.Name, &e.Group, &e.ConfigurationChecksum); err != nil {
			return nil, r.fail("list endpoints", err)
		}
		if !key.Valid { // Gatus allows a NULL key; such a row cannot be selected by key
			continue
		}
		e.Key = key.String
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("list endpoints", err)
	}
	return out, nil
}

// endpointIDs resolves endpoint keys (all endpoints when none) to their
// ids, and maps the ids back to keys.
func (r *Reader) endpointIDs(ctx context.Context, keys []string) (ids []int64, byID map[int64]string, err error) {
	rows, err := r.endpointRows(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	byID = make(map[int64]string, len(rows))
	for _, e := range rows {
		ids = append(ids, e.id)
		byID[e.id] = e.Key
	}
	return ids, byID, nil
}

// Agents returns the agents with the given ids (all when none), ordered
// by id.
func (r *Reader) Agents(ctx context.Context, ids []string) ([]Agent, error) {
	var w where
	if len(ids) > 0 {
		r.dialect.anyOf(&w, "agent_id", ids)
	}
	rs, err := r.d.query(ctx, `SELECT `+agentColumns+` FROM agents`+w.String()+` ORDER BY agent_id`, w.args...)
	if err != nil {
		return nil, r.fail("list agents", err)
	}
	defer rs.Close()
	var out []Agent
	for rs.Next() {
		a, err := scanAgent(rs)
		if err != nil {
			return nil, r.fail("list agents", err)
		}
		out = append(out, a)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("list agents", err)
	}
	return out, nil
}

// LatestResults returns the newest result of every (endpoint, agent) pair
// of the filter, ordered by endpoint key and agent id. The pairs are those
// with results, with a stored run, and those of the stored assignments (an
// agent that monitors the endpoint but never reported is listed without a
// result).
//
// The pairs are found without reading every result: per endpoint, a
// recursive query steps from one agent id to the next through the index on
// endpoint_results (endpoint_id, agent_id, timestamp), one index seek per
// pair (a "loose index scan"); the newest result of a pair is one more
// seek on the same index.
func (r *Reader) LatestResults(ctx context.Context, f ReadFilter) ([]LatestResult, error) {
	var w where
	var seedFilter, runFilter, assignFilter string
	if len(f.EndpointKeys) > 0 {
		ids, _, err := r.endpointIDs(ctx, f.EndpointKeys)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, nil
		}
		r.dialect.anyOf(&w, "e.endpoint_id", ids)
		seedFilter = whereSince(&w, 0, "WHERE")
		r.dialect.anyOf(&w, "t.endpoint_id", ids)
		runFilter = whereSince(&w, 0, "WHERE")
		r.dialect.anyOf(&w, "a.endpoint_id", ids)
		assignFilter = whereSince(&w, 0, "WHERE")
	}
	var agentFilter string
	if len(f.AgentIDs) > 0 {
		r.dialect.anyOf(&w, "p.agent_id", f.AgentIDs)
		agentFilter = whereSince(&w, 0, "WHERE")
	}
	latest := `LEFT JOIN endpoint_results l ON l.endpoint_result_id = (
			SELECT x.endpoint_result_id FROM endpoint_results x
			WHERE x.endpoint_id = p.endpoint_id AND x.agent_id = p.agent_id
			ORDER BY x.timestamp DESC, x.endpoint_result_id DESC LIMIT 1)`
	if r.driver == DriverPostgres {
		latest = `LEFT JOIN LATERAL (
			SELECT x.timestamp, x.success, x.status, x.duration, x.errors, x.certificate_expiration
			FROM endpoint_results x
			WHERE x.endpoint_id = p.endpoint_id AND x.agent_id = p.agent_id
			ORDER BY x.timestamp DESC, x.endpoint_result_id DESC LIMIT 1) l ON true`
	}
	// Each step finds the next agent id of an endpoint in the index, so no
	// join back to endpoint_results can turn into a scan of it.
	q := `WITH RECURSIVE walk(endpoint_id, agent_id) AS (
			SELECT e.endpoint_id, (SELECT r.agent_id FROM endpoint_results r
				WHERE r.endpoint_id = e.endpoint_id ORDER BY r.agent_id LIMIT 1)
			FROM endpoints e` + seedFilter + `
			UNION ALL
			SELECT w.endpoint_id, (SELECT n.agent_id FROM endpoint_results n
				WHERE n.endpoint_id = w.endpoint_id AND n.agent_id > w.agent_id ORDER BY n.agent_id LIMIT 1)
			FROM walk w WHERE w.agent_id IS NOT NULL
		),
		pairs AS (
			SELECT endpoint_id, agent_id FROM walk WHERE agent_id IS NOT NULL
			UNION
			SELECT t.endpoint_id, t.agent_id FROM endpoint_alerts_triggered t` + runFilter + `
			UNION
			SELECT a.endpoint_id, a.agent_id FROM endpoint_agents a` + assignFilter + `
		)
		SELECT e.endpoint_key, p.agent_id, l.timestamp, l.success, l.status, l.duration, l.errors, l.certificate_expiration
		FROM pairs p JOIN endpoints e ON e.endpoint_id = p.endpoint_id
		` + latest + agentFilter + `
		ORDER BY e.endpoint_key, p.agent_id`
	rs, err := r.d.query(ctx, q, w.args...)
	if err != nil {
		return nil, r.fail("read latest results", err)
	}
	defer rs.Close()
	var out []LatestResult
	for rs.Next() {
		var (
			lr       LatestResult
			ts       anyTime
			success  sql.NullBool
			status   sql.NullInt64
			duration sql.NullInt64
			errs     sql.NullString
			cert     sql.NullInt64
		)
		if err := rs.Scan(&lr.EndpointKey, &lr.AgentID, &ts, &success, &status, &duration, &errs, &cert); err != nil {
			return nil, r.fail("read latest results", err)
		}
		if ts.valid {
			lr.HasResult = true
			lr.Timestamp = ts.t
			lr.Success = success.Bool
			lr.HTTPStatus = int(status.Int64)
			lr.Duration = time.Duration(duration.Int64)
			lr.Errors = splitErrors(errs.String)
			lr.CertificateExpiration = time.Duration(cert.Int64)
		}
		out = append(out, lr)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read latest results", err)
	}
	return out, nil
}

// EndpointQuorums returns, per endpoint with the given keys (all when
// none), the quorum state of its first enabled alert under its current
// configuration, ordered by key. This is the alert the central's endpoint
// metrics follow (quorum/internal/metrics): the enabled alerts are stored
// by their index in the endpoint's alerts list, disabled ones included,
// so the first enabled one has the lowest stored index, and rows of an
// earlier configuration (another checksum) are left out, as the central's
// restore leaves them out. The central saves a row for every enabled
// alert when it starts and on each reload, so an endpoint without such a
// row has no enabled alert (or the store was written by a central that
// only saved rows on transitions).
func (r *Reader) EndpointQuorums(ctx context.Context, keys []string) ([]QuorumState, error) {
	var w where
	if len(keys) > 0 {
		r.dialect.anyOf(&w, "e.endpoint_key", keys)
	}
	current := `(q.configuration_checksum = e.configuration_checksum OR e.configuration_checksum = '')`
	q := `SELECT e.endpoint_key, q.alert_index, q.configuration_checksum, q.firing, q.degraded,
			q.fired_at, q.last_reminder_at, q.triggered_count, q.reporting_count, q.agent_quorum, q.monitors_count, q.updated_at
		FROM endpoints e JOIN quorum_states q ON q.endpoint_id = e.endpoint_id
		WHERE ` + current + `
			AND q.alert_index = (SELECT MIN(q2.alert_index) FROM quorum_states q2
				WHERE q2.endpoint_id = e.endpoint_id
					AND (q2.configuration_checksum = e.configuration_checksum OR e.configuration_checksum = ''))` +
		whereSince(&w, 0, "AND") + `
		ORDER BY e.endpoint_key`
	rs, err := r.d.query(ctx, q, w.args...)
	if err != nil {
		return nil, r.fail("read quorum states", err)
	}
	defer rs.Close()
	var out []QuorumState
	for rs.Next() {
		var s QuorumState
		var fired, reminded, updated anyTime
		if err := rs.Scan(&s.EndpointKey, &s.AlertIndex, &s.ConfigurationChecksum, &s.Firing, &s.Degraded,
			&fired, &reminded, &s.TriggeredCount, &s.ReportingCount, &s.AgentQuorum, &s.MonitorsCount, &updated); err != nil {
			return nil, r.fail("read quorum states", err)
		}
		s.FiredAt, s.LastReminderAt, s.UpdatedAt = fired.t, reminded.t, updated.t
		out = append(out, s)
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read quorum states", err)
	}
	return out, nil
}
