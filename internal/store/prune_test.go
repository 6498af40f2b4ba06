package store

import (
	"context"
	"testing"
	"time"
)

func TestPruneAppliesEveryRetentionLimit(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		cfg.Retention = RetentionConfig{MaxResultAge: 24 * time.Hour, MaxResultsPerAgent: 5, MaxEventAge: 48 * time.Hour, MaxUptimeAge: 72 * time.Hour}
		s := open(t, cfg)
		now := t0.Add(10 * 24 * time.Hour)
		var rs []Result
		// eu: 3 results too old + 8 recent; us: 4 recent.
		for i := range 3 {
			rs = append(rs, probe("p_ep", "eu", now.Add(-48*time.Hour-time.Duration(i)*time.Minute), true, time.Millisecond))
		}
		for i := range 8 {
			rs = append(rs, probe("p_ep", "eu", now.Add(-time.Duration(i+1)*time.Minute), i%2 == 0, time.Millisecond))
		}
		for i := range 4 {
			rs = append(rs, probe("p_ep", "us", now.Add(-time.Duration(i+1)*time.Minute), true, time.Millisecond))
		}
		// Old buckets: an hour of results 5 days back.
		rs = append(rs, probe("p_ep", "us", now.Add(-5*24*time.Hour), true, time.Millisecond))
		if err := s.WriteResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordEvents(ctx, []Event{
			{EndpointKey: "p_ep", Type: EventFired, Time: now.Add(-72 * time.Hour)},
			{EndpointKey: "p_ep", Type: EventResolved, Time: now.Add(-time.Hour)},
		}); err != nil {
			t.Fatal(err)
		}
		st, err := s.Prune(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		// 3 old eu + the 5-day-old us by age, then 3 of the 8 eu by count.
		if st.Results != 7 || st.Events != 1 || st.Uptimes != 2 {
			t.Errorf("pruned %+v, want 7 results, 1 event, 2 uptime buckets", st)
		}
		for agent, want := range map[string]int64{"eu": 5, "us": 4} {
			if n, _ := s.CountResults(ctx, ResultFilter{AgentID: agent}); n != want {
				t.Errorf("agent %s keeps %d results, want %d", agent, n, want)
			}
		}
		// The newest are kept.
		if n, _ := s.CountResults(ctx, ResultFilter{AgentID: "eu", Since: now.Add(-5 * time.Minute)}); n != 5 {
			t.Errorf("eu keeps %d of its 5 newest results", n)
		}
		evs, _ := s.ListEvents(ctx, EventFilter{})
		if len(evs) != 1 || evs[0].Type != EventResolved {
			t.Errorf("events after prune: %+v, want the recent RESOLVED", evs)
		}
		raw := dc.raw(t, cfg)
		if n := rawCount(t, raw, `SELECT COUNT(*) FROM endpoint_result_conditions`); n != 9*2 {
			t.Errorf("%d condition results after prune, want those of the 9 kept results (18)", n)
		}
		// Nothing more to prune.
		if st, err := s.Prune(ctx, now); err != nil || st != (PruneStats{}) {
			t.Errorf("second prune: %+v, %v; want nothing", st, err)
		}
	})
}

func TestPruneWithoutLimitsKeepsEverything(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		if err := s.WriteResults(ctx, []Result{probe("k_ep", "eu", t0.AddDate(-5, 0, 0), true, 0)}); err != nil {
			t.Fatal(err)
		}
		if st, err := s.Prune(ctx, t0); err != nil || st != (PruneStats{}) {
			t.Errorf("prune without limits: %+v, %v", st, err)
		}
	})
}
