package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// resultFilter adds the endpoint, agent and time conditions of a result
// query on alias x to w. It reports false when the endpoint keys match no
// endpoint (the query can only be empty).
func (r *Reader) resultFilter(ctx context.Context, w *where, f ReadFilter, from, to time.Time) (map[int64]string, bool, error) {
	ids, byID, err := r.endpointIDs(ctx, f.EndpointKeys)
	if err != nil {
		return nil, false, err
	}
	if len(ids) == 0 {
		return nil, false, nil
	}
	if len(f.EndpointKeys) > 0 {
		r.dialect.anyOf(w, "x.endpoint_id", ids)
	}
	if len(f.AgentIDs) > 0 {
		r.dialect.anyOf(w, "x.agent_id", f.AgentIDs)
	}
	w.add("x.timestamp >= ?", from.UTC())
	w.add("x.timestamp <= ?", to.UTC())
	return byID, true, nil
}

// ResultSeries returns one series per (endpoint, agent) with results
// between From and To, ordered by endpoint key and agent id. A series with
// more than MaxPoints results is averaged into equal buckets in the
// database, so at most MaxPoints points leave it.
func (r *Reader) ResultSeries(ctx context.Context, q SeriesQuery) ([]Series, error) {
	if q.To.Before(q.From) {
		return nil, fmt.Errorf("result series: time range ends (%s) before it starts (%s)", q.To, q.From)
	}
	var value string
	switch q.Metric {
	case SeriesDurationMS, "":
		value = r.dialect.durationMS("x.duration")
	case SeriesSuccess:
		value = r.dialect.oneIfTrue("x.success")
	default:
		return nil, fmt.Errorf("result series: metric %q is not one of %q, %q", q.Metric, SeriesDurationMS, SeriesSuccess)
	}
	var w where
	byID, ok, err := r.resultFilter(ctx, &w, q.ReadFilter, q.From, q.To)
	if err != nil || !ok {
		return nil, err
	}
	maxPoints := int64(math.MaxInt64)
	if q.MaxPoints > 0 {
		maxPoints = int64(q.MaxPoints)
	}
	// Buckets of whole milliseconds; a result at To (the range is
	// inclusive) joins the last bucket.
	fromMS := q.From.UnixMilli()
	width := int64(1)
	if q.MaxPoints > 0 {
		width = max((q.To.UnixMilli()-fromMS+maxPoints-1)/maxPoints, 1)
	}
	filter := w.String()
	maxArg := w.next()
	w.args = append(w.args, maxPoints)
	lastArg := w.next()
	w.args = append(w.args, maxPoints-1)
	fromArg := w.next()
	w.args = append(w.args, fromMS)
	widthArg := w.next()
	w.args = append(w.args, width)
	if r.driver == DriverPostgres {
		maxArg += "::bigint"
		lastArg += "::bigint"
		fromArg += "::bigint"
		widthArg += "::bigint"
	}
	// Each result is its own group (a negative key) in a series of at most
	// MaxPoints results, or falls in bucket floor((t - From) / width),
	// at most MaxPoints-1.
	bucket := r.dialect.least(r.dialect.bucket(r.dialect.epochMS("x.timestamp"), fromArg, widthArg), lastArg)
	sqlText := `SELECT endpoint_id, agent_id, g, MIN(ts), AVG(v) FROM (
			SELECT x.endpoint_id, x.agent_id, x.timestamp AS ts, ` + value + ` AS v,
				CASE WHEN COUNT(*) OVER (PARTITION BY x.endpoint_id, x.agent_id) > ` + maxArg + `
					THEN ` + bucket + ` ELSE -1 - x.endpoint_result_id END AS g
			FROM endpoint_results x` + filter + `
		) points
		GROUP BY endpoint_id, agent_id, g
		ORDER BY endpoint_id, agent_id, MIN(ts)`
	rs, err := r.d.query(ctx, sqlText, w.args...)
	if err != nil {
		return nil, r.fail("read result series", err)
	}
	defer rs.Close()
	var out []Series
	var cur *Series
	var curID int64
	for rs.Next() {
		var (
			id    int64
			agent string
			g     int64
			first anyTime
			v     float64
		)
		if err := rs.Scan(&id, &agent, &g, &first, &v); err != nil {
			return nil, r.fail("read result series", err)
		}
		if cur == nil || id != curID || agent != cur.AgentID {
			out = append(out, Series{EndpointKey: byID[id], AgentID: agent})
			cur, curID = &out[len(out)-1], id
		}
		t := first.t
		if g >= 0 {
			t = time.UnixMilli(fromMS + g*width).UTC()
		}
		cur.Points = append(cur.Points, SeriesPoint{Time: t, Value: v})
	}
	if err := rs.Err(); err != nil {
		return nil, r.fail("read result series", err)
	}
	// The query orders by endpoint id; the contract is by key.
	slices.SortStableFunc(out, func(a, b Series) int {
		return cmp.Or(cmp.Compare(a.EndpointKey, b.EndpointKey), cmp.Compare(a.AgentID, b.AgentID))
	})
	return out, nil
}

// Failures returns the newest failed results between From and To (at most
// Limit), newest first, with the conditions that failed.
func (r *Reader) Failures(ctx context.Context, q FailureQuery) ([]FailedResult, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("failures: limit %d must be positive", q.Limit)
	}
	var w where
	w.add("NOT x.success")
	byID, ok, err := r.resultFilter(ctx, &w, q.ReadFilter, q.From, q.To)
	if err != nil || !ok {
		return nil, err
	}
	filter := w.String()
	limit := w.next()
	w.args = append(w.args, q.Limit)
	rs, err := r.d.query(ctx, `SELECT x.endpoint_result_id, x.endpoint_id, x.agent_id, x.timestamp, x.status, x.duration, x.errors
		FROM endpoint_results x`+filter+`
		ORDER BY x.timestamp DESC, x.endpoint_result_id DESC LIMIT `+limit, w.args...)
	if err != nil {
		return nil, r.fail("read failures", err)
	}
	var (
		out []FailedResult
		ids []int64
	)
	for rs.Next() {
		var (
			f          FailedResult
			id, epID   int64
			ts         anyTime
			status     int64
			duration   int64
			errorsText string
		)
		if err := rs.Scan(&id, &epID, &f.AgentID, &ts, &status, &duration, &errorsText); err != nil {
			rs.Close()
			return nil, r.fail("read failures", err)
		}
		f.EndpointKey, f.Timestamp = byID[epID], ts.t
		f.HTTPStatus, f.Duration, f.Errors = int(status), time.Duration(duration), splitErrors(errorsText)
		out = append(out, f)
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, r.fail("read failures", err)
	}
	failed, err := r.failedConditions(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[i].FailedConditions = failed[id]
	}
	return out, nil
}

// failedConditions returns the failed conditions of results, in the order
// they were judged, a few hundred results per query.
func (r *Reader) failedConditions(ctx context.Context, resultIDs []int64) (map[int64][]string, error) {
	const chunk = 500
	out := map[int64][]string{}
	for len(resultIDs) > 0 {
		n := min(len(resultIDs), chunk)
		var w where
		r.dialect.anyOf(&w, "endpoint_result_id", resultIDs[:n])
		w.add("NOT success")
		resultIDs = resultIDs[n:]
		rs, err := r.d.query(ctx, `SELECT endpoint_result_id, condition FROM endpoint_result_conditions`+w.String()+
			` ORDER BY endpoint_result_id, endpoint_result_condition_id`, w.args...)
		if err != nil {
			return nil, r.fail("read failed conditions", err)
		}
		for rs.Next() {
			var id int64
			var c string
			if err := rs.Scan(&id, &c); err != nil {
				rs.Close()
				return nil, r.fail("read failed conditions", err)
			}
			out[id] = append(out[id], c)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, r.fail("read failed conditions", err)
		}
	}
	return out, nil
}
