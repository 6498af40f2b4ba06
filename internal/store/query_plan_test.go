package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingDB remembers the statements a Reader runs, to explain them.
type recordingDB struct {
	db
	mu      sync.Mutex
	queries []recordedQuery
}

type recordedQuery struct {
	sql  string
	args []any
}

func (r *recordingDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	r.mu.Lock()
	r.queries = append(r.queries, recordedQuery{q, args})
	r.mu.Unlock()
	return r.db.query(ctx, q, args...)
}

// explain returns the plan of q: PostgreSQL's with sequential scans
// discouraged (the tables are tiny, so the planner would scan them
// anyway; this asks whether an index can serve the query at all).
func explain(t *testing.T, r *Reader, q recordedQuery) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := r.d.inTx(ctx, func(d db) error {
		prefix := "EXPLAIN QUERY PLAN "
		if r.driver == DriverPostgres {
			if _, err := d.exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			prefix = "EXPLAIN "
		}
		rs, err := d.query(ctx, prefix+q.sql, q.args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			if r.driver == DriverPostgres {
				var line string
				if err := rs.Scan(&line); err != nil {
					return err
				}
				lines = append(lines, line)
				continue
			}
			var id, parent, unused int
			var detail string
			if err := rs.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			lines = append(lines, detail)
		}
		return rs.Err()
	})
	if err != nil {
		t.Fatalf("explain %s: %v", q.sql, err)
	}
	return strings.Join(lines, "\n")
}

// TestReaderQueriesUseIndexes: no read query walks all of
// endpoint_results; each reaches results through an index.
func TestReaderQueriesUseIndexes(t *testing.T) {
	forEachReader(t, func(t *testing.T, r *Reader) {
		rec := &recordingDB{db: r.d}
		r.d = rec
		ctx := context.Background()
		one := ReadFilter{EndpointKeys: []string{"core_api"}, AgentIDs: []string{"eu"}}
		from, to := readT0, readT0.Add(2*time.Hour)
		for _, run := range []func() error{
			func() error { _, err := r.LatestResults(ctx, ReadFilter{}); return err },
			func() error { _, err := r.LatestResults(ctx, one); return err },
			func() error { _, err := r.ResultSeries(ctx, SeriesQuery{From: from, To: to, MaxPoints: 2}); return err },
			func() error {
				_, err := r.ResultSeries(ctx, SeriesQuery{ReadFilter: one, From: from, To: to})
				return err
			},
			func() error { _, err := r.Failures(ctx, FailureQuery{From: from, To: to, Limit: 5}); return err },
			func() error {
				_, err := r.Failures(ctx, FailureQuery{ReadFilter: one, From: from, To: to, Limit: 5})
				return err
			},
			func() error { _, err := r.Uptime(ctx, UptimeQuery{From: from, To: to, PerAgent: true}); return err },
			func() error { _, err := r.Events(ctx, EventQuery{From: from, To: to, Limit: 5}); return err },
		} {
			if err := run(); err != nil {
				t.Fatal(err)
			}
		}
		r.d = rec.db
		for _, q := range rec.queries {
			plan := explain(t, r, q)
			if bad := fullScans(r.driver, plan); len(bad) > 0 {
				t.Errorf("%s\nreads a large table without an index condition: %q\nplan:\n%s", q.sql, bad, plan)
			}
		}
	})
}

// growingTables are the tables whose size grows with time.
var growingTables = []string{"endpoint_results", "endpoint_result_conditions", "endpoint_events", "endpoint_uptimes", "endpoint_agent_uptimes"}

// sqliteAliases are the aliases the read queries give growing tables.
var sqliteAliases = []string{"r", "n", "x", "l", "ev"}

// fullScans returns the plan lines that read a growing table whole.
func fullScans(driver, plan string) []string {
	lines := strings.Split(plan, "\n")
	var bad []string
	for i, line := range lines {
		l := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "->"))
		if driver == DriverSQLite {
			// SQLite: "SCAN x" or "SCAN x USING [COVERING] INDEX ..." is a
			// full pass; "SEARCH" uses an index condition.
			if !strings.HasPrefix(l, "SCAN ") {
				continue
			}
			name := strings.Fields(l)[1]
			if slices.Contains(sqliteAliases, name) || slices.ContainsFunc(growingTables, func(t string) bool { return strings.Contains(l, t) }) {
				bad = append(bad, l)
			}
			continue
		}
		// PostgreSQL: no sequential scan, and every index scan of a
		// growing table has an index condition.
		for _, table := range growingTables {
			scansTable := strings.Contains(l, " on "+table+" ") || strings.HasSuffix(l, " on "+table) ||
				strings.HasPrefix(l, "Bitmap Index Scan on "+table+"_")
			if !scansTable || strings.HasPrefix(l, "Bitmap Heap Scan") {
				continue
			}
			next := ""
			if i+1 < len(lines) {
				next = strings.TrimSpace(lines[i+1])
			}
			if strings.HasPrefix(l, "Seq Scan") || !strings.HasPrefix(next, "Index Cond:") {
				bad = append(bad, l)
			}
		}
	}
	return bad
}
