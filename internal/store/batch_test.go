package store

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestWriteBatchWritesEveryPartInOneTransaction(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		seen := t0.Add(3 * time.Minute)
		b := &Batch{
			Results: []Result{
				probe("core_api", "eu", t0, true, 10*time.Millisecond),
				probe("core_api", "us", t0.Add(time.Second), false, 20*time.Millisecond),
				probe("core_web", "eu", t0.Add(2*time.Second), true, 30*time.Millisecond),
			},
			Events: []Event{
				{EndpointKey: "core_api", AgentID: "us", Type: "AGENT_TRIGGERED", Time: t0.Add(time.Second), Details: json.RawMessage(`{"triggered":1}`)},
				{AgentID: "ap", Type: EventAgentStale, Time: t0.Add(2 * time.Second)},
				{EndpointKey: "core_api", Type: "FIRED", Time: t0.Add(3 * time.Second)},
			},
			Runs: []AgentRun{
				{EndpointKey: "core_api", ConfigurationChecksum: "c/0", AgentID: "us", FailuresInARow: 3, Triggered: true},
				{EndpointKey: "core_api", ConfigurationChecksum: "c/0", AgentID: "eu", SuccessesInARow: 1},
			},
			QuorumStates: []QuorumState{{EndpointKey: "core_api", AlertIndex: 0, ConfigurationChecksum: "c", Firing: true,
				FiredAt: t0.Add(3 * time.Second), TriggeredCount: 1, ReportingCount: 2, AgentQuorum: 1, MonitorsCount: 2}},
			Seen: map[string]time.Time{"eu": seen, "us": seen},
		}
		if err := s.WriteBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
		raw := dc.raw(t, cfg)
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_results`); n != 3 {
			t.Errorf("%d results, want 3", n)
		}
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_result_conditions`); n != 6 {
			t.Errorf("%d condition results, want 6", n)
		}
		evs, err := s.ListEvents(ctx, EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.EndpointKey+"/"+e.AgentID+"/"+string(e.Type)+"/"+string(e.Details))
		}
		want := []string{`core_api/us/AGENT_TRIGGERED/{"triggered": 1}`, "/ap/AGENT_STALE/", "core_api//FIRED/"}
		if dc.name == DriverSQLite {
			want[0] = `core_api/us/AGENT_TRIGGERED/{"triggered":1}` // SQLite keeps the text as given
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events in order:\n got %q\nwant %q", got, want)
		}
		runs, err := s.LoadAgentRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[1].AgentID != "us" || !runs[1].Triggered || runs[1].FailuresInARow != 3 {
			t.Errorf("runs %+v, want eu and us (triggered, 3 failures)", runs)
		}
		qs, err := s.LoadQuorumStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) != 1 || !qs[0].Firing || !qs[0].FiredAt.Equal(t0.Add(3*time.Second)) || qs[0].MonitorsCount != 2 {
			t.Errorf("quorum states %+v, want core_api firing since t0+3s", qs)
		}
		agents, err := s.ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(agents) != 2 || !agents[0].LastSeen.Equal(seen) || !agents[1].LastSeen.Equal(seen) {
			t.Errorf("agents %+v, want eu and us last seen at %s", agents, seen)
		}
	})
}

func TestWriteBatchKeepsUptimeInMemoryUntilAFlush(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		buckets := func() []UptimeBucket {
			t.Helper()
			got, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x"})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		for i := range 3 {
			b := &Batch{Results: []Result{
				probe("a_x", "eu", t0.Add(time.Duration(i)*time.Minute), true, 100*time.Millisecond),
				probe("a_x", "us", t0.Add(65*time.Minute), i != 0, 200*time.Millisecond),
			}}
			if err := s.WriteBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		if got := buckets(); len(got) != 0 {
			t.Fatalf("buckets before a flush: %+v, want none", got)
		}
		// The flushing batch adds its own results too.
		if err := s.WriteBatch(ctx, &Batch{FlushUptimes: true, Results: []Result{probe("a_x", "eu", t0, false, 0)}}); err != nil {
			t.Fatal(err)
		}
		want := []UptimeBucket{
			{EndpointKey: "a_x", Hour: t0, Total: 4, Successful: 3, TotalResponseTime: 300 * time.Millisecond},
			{EndpointKey: "a_x", Hour: t0.Add(time.Hour), Total: 3, Successful: 2, TotalResponseTime: 600 * time.Millisecond},
		}
		if got := buckets(); !reflect.DeepEqual(got, want) {
			t.Fatalf("endpoint buckets after the flush:\n got %+v\nwant %+v", got, want)
		}
		got, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x", AgentID: "us"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Total != 3 || got[0].Successful != 2 {
			t.Fatalf("us buckets %+v, want one of 3 results, 2 successful", got)
		}

		// Close writes what the last batches left in memory.
		if err := s.WriteBatch(ctx, &Batch{Results: []Result{probe("a_x", "eu", t0, true, 0)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		s = open(t, cfg)
		want[0].Total, want[0].Successful = 5, 4
		if got := buckets(); !reflect.DeepEqual(got, want) {
			t.Fatalf("endpoint buckets after Close:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestWriteBatchThatFailsWritesNothingAndKeepsTheUptimeToFlush(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		if err := s.WriteBatch(ctx, &Batch{Results: []Result{probe("a_x", "eu", t0, true, 0)}}); err != nil {
			t.Fatal(err)
		}
		// An endpoint named like another one cannot be created: the
		// transaction fails after its first results were copied.
		if err := s.UpsertEndpoints(ctx, []Endpoint{{Key: "a_x", Name: "x", Group: "a"}}); err != nil {
			t.Fatal(err)
		}
		clash := probe("other_key", "eu", t0, true, 0)
		clash.EndpointName, clash.EndpointGroup = "x", "a"
		err := s.WriteBatch(ctx, &Batch{
			FlushUptimes: true,
			Results:      []Result{probe("a_x", "eu", t0, true, 0), clash},
			Events:       []Event{{EndpointKey: "a_x", Type: "FIRED", Time: t0}},
		})
		if err == nil || !strings.Contains(err.Error(), "belongs to another endpoint key") {
			t.Fatalf("WriteBatch with a clashing endpoint: %v, want the clash", err)
		}
		raw := dc.raw(t, cfg)
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_results`); n != 1 {
			t.Errorf("%d results after the failed batch, want the 1 of the first", n)
		}
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_events`); n != 0 {
			t.Errorf("%d events after the failed batch, want 0", n)
		}
		if err := s.WriteBatch(ctx, &Batch{FlushUptimes: true}); err != nil {
			t.Fatal(err)
		}
		got, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Total != 1 {
			t.Fatalf("buckets %+v, want the first batch's one result, flushed once", got)
		}
	})
}

func TestWriteBatchRejectsIncompleteRows(t *testing.T) {
	s := open(t, driverCases[0].config(t))
	for _, tc := range []struct {
		name string
		b    Batch
		want string
	}{
		{"result without agent", Batch{Results: []Result{{EndpointKey: "a_x"}}}, "agent id are required"},
		{"event without type", Batch{Events: []Event{{Time: t0}}}, "type is required"},
		{"event without time", Batch{Events: []Event{{Type: "FIRED"}}}, "time is required"},
		{"event with bad details", Batch{Events: []Event{{Type: "FIRED", Time: t0, Details: json.RawMessage("{")}}}, "not valid JSON"},
		{"run without agent", Batch{Runs: []AgentRun{{EndpointKey: "a_x"}}}, "agent id are required"},
		{"quorum state without endpoint", Batch{QuorumStates: []QuorumState{{}}}, "endpoint key is required"},
		{"seen without agent", Batch{Seen: map[string]time.Time{"": t0}}, "id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.WriteBatch(context.Background(), &tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWriteBatchNeverReplacesStateWithAnOlderRead(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		write := func(at time.Time, failures int, firing bool) {
			t.Helper()
			if err := s.WriteBatch(ctx, &Batch{
				StateAt:      at,
				Runs:         []AgentRun{{EndpointKey: "core_api", ConfigurationChecksum: "c/0", AgentID: "eu", FailuresInARow: failures}},
				QuorumStates: []QuorumState{{EndpointKey: "core_api", ConfigurationChecksum: "c", Firing: firing}},
			}); err != nil {
				t.Fatal(err)
			}
		}
		stored := func() (int, bool) {
			t.Helper()
			runs, err := s.LoadAgentRuns(ctx)
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs %+v, %v", runs, err)
			}
			qs, err := s.LoadQuorumStates(ctx)
			if err != nil || len(qs) != 1 {
				t.Fatalf("quorum states %+v, %v", qs, err)
			}
			return runs[0].FailuresInARow, qs[0].Firing
		}
		// Two writers read the state at t0+2s and t0+1s; the later read
		// commits first.
		write(t0.Add(2*time.Second), 3, true)
		write(t0.Add(time.Second), 1, false)
		if f, firing := stored(); f != 3 || !firing {
			t.Fatalf("stored %d failures, firing %v: the older read replaced the newer", f, firing)
		}
		write(t0.Add(3*time.Second), 0, false)
		if f, firing := stored(); f != 0 || firing {
			t.Fatalf("stored %d failures, firing %v: a newer read was not stored", f, firing)
		}
		// The plain API saves what it is given.
		if err := s.SaveAgentRuns(ctx, []AgentRun{{EndpointKey: "core_api", ConfigurationChecksum: "c/0", AgentID: "eu", FailuresInARow: 7}}); err != nil {
			t.Fatal(err)
		}
		if f, _ := stored(); f != 7 {
			t.Fatalf("SaveAgentRuns stored %d failures, want 7", f)
		}
	})
}

// BenchmarkWriteBatch measures results/s through WriteBatch, for each
// driver, as the central writes them: batches of 2,500 results (what a few
// concurrent agent requests make), the uptime flushed every 20 batches (a
// tick at about 50,000 results/s). Same load as BenchmarkWriteResults.
func BenchmarkWriteBatch(b *testing.B) {
	pool := benchResults(10000)
	for _, dc := range driverCases {
		b.Run(dc.name, func(b *testing.B) {
			s := open(b, dc.config(b))
			ctx := context.Background()
			b.ResetTimer()
			for n, batch := 0, 0; n < b.N; batch++ {
				size := min(2500, b.N-n)
				off := n % len(pool)
				size = min(size, len(pool)-off)
				if err := s.WriteBatch(ctx, &Batch{Results: pool[off : off+size], FlushUptimes: batch%20 == 19}); err != nil {
					b.Fatal(err)
				}
				n += size
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}
