package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/collector/config/configopaque"
	"golang.org/x/sync/errgroup"

	"github.com/quorate/quorate/internal/store"
)

type seedFlags struct {
	dsn         string
	endpoints   int
	agents      int
	results     int
	interval    time.Duration
	failureRate float64
	streams     int
	seed        uint64
}

func runSeed(args []string) error {
	var f seedFlags
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.StringVar(&f.dsn, "dsn", "", "PostgreSQL DSN of an empty database or schema (search_path)")
	fs.IntVar(&f.endpoints, "endpoints", 100, "endpoints")
	fs.IntVar(&f.agents, "agents", 5, "agents, each monitoring every endpoint")
	fs.IntVar(&f.results, "results", 10_000_000, "results in all")
	fs.DurationVar(&f.interval, "interval", time.Minute, "probe interval of every (endpoint, agent)")
	fs.Float64Var(&f.failureRate, "failure-rate", 0.02, "share of failed results, outages included")
	fs.IntVar(&f.streams, "streams", 2, "parallel COPY streams for results")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.dsn == "" {
		return errors.New("-dsn is required")
	}
	_, err := seed(context.Background(), f, os.Stdout)
	return err
}

// seedReport is what seed wrote.
type seedReport struct {
	plan                *plan
	results, failed     int64
	conditions, uptimes int
	events              int
}

// seed fills the database of f.dsn (empty, or migrated by the store and
// empty) and reports progress to out.
func seed(ctx context.Context, f seedFlags, out io.Writer) (seedReport, error) {
	if f.streams < 1 {
		return seedReport{}, fmt.Errorf("-streams %d: want at least 1", f.streams)
	}
	p, err := newPlan(f.endpoints, f.agents, f.results, f.interval, f.failureRate, time.Now(), f.seed)
	if err != nil {
		return seedReport{}, err
	}
	rep := seedReport{plan: p}
	begin := time.Now()
	if err := seedState(ctx, f.dsn, p); err != nil {
		return rep, err
	}
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		return rep, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	ids, err := endpointIDs(ctx, conn)
	if err != nil {
		return rep, err
	}
	fmt.Fprintf(out, "# seeding %s results: %d endpoints x %d agents, one every %s back to %s (%.1f days); failure rate %.3f (outages %.4f)\n",
		thousands(int64(p.perPair*p.endpoints*p.agents)), p.endpoints, p.agents, p.interval,
		p.now.Add(-p.span()).Format(time.RFC3339), p.span().Hours()/24, f.failureRate, p.outageShare())

	// Bulk loading is faster without the secondary indexes; they are built
	// again afterwards from their own definitions.
	indexes, err := dropIndexes(ctx, conn, "endpoint_results", "endpoint_result_conditions")
	if err != nil {
		return rep, err
	}
	t0 := time.Now()
	sum, err := copyResults(ctx, f.dsn, p, ids, f.streams, f.seed)
	if err != nil {
		return rep, err
	}
	rep.results, rep.failed, rep.conditions = sum.results, sum.failed, len(sum.conditions)
	rep.uptimes = len(sum.endpointHours) + len(sum.agentHours)
	fmt.Fprintf(out, "# results: %s rows (%s failed, %s condition rows) in %s\n", thousands(sum.results), thousands(sum.failed),
		thousands(int64(len(sum.conditions))), time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if err := copyConditions(ctx, conn, sum.conditions); err != nil {
		return rep, err
	}
	if err := copyUptimes(ctx, conn, sum); err != nil {
		return rep, err
	}
	// The central reserves result ids from this sequence.
	if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('endpoint_results', 'endpoint_result_id'), $1)`, sum.maxID); err != nil {
		return rep, fmt.Errorf("advance the result id sequence: %w", err)
	}
	if rep.events, err = copyEvents(ctx, conn, p, ids); err != nil {
		return rep, err
	}
	fmt.Fprintf(out, "# conditions, %s uptime buckets, %d events in %s\n", thousands(int64(rep.uptimes)), rep.events, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	for _, def := range indexes {
		if _, err := conn.Exec(ctx, def); err != nil {
			return rep, fmt.Errorf("rebuild index: %w\nin: %s", err, def)
		}
	}
	fmt.Fprintf(out, "# %d indexes rebuilt in %s\n", len(indexes), time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	// What autovacuum would have done on a live database: statistics for
	// the planner and a visibility map for index-only scans.
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) `+strings.Join(quorateTables, ", ")); err != nil {
		return rep, fmt.Errorf("vacuum: %w", err)
	}
	fmt.Fprintf(out, "# vacuum analyze in %s; seeded in %s\n", time.Since(t0).Round(time.Millisecond), time.Since(begin).Round(time.Millisecond))
	return rep, nil
}

// quorateTables are the tables the seeder writes (in the DSN's schema).
var quorateTables = []string{"endpoints", "agents", "endpoint_results", "endpoint_result_conditions", "endpoint_uptimes",
	"endpoint_agent_uptimes", "endpoint_events", "endpoint_alerts_triggered", "quorum_states", "endpoint_agents"}

// seedState writes endpoints, agents, assignments (every agent monitors
// every endpoint), quorum states and runs through the store, which first
// migrates the schema.
func seedState(ctx context.Context, dsn string, p *plan) error {
	st, err := store.Open(ctx, store.Config{Driver: store.DriverPostgres, DSN: configopaque.String(dsn)})
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer st.Close(ctx)
	var eps []store.Endpoint
	for _, e := range p.ep {
		eps = append(eps, store.Endpoint{Key: e.key, Name: e.name, Group: e.group, ConfigurationChecksum: e.checksum})
	}
	if err := st.UpsertEndpoints(ctx, eps); err != nil {
		return err
	}
	var assigned []store.Assignment
	for _, e := range p.ep {
		for a := range p.agents {
			assigned = append(assigned, store.Assignment{EndpointKey: e.key, AgentID: agentID(a)})
		}
	}
	if err := st.ReplaceAssignments(ctx, assigned); err != nil {
		return err
	}
	var agents []store.Agent
	for a := range p.agents {
		agents = append(agents, store.Agent{ID: agentID(a), Name: fmt.Sprintf("Agent %d", a+1), LastSeen: p.lastSeen(a), StaleAfter: staleAfter})
	}
	if err := st.UpsertAgents(ctx, agents); err != nil {
		return err
	}
	var states []store.QuorumState
	var runs []store.AgentRun
	for i, e := range p.ep {
		triggered := 0
		for a := range p.agents {
			v := p.decide(rand.New(rand.NewPCG(0, 0)), i, a, p.resultTime(i, a, p.perPair-1), 0)
			on := !v.success && a != p.staleAgent
			if on {
				triggered++
			}
			r := store.AgentRun{EndpointKey: e.key, ConfigurationChecksum: e.checksum, AgentID: agentID(a), Triggered: on}
			if on {
				r.FailuresInARow, r.Since = failureThreshold+2, p.now.Add(-10*time.Minute)
			} else {
				r.SuccessesInARow = 10
			}
			runs = append(runs, r)
		}
		reporting := p.agents - 1 // the stale agent does not count
		s := store.QuorumState{EndpointKey: e.key, ConfigurationChecksum: e.checksum,
			Firing: triggered >= agentQuorum, Degraded: triggered > 0 && triggered < agentQuorum,
			TriggeredCount: triggered, ReportingCount: reporting, AgentQuorum: agentQuorum, MonitorsCount: p.agents}
		if s.Firing {
			s.FiredAt = p.now.Add(-15 * time.Minute)
		}
		states = append(states, s)
	}
	if err := st.SaveQuorumStates(ctx, states); err != nil {
		return err
	}
	return st.SaveAgentRuns(ctx, runs)
}

func endpointIDs(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	rows, err := conn.Query(ctx, `SELECT endpoint_key, endpoint_id FROM endpoints`)
	if err != nil {
		return nil, fmt.Errorf("read endpoint ids: %w", err)
	}
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		out[k] = id
	}
	return out, rows.Err()
}

// dropIndexes drops the indexes of tables that back no constraint and
// returns their definitions.
func dropIndexes(ctx context.Context, conn *pgx.Conn, tables ...string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
		ORDER BY i.indexname`, tables)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			return nil, err
		}
		names, defs = append(names, n), append(defs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return defs, nil
}

type hourKey struct {
	endpoint int64
	agent    string
	hour     int64
}

type hourSum struct{ total, successful, responseMS int64 }

type conditionRow struct {
	resultID int64
	text     string
	success  bool
}

// seeded is what the result streams produced besides the results.
type seeded struct {
	results, failed, maxID int64
	conditions             []conditionRow
	endpointHours          map[hourKey]*hourSum
	agentHours             map[hourKey]*hourSum
}

func (s *seeded) addHour(m map[hourKey]*hourSum, k hourKey, ok bool, ms int64) {
	h := m[k]
	if h == nil {
		h = &hourSum{}
		m[k] = h
	}
	h.total++
	h.responseMS += ms
	if ok {
		h.successful++
	}
}

var resultColumns = []string{"endpoint_result_id", "endpoint_id", "agent_id", "success", "errors", "connected", "status",
	"dns_rcode", "certificate_expiration", "domain_expiration", "hostname", "ip", "duration", "timestamp"}

// copyResults writes every result in time order (as a central receives
// them, so that one endpoint's rows are spread over the table), each
// stream the endpoints e with e % streams == its number.
func copyResults(ctx context.Context, dsn string, p *plan, ids map[string]int64, streams int, seed uint64) (seeded, error) {
	parts := make([]seeded, streams)
	isolated := p.isolatedRate()
	pairs := int64(p.endpoints * p.agents)
	g, ctx := errgroup.WithContext(ctx)
	for s := range streams {
		g.Go(func() error {
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
				return err
			}
			part := seeded{endpointHours: map[hourKey]*hourSum{}, agentHours: map[hourKey]*hourSum{}}
			rng := rand.New(rand.NewPCG(seed, uint64(s)+1))
			var mine []int
			for e := s; e < p.endpoints; e += streams {
				mine = append(mine, e)
			}
			i, k := 0, 0 // time step, index into mine x agents
			row := make([]any, len(resultColumns))
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if k == len(mine)*p.agents {
					i, k = i+1, 0
				}
				if i == p.perPair {
					return nil, nil
				}
				e, a := mine[k/p.agents], k%p.agents
				k++
				ep := &p.ep[e]
				t := p.resultTime(e, a, i)
				v := p.decide(rng, e, a, t, isolated)
				id := int64(i)*pairs + int64(e*p.agents+a) + 1
				var cert int64
				if !ep.certExpiry.IsZero() && v.status != 0 {
					cert = int64(ep.certExpiry.Sub(t))
				}
				row[0], row[1], row[2], row[3] = id, ids[ep.key], agentID(a), v.success
				row[4], row[5], row[6] = strings.Join(v.errors, "|~|"), v.status != 0, int64(v.status)
				row[7], row[8], row[9] = "", cert, int64(0)
				row[10], row[11] = ep.name+".example.com", fmt.Sprintf("10.0.%d.%d", e/250, e%250+1)
				row[12], row[13] = int64(v.durationMS*float64(time.Millisecond)), t
				part.results++
				part.maxID = max(part.maxID, id)
				if !v.success {
					part.failed++
					for _, c := range v.conditions {
						part.conditions = append(part.conditions, conditionRow{id, c.text, c.success})
					}
				}
				hour := t.Truncate(time.Hour).Unix()
				ms := int64(v.durationMS)
				part.addHour(part.endpointHours, hourKey{ids[ep.key], "", hour}, v.success, ms)
				part.addHour(part.agentHours, hourKey{ids[ep.key], agentID(a), hour}, v.success, ms)
				return row, nil
			})
			if _, err := conn.CopyFrom(ctx, pgx.Identifier{"endpoint_results"}, resultColumns, src); err != nil {
				return fmt.Errorf("copy results (stream %d): %w", s, err)
			}
			parts[s] = part
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return seeded{}, err
	}
	out := seeded{endpointHours: map[hourKey]*hourSum{}, agentHours: map[hourKey]*hourSum{}}
	for _, part := range parts {
		out.results += part.results
		out.failed += part.failed
		out.maxID = max(out.maxID, part.maxID)
		out.conditions = append(out.conditions, part.conditions...)
		for k, v := range part.endpointHours { // endpoints are disjoint across streams
			out.endpointHours[k] = v
		}
		for k, v := range part.agentHours {
			out.agentHours[k] = v
		}
	}
	sort.Slice(out.conditions, func(i, j int) bool { return out.conditions[i].resultID < out.conditions[j].resultID })
	return out, nil
}

func copyConditions(ctx context.Context, conn *pgx.Conn, cs []conditionRow) error {
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"endpoint_result_conditions"}, []string{"endpoint_result_id", "condition", "success"},
		pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) { return []any{cs[i].resultID, cs[i].text, cs[i].success}, nil }))
	if err != nil {
		return fmt.Errorf("copy condition results: %w", err)
	}
	return nil
}

func copyUptimes(ctx context.Context, conn *pgx.Conn, s seeded) error {
	sortedKeys := func(m map[hourKey]*hourSum) []hourKey {
		keys := make([]hourKey, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.hour != b.hour {
				return a.hour < b.hour
			}
			if a.endpoint != b.endpoint {
				return a.endpoint < b.endpoint
			}
			return a.agent < b.agent
		})
		return keys
	}
	ek := sortedKeys(s.endpointHours)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"endpoint_uptimes"},
		[]string{"endpoint_id", "hour_unix_timestamp", "total_executions", "successful_executions", "total_response_time"},
		pgx.CopyFromSlice(len(ek), func(i int) ([]any, error) {
			h := s.endpointHours[ek[i]]
			return []any{ek[i].endpoint, ek[i].hour, h.total, h.successful, h.responseMS}, nil
		})); err != nil {
		return fmt.Errorf("copy endpoint uptimes: %w", err)
	}
	ak := sortedKeys(s.agentHours)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"endpoint_agent_uptimes"},
		[]string{"endpoint_id", "agent_id", "hour_unix_timestamp", "total_executions", "successful_executions", "total_response_time"},
		pgx.CopyFromSlice(len(ak), func(i int) ([]any, error) {
			h := s.agentHours[ak[i]]
			return []any{ak[i].endpoint, ak[i].agent, ak[i].hour, h.total, h.successful, h.responseMS}, nil
		})); err != nil {
		return fmt.Errorf("copy agent uptimes: %w", err)
	}
	return nil
}

type eventRow struct {
	endpoint *int64
	agent    *string
	typ      string
	at       time.Time
	details  string
}

// copyEvents writes the transitions the central would have recorded for
// the plan's outages, the degraded endpoint and the stale agent.
func copyEvents(ctx context.Context, conn *pgx.Conn, p *plan, ids map[string]int64) (int, error) {
	var evs []eventRow
	details := func(e endpointPlan, triggered int) string {
		b, _ := json.Marshal(map[string]any{"checksum": e.checksum, "alert_index": 0, "alert_type": "slack",
			"triggered": triggered, "reporting": p.agents - 1, "quorum": agentQuorum, "monitors": p.agents})
		return string(b)
	}
	add := func(e endpointPlan, agent string, typ string, at time.Time, triggered int) {
		if at.After(p.now) || at.Before(p.now.Add(-p.span())) {
			return
		}
		id := ids[e.key]
		r := eventRow{endpoint: &id, typ: typ, at: at, details: details(e, triggered)}
		if agent != "" {
			r.agent = &agent
		}
		evs = append(evs, r)
	}
	trigger := time.Duration(failureThreshold) * p.interval
	for _, e := range p.ep {
		for _, w := range e.outages {
			if w.to.Sub(w.from) < trigger {
				continue
			}
			for a := range p.agents {
				add(e, agentID(a), "AGENT_TRIGGERED", w.from.Add(trigger+time.Duration(a)*time.Second), a+1)
				add(e, agentID(a), "AGENT_CLEARED", w.to.Add(p.interval+time.Duration(a)*time.Second), p.agents-a-1)
			}
			add(e, "", "DEGRADED", w.from.Add(trigger), 1)
			add(e, "", "FIRED", w.from.Add(trigger+time.Duration(agentQuorum-1)*time.Second), agentQuorum)
			for r := w.from.Add(trigger + 30*time.Minute); r.Before(w.to); r = r.Add(30 * time.Minute) {
				add(e, "", "REMINDER", r, p.agents)
			}
			add(e, "", "RESOLVED", w.to.Add(p.interval), 0)
			add(e, "", "DEGRADED_CLEARED", w.to.Add(p.interval), 0)
		}
		for a := range e.degradedAgents {
			add(e, agentID(a), "AGENT_TRIGGERED", p.now.Add(-degradedFor+trigger), a+1)
		}
		if e.degradedAgents > 0 {
			add(e, "", "DEGRADED", p.now.Add(-degradedFor+trigger), e.degradedAgents)
		}
	}
	stale := agentID(p.staleAgent)
	evs = append(evs, eventRow{agent: &stale, typ: "AGENT_STALE", at: p.lastSeen(p.staleAgent).Add(staleAfter), details: `{"triggered":0,"reporting":0}`})
	sort.Slice(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"endpoint_events"}, []string{"endpoint_id", "agent_id", "event_type", "event_timestamp", "details"},
		pgx.CopyFromSlice(len(evs), func(i int) ([]any, error) {
			e := evs[i]
			return []any{e.endpoint, e.agent, e.typ, e.at, e.details}, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("copy events: %w", err)
	}
	return len(evs), nil
}
