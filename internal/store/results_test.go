package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestWriteResultsStoresResultsWithTheirAgentAndConditions(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		cfg.Batching.MaxBatchSize = 7 // several transactions per call
		s := open(t, cfg)
		var rs []Result
		for i := range 40 {
			agent := []string{"eu", "us"}[i%2]
			key := []string{"core_api", "core_web"}[i/20]
			rs = append(rs, probe(key, agent, t0.Add(time.Duration(i)*time.Minute), i%5 != 0, 100*time.Millisecond))
		}
		if err := s.WriteResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			f    ResultFilter
			want int64
		}{
			{"all", ResultFilter{}, 40},
			{"one endpoint", ResultFilter{EndpointKey: "core_api"}, 20},
			{"one agent", ResultFilter{AgentID: "eu"}, 20},
			{"endpoint and agent", ResultFilter{EndpointKey: "core_web", AgentID: "us"}, 10},
			{"failures", ResultFilter{Success: boolPtr(false)}, 8},
			{"time window", ResultFilter{Since: t0.Add(10 * time.Minute), Until: t0.Add(20 * time.Minute)}, 10},
			{"unknown endpoint", ResultFilter{EndpointKey: "nope"}, 0},
		} {
			n, err := s.CountResults(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want {
				t.Errorf("%s: %d results, want %d", tc.name, n, tc.want)
			}
		}
		raw := dc.raw(t, cfg)
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_result_conditions`); n != 80 {
			t.Errorf("%d condition results, want 80", n)
		}
		// Stored as Gatus stores them: durations in nanoseconds, errors joined.
		var errs string
		var dur, certExp int64
		if err := queryOne(ctx, raw, `SELECT errors, duration, certificate_expiration FROM endpoint_results WHERE success = $1 ORDER BY endpoint_result_id LIMIT 1`,
			[]any{false}, &errs, &dur, &certExp); err != nil {
			t.Fatal(err)
		}
		if errs != "unexpected status|~|second error" || dur != int64(100*time.Millisecond) || certExp != int64(72*time.Hour) {
			t.Errorf("stored errors %q duration %d cert %d; want Gatus encoding", errs, dur, certExp)
		}
	})
}

func TestWriteResultsAddsToHourlyUptimePerEndpointAndPerAgent(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		// Two hours; second call adds to the buckets the first created.
		batch := []Result{
			probe("a_x", "eu", t0.Add(5*time.Minute), true, 100*time.Millisecond),
			probe("a_x", "us", t0.Add(6*time.Minute), false, 300*time.Millisecond),
			probe("a_x", "eu", t0.Add(65*time.Minute), true, 50*time.Millisecond),
		}
		for range 2 {
			if err := s.WriteResults(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x"})
		if err != nil {
			t.Fatal(err)
		}
		want := []UptimeBucket{
			{EndpointKey: "a_x", Hour: t0, Total: 4, Successful: 2, TotalResponseTime: 800 * time.Millisecond},
			{EndpointKey: "a_x", Hour: t0.Add(time.Hour), Total: 2, Successful: 2, TotalResponseTime: 100 * time.Millisecond},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("endpoint buckets:\n got %+v\nwant %+v", got, want)
		}
		got, err = s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x", AgentID: "us"})
		if err != nil {
			t.Fatal(err)
		}
		want = []UptimeBucket{{EndpointKey: "a_x", AgentID: "us", Hour: t0, Total: 2, Successful: 0, TotalResponseTime: 600 * time.Millisecond}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("agent buckets:\n got %+v\nwant %+v", got, want)
		}
		got, err = s.UptimeBuckets(ctx, UptimeFilter{EndpointKey: "a_x", AgentID: "eu", From: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Total != 2 {
			t.Errorf("eu buckets from the second hour: %+v, want one bucket of 2", got)
		}
	})
}

func TestWriteResultsNamesEndpointsItCreatesAndKeepsUpsertedOnes(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s := open(t, cfg)
		if err := s.UpsertEndpoints(ctx, []Endpoint{{Key: "core_api", Name: "api", Group: "core", ConfigurationChecksum: "c1"}}); err != nil {
			t.Fatal(err)
		}
		created := probe("edge_cdn", "eu", t0, true, time.Millisecond)
		created.EndpointName, created.EndpointGroup = "cdn", "edge"
		if err := s.WriteResults(ctx, []Result{probe("core_api", "eu", t0, true, time.Millisecond), created, probe("_bare", "eu", t0, true, time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		// A changed configuration updates the row in place.
		if err := s.UpsertEndpoints(ctx, []Endpoint{{Key: "core_api", Name: "api", Group: "core", ConfigurationChecksum: "c2"}}); err != nil {
			t.Fatal(err)
		}
		raw := dc.raw(t, cfg)
		for _, tc := range []struct{ key, name, group, checksum string }{
			{"core_api", "api", "core", "c2"},
			{"edge_cdn", "cdn", "edge", ""},
			{"_bare", "_bare", "", ""},
		} {
			var name, group, sum string
			if err := queryOne(ctx, raw, `SELECT endpoint_name, endpoint_group, configuration_checksum FROM endpoints WHERE endpoint_key = $1`,
				[]any{tc.key}, &name, &group, &sum); err != nil {
				t.Fatalf("endpoint %s: %v", tc.key, err)
			}
			if name != tc.name || group != tc.group || sum != tc.checksum {
				t.Errorf("endpoint %s = (%q, %q, %q), want (%q, %q, %q)", tc.key, name, group, sum, tc.name, tc.group, tc.checksum)
			}
		}
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoints`); n != 3 {
			t.Errorf("%d endpoints, want 3", n)
		}
	})
}

func TestWriteResultsRejectsResultsWithoutEndpointOrAgent(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		for _, r := range []Result{probe("", "eu", t0, true, 0), probe("k", "", t0, true, 0)} {
			if err := s.WriteResults(ctx, []Result{probe("ok_1", "eu", t0, true, 0), r}); err == nil {
				t.Errorf("WriteResults accepted %+v", r)
			}
			if err := s.Enqueue(ctx, probe("ok_1", "eu", t0, true, 0), r); err == nil {
				t.Errorf("Enqueue accepted %+v", r)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountResults(ctx, ResultFilter{}); n != 0 {
			t.Errorf("%d results stored from rejected batches", n)
		}
	})
}

func TestEnqueueWritesInBatchesAndFlushWaitsForThem(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		cfg.Batching = BatchingConfig{MaxBatchSize: 100, FlushInterval: time.Hour, QueueSize: 150}
		s := open(t, cfg)
		for i := range 1005 {
			if err := s.Enqueue(ctx, probe("q_ep", "eu", t0.Add(time.Duration(i)*time.Second), true, time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountResults(ctx, ResultFilter{}); n != 1005 {
			t.Errorf("%d results after Flush, want 1005", n)
		}
	})
}

func TestEnqueuedResultsAreWrittenAfterTheFlushInterval(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		cfg.Batching = BatchingConfig{MaxBatchSize: 1000, FlushInterval: 10 * time.Millisecond}
		s := open(t, cfg)
		if err := s.Enqueue(ctx, probe("i_ep", "eu", t0, true, 0), probe("i_ep", "us", t0, true, 0)); err != nil {
			t.Fatal(err)
		}
		// Nobody flushes: only the interval can write them.
		deadline := time.Now().Add(30 * time.Second)
		for {
			n, err := s.CountResults(ctx, ResultFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if n == 2 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d results written without Flush, want 2", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func TestCloseWritesQueuedResultsAndThenRefusesWork(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		cfg.Batching = BatchingConfig{MaxBatchSize: 1000, FlushInterval: time.Hour}
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			if err := s.Enqueue(ctx, probe("c_ep", "eu", t0.Add(time.Duration(i)*time.Second), true, 0)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		for name, err := range map[string]error{
			"Enqueue":      s.Enqueue(ctx, probe("c_ep", "eu", t0, true, 0)),
			"WriteResults": s.WriteResults(ctx, nil),
			"Flush":        s.Flush(ctx),
			"TouchAgents":  s.TouchAgents(ctx, nil),
		} {
			if !errors.Is(err, ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", name, err)
			}
		}
		s2 := open(t, cfg)
		if n, _ := s2.CountResults(ctx, ResultFilter{}); n != 50 {
			t.Errorf("%d results after reopening, want the 50 queued before Close", n)
		}
	})
}
