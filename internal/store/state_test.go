package store

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestAgentsLastSeenOnlyMovesForward(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		if err := s.UpsertAgents(ctx, []Agent{{ID: "eu", Name: "Europe"}, {ID: "us", Name: "US", LastSeen: t0, StaleAfter: 90 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchAgents(ctx, map[string]time.Time{"eu": t0.Add(time.Minute), "us": t0.Add(-time.Minute), "ap": t0}); err != nil {
			t.Fatal(err)
		}
		// Renaming keeps last_seen; an older time does not move it back.
		if err := s.UpsertAgents(ctx, []Agent{{ID: "eu", Name: "Europe West", LastSeen: t0, StaleAfter: 2 * time.Minute}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []Agent{
			{ID: "ap", Name: "", LastSeen: t0},
			{ID: "eu", Name: "Europe West", LastSeen: t0.Add(time.Minute), StaleAfter: 2 * time.Minute},
			{ID: "us", Name: "US", LastSeen: t0, StaleAfter: 90 * time.Second},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("agents:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestEventsAreRecordedWithEndpointAgentAndDetails(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		events := []Event{
			{EndpointKey: "core_api", Type: EventDegraded, Time: t0, Details: json.RawMessage(`{"triggered":1,"quorum":2}`)},
			{EndpointKey: "core_api", Type: EventFired, Time: t0.Add(time.Minute), Details: json.RawMessage(`{"triggered":2}`)},
			{AgentID: "eu", Type: EventAgentStale, Time: t0.Add(2 * time.Minute)},
			{EndpointKey: "core_api", AgentID: "eu", Type: EventResolved, Time: t0.Add(3 * time.Minute)},
		}
		if err := s.RecordEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		all, err := s.ListEvents(ctx, EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(events) {
			t.Fatalf("%d events, want %d", len(all), len(events))
		}
		for i, e := range all {
			w := events[i]
			if e.EndpointKey != w.EndpointKey || e.AgentID != w.AgentID || e.Type != w.Type || !e.Time.Equal(w.Time) || !sameJSON(t, e.Details, w.Details) {
				t.Errorf("event %d = %+v, want %+v", i, e, w)
			}
		}
		for _, tc := range []struct {
			name string
			f    EventFilter
			want []EventType
		}{
			{"by endpoint", EventFilter{EndpointKey: "core_api"}, []EventType{EventDegraded, EventFired, EventResolved}},
			{"by agent", EventFilter{AgentID: "eu"}, []EventType{EventAgentStale, EventResolved}},
			{"by type", EventFilter{Types: []EventType{EventFired, EventResolved}}, []EventType{EventFired, EventResolved}},
			{"latest two, oldest first", EventFilter{Limit: 2}, []EventType{EventAgentStale, EventResolved}},
		} {
			got, err := s.ListEvents(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var types []EventType
			for _, e := range got {
				types = append(types, e.Type)
			}
			if !reflect.DeepEqual(types, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, types, tc.want)
			}
		}
		for _, bad := range []Event{
			{Type: EventFired, Time: t0, Details: json.RawMessage(`{not json`)},
			{Time: t0},
			{Type: EventFired},
		} {
			if err := s.RecordEvents(ctx, []Event{bad}); err == nil {
				t.Errorf("event %+v accepted", bad)
			}
		}
	})
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func TestAgentRunsAreUniquePerEndpointChecksumAndAgent(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		runs := []AgentRun{
			{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "eu", FailuresInARow: 3, Triggered: true, Since: t0},
			{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "us", FailuresInARow: 1},
			{EndpointKey: "core_api", ConfigurationChecksum: "a2", AgentID: "eu", SuccessesInARow: 4},
		}
		if err := s.SaveAgentRuns(ctx, runs); err != nil {
			t.Fatal(err)
		}
		// The same key again updates the row instead of adding one.
		runs[0] = AgentRun{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "eu", SuccessesInARow: 1, Triggered: true, Since: t0, ResolveKey: "rk"}
		if err := s.SaveAgentRuns(ctx, runs[:1]); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadAgentRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("%d runs, want 3: %+v", len(got), got)
		}
		for i := range got {
			if got[i].UpdatedAt.IsZero() {
				t.Errorf("run %d has no updated_at", i)
			}
			got[i].UpdatedAt = time.Time{}
		}
		if !reflect.DeepEqual(got, runs) {
			t.Errorf("runs:\n got %+v\nwant %+v", got, runs)
		}
		n, err := s.DeleteAgentRuns(ctx, "core_api", []string{"a2"})
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("deleted %d runs of removed checksum a1, want 2", n)
		}
		if n, _ := s.DeleteAgentRuns(ctx, "core_api", nil); n != 1 {
			t.Errorf("deleted %d runs with no checksum kept, want 1", n)
		}
	})
}

func TestAgentRunGivenTwiceInOneSaveKeepsTheLast(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		first := AgentRun{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "eu", FailuresInARow: 1}
		last := AgentRun{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "eu", FailuresInARow: 2, Triggered: true, Since: t0}
		if err := s.SaveAgentRuns(ctx, []AgentRun{first, last}); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadAgentRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].FailuresInARow != 2 || !got[0].Triggered || !got[0].Since.Equal(t0) {
			t.Fatalf("runs %+v, want the last version only", got)
		}
		if err := s.SaveAgentRuns(ctx, []AgentRun{{EndpointKey: "core_api", AgentID: ""}}); err == nil {
			t.Fatal("a run without agent id was saved")
		}
	})
}

func TestQuorumStateAndRunsSurviveARestart(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		cfg := dc.config(t)
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		states := []QuorumState{
			{EndpointKey: "core_api", AlertIndex: 0, ConfigurationChecksum: "a1", Firing: true, FiredAt: t0, LastReminderAt: t0.Add(time.Hour), TriggeredCount: 2, ReportingCount: 3, AgentQuorum: 2, MonitorsCount: 3},
			{EndpointKey: "core_api", AlertIndex: 1, ConfigurationChecksum: "a2", Degraded: true, TriggeredCount: 1, ReportingCount: 3, AgentQuorum: 3, MonitorsCount: 3},
		}
		runs := []AgentRun{{EndpointKey: "core_api", ConfigurationChecksum: "a1", AgentID: "eu", FailuresInARow: 5, Triggered: true, Since: t0}}
		if err := s.SaveQuorumStates(ctx, states); err != nil {
			t.Fatal(err)
		}
		states[1].Degraded, states[1].TriggeredCount = false, 0 // cleared: upsert in place
		if err := s.SaveQuorumStates(ctx, states[1:]); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAgentRuns(ctx, runs); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}

		s = open(t, cfg)
		gotStates, err := s.LoadQuorumStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range gotStates {
			gotStates[i].UpdatedAt = time.Time{}
		}
		if !reflect.DeepEqual(gotStates, states) {
			t.Errorf("quorum states after restart:\n got %+v\nwant %+v", gotStates, states)
		}
		gotRuns, err := s.LoadAgentRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(gotRuns) != 1 || !gotRuns[0].Triggered || gotRuns[0].FailuresInARow != 5 || !gotRuns[0].Since.Equal(t0) {
			t.Errorf("runs after restart: %+v, want %+v", gotRuns, runs)
		}
	})
}

// TestEventsAreOrderedByTimeNotID: two concurrent transactions may number
// events out of the order they happened in; an agent that went stale and
// came back must read as back.
func TestEventsAreOrderedByTimeNotID(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		ctx := context.Background()
		s := open(t, dc.config(t))
		// Back (later) is written first, so it gets the smaller id.
		if err := s.RecordEvents(ctx, []Event{{AgentID: "eu", Type: EventAgentBack, Time: t0.Add(time.Second)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordEvents(ctx, []Event{{AgentID: "eu", Type: EventAgentStale, Time: t0}}); err != nil {
			t.Fatal(err)
		}
		last, err := s.ListEvents(ctx, EventFilter{AgentID: "eu", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(last) != 1 || last[0].Type != EventAgentBack {
			t.Errorf("newest event: %+v, want AGENT_BACK", last)
		}
		all, err := s.ListEvents(ctx, EventFilter{AgentID: "eu"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Type != EventAgentStale || all[1].Type != EventAgentBack {
			t.Errorf("events oldest first: %+v, want AGENT_STALE then AGENT_BACK", all)
		}
	})
}
