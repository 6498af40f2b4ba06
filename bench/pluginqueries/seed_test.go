package main

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/internal/store/testpg"
)

// TestSeedWritesAConsistentStore seeds a small history into a schema of
// the test PostgreSQL server and checks it the way the central and the
// plugin will read it: uptime buckets agree with the results, failures
// carry their failed conditions, the indexes the migrations made are all
// back, the central can go on writing, and the reader sees the present
// the plan describes.
func TestSeedWritesAConsistentStore(t *testing.T) {
	dsn := testpg.DSN(t)
	ctx := context.Background()
	f := seedFlags{dsn: dsn, endpoints: 6, agents: 4, results: 6 * 4 * 300, interval: time.Minute, failureRate: 0.05, streams: 2, seed: 3}
	rep, err := seed(ctx, f, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	conn := testpg.Conn(t, dsn)
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM endpoint_results`); n != int64(f.results) || rep.results != n {
		t.Errorf("%d results stored, %d reported, want %d", n, rep.results, f.results)
	}
	failed := count(`SELECT COUNT(*) FROM endpoint_results WHERE NOT success`)
	if failed != rep.failed || failed == 0 {
		t.Errorf("%d failed results stored, %d reported", failed, rep.failed)
	}
	if n := count(`SELECT COUNT(*) FROM endpoint_results r WHERE NOT success AND NOT EXISTS (
			SELECT 1 FROM endpoint_result_conditions c WHERE c.endpoint_result_id = r.endpoint_result_id AND NOT c.success)`); n != 0 {
		t.Errorf("%d failed results without a failed condition", n)
	}
	if n := count(`SELECT COUNT(*) FROM endpoint_result_conditions c JOIN endpoint_results r USING (endpoint_result_id) WHERE r.success`); n != 0 {
		t.Errorf("%d condition rows of successful results; the seeder writes them for failures only", n)
	}
	// Every hourly bucket holds exactly its hour's results.
	for _, q := range []string{
		`SELECT COUNT(*) FROM (
			(SELECT endpoint_id, hour_unix_timestamp, total_executions, successful_executions FROM endpoint_uptimes
			 EXCEPT SELECT endpoint_id, EXTRACT(EPOCH FROM date_trunc('hour', timestamp))::bigint, COUNT(*), COUNT(*) FILTER (WHERE success)
			 FROM endpoint_results GROUP BY 1, 2)
			UNION ALL
			(SELECT endpoint_id, EXTRACT(EPOCH FROM date_trunc('hour', timestamp))::bigint, COUNT(*), COUNT(*) FILTER (WHERE success)
			 FROM endpoint_results GROUP BY 1, 2
			 EXCEPT SELECT endpoint_id, hour_unix_timestamp, total_executions, successful_executions FROM endpoint_uptimes)) d`,
		`SELECT COUNT(*) FROM (
			(SELECT endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions FROM endpoint_agent_uptimes
			 EXCEPT SELECT endpoint_id, agent_id, EXTRACT(EPOCH FROM date_trunc('hour', timestamp))::bigint, COUNT(*), COUNT(*) FILTER (WHERE success)
			 FROM endpoint_results GROUP BY 1, 2, 3)
			UNION ALL
			(SELECT endpoint_id, agent_id, EXTRACT(EPOCH FROM date_trunc('hour', timestamp))::bigint, COUNT(*), COUNT(*) FILTER (WHERE success)
			 FROM endpoint_results GROUP BY 1, 2, 3
			 EXCEPT SELECT endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions FROM endpoint_agent_uptimes)) d`,
	} {
		if n := count(q); n != 0 {
			t.Errorf("%d uptime buckets differ from the results they count:\n%s", n, q)
		}
	}
	if got, want := count(`SELECT COUNT(*) FROM endpoint_agents`), int64(f.endpoints*f.agents); got != want {
		t.Errorf("%d assignments stored, want every agent on every endpoint (%d)", got, want)
	}
	for _, typ := range []string{"FIRED", "DEGRADED", "AGENT_TRIGGERED", "AGENT_STALE"} {
		if count(`SELECT COUNT(*) FROM endpoint_events WHERE event_type = $1`, typ) == 0 {
			t.Errorf("no %s events", typ)
		}
	}

	// The seeder dropped indexes to load faster: every index a freshly
	// migrated schema has must be back.
	fresh := testpg.DSN(t)
	st, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: configopaque.String(fresh)})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close(ctx)
	if got, want := indexNames(t, conn), indexNames(t, testpg.Conn(t, fresh)); !slices.Equal(got, want) {
		t.Errorf("indexes after seeding:\n%v\nafter migrating:\n%v", got, want)
	}

	// The central can go on writing: result ids continue after the seeded.
	st, err = store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: configopaque.String(dsn)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	p := rep.plan
	if err := st.WriteResults(ctx, []store.Result{{EndpointKey: p.ep[0].key, AgentID: agentID(0), Result: result.Result{
		Timestamp: p.now, Duration: time.Millisecond, Success: true,
		ConditionResults: []result.ConditionResult{{Condition: "[STATUS] == 200", Success: true}}}}}); err != nil {
		t.Fatalf("write a result after seeding: %v", err)
	}

	// What the plugin reads: the plan's present.
	cfg, err := readerConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	r, err := store.OpenReader(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	quorums, err := r.EndpointQuorums(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, q := range quorums {
		state[q.EndpointKey] = map[bool]string{true: "firing", false: map[bool]string{true: "degraded", false: "ok"}[q.Degraded]}[q.Firing]
	}
	if state[p.ep[0].key] != "firing" || state[p.ep[1].key] != "degraded" || state[p.ep[3].key] != "ok" || len(state) != f.endpoints {
		t.Errorf("quorum states %v: want %s firing, %s degraded, the others ok", state, p.ep[0].key, p.ep[1].key)
	}
	agents, err := r.Agents(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if stale := a.StaleAt(time.Now()); stale != (a.ID == agentID(p.staleAgent)) {
			t.Errorf("agent %s stale = %v", a.ID, stale)
		}
	}
	latest, err := r.LatestResults(ctx, store.ReadFilter{EndpointKeys: []string{p.ep[1].key}})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != f.agents {
		t.Errorf("%s: %d latest results, want one per agent (%d)", p.ep[1].key, len(latest), f.agents)
	}
	for _, lr := range latest {
		// The degraded agents are the first ones; others may fail at random.
		if a := slices.Index(agentIDs(f.agents), lr.AgentID); a < p.ep[1].degradedAgents && (!lr.HasResult || lr.Success) {
			t.Errorf("%s: agent %s's latest result succeeded; it is one of the failing agents", p.ep[1].key, lr.AgentID)
		}
	}
}

func agentIDs(n int) []string {
	var out []string
	for a := range n {
		out = append(out, agentID(a))
	}
	return out
}

func indexNames(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}
