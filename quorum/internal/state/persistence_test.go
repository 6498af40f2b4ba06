package state

import (
	"slices"
	"testing"
	"time"
)

func TestRestoreDoesNotFireAgain(t *testing.T) {
	cfg := threeAgents(alert(2))
	h := newHarness(t, cfg)
	h.tick()
	for range 3 {
		h.round("a-", "b-", "c+")
	}
	if h.count(Fired) != 1 {
		t.Fatal("did not fire")
	}
	snap := h.m.Snapshot()

	// A restarted central: a new machine with the same config.
	restarted := &harness{t: t, m: newMachine(t, cfg), now: h.now}
	applied, dropped := restarted.m.Restore(snap)
	if dropped != 0 || applied != len(snap.Agents)+len(snap.Runs)+len(snap.Alerts) {
		t.Fatalf("applied %d dropped %d of %d+%d+%d", applied, dropped, len(snap.Agents), len(snap.Runs), len(snap.Alerts))
	}
	wantEvents(t, "first tick after restore", restarted.tick())
	for range 5 {
		wantEvents(t, "incident continues", restarted.round("a-", "b-", "c+"))
	}
	if s := restarted.status(); !s.Firing || s.FiredAt != t0.Add(2*time.Minute) || s.Triggered != 2 {
		t.Errorf("restored status = %+v", s)
	}
	restarted.round("a+", "b+", "c+")
	restarted.round("a+", "b+", "c+")
	if restarted.count(Fired) != 0 || restarted.count(Resolved) != 1 {
		t.Errorf("after restore: fired %d, resolved %d; want 0 and 1", restarted.count(Fired), restarted.count(Resolved))
	}
}

func TestRestoreKeepsDegradedAndStale(t *testing.T) {
	cfg := threeAgents(alert(2))
	h := newHarness(t, cfg)
	h.tick()
	for range 3 {
		h.round("a-", "b+")
	}
	h.now = t0.Add(6 * time.Minute)
	h.observe("a-", "b+")
	wantEvents(t, "c never reported", h.tick(), "agent_stale:c")
	snap := h.m.Snapshot()

	restarted := &harness{t: t, m: newMachine(t, cfg), now: h.now.Add(time.Hour)}
	restarted.m.Restore(snap)
	// The central was down for an hour: no agent is marked stale at once,
	// and c, stale before, is still stale.
	wantEvents(t, "first tick after a long restart", restarted.tick())
	wantEvents(t, "degraded is not announced again", restarted.observe("a-", "b+"))
	if s := restarted.status(); !s.Degraded || s.Reporting != 2 {
		t.Errorf("restored status = %+v", s)
	}
	wantEvents(t, "c comes back", restarted.observe("c+"), "agent_back:c")
}

func TestSnapshotContents(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	for range 3 {
		h.round("a-", "b+")
	}
	s := h.m.Snapshot()
	wantRuns := []RunSnapshot{
		{EndpointKey: "api", Checksum: "v1", AgentID: "a", Failures: 3, Triggered: []int{0}},
		{EndpointKey: "api", Checksum: "v1", AgentID: "b", Successes: 3},
	}
	if !slices.EqualFunc(s.Runs, wantRuns, func(a, b RunSnapshot) bool {
		return a.EndpointKey == b.EndpointKey && a.Checksum == b.Checksum && a.AgentID == b.AgentID &&
			a.Failures == b.Failures && a.Successes == b.Successes && slices.Equal(a.Triggered, b.Triggered)
	}) {
		t.Errorf("runs = %+v\nwant %+v", s.Runs, wantRuns)
	}
	wantAlerts := []AlertSnapshot{{EndpointKey: "api", Checksum: "v1", AlertIndex: 0, Degraded: true}}
	if !slices.Equal(s.Alerts, wantAlerts) {
		t.Errorf("alerts = %+v", s.Alerts)
	}
	if len(s.Agents) != 3 || s.Agents[0] != (AgentSnapshot{AgentID: "a", LastSeen: t0.Add(2 * time.Minute)}) || !s.Agents[2].LastSeen.IsZero() {
		t.Errorf("agents = %+v", s.Agents)
	}
}

func TestRestoreDropsChangedConfiguration(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	for range 3 {
		h.round("a-", "b-")
	}
	snap := h.m.Snapshot()

	changed := threeAgents(alert(3))
	changed.Endpoints[0].Checksum = "v2"
	m := newMachine(t, changed)
	applied, dropped := m.Restore(snap)
	if applied != 3 || dropped != len(snap.Runs)+len(snap.Alerts) {
		t.Errorf("applied %d dropped %d; want only the 3 agents applied", applied, dropped)
	}
	s, _ := m.Endpoint("api")
	if s.Alerts[0].Firing || s.Agents[0].Failures != 0 {
		t.Errorf("state of a changed endpoint was restored: %+v", s)
	}
}

func TestApplyKeepsUnchangedAndResetsChanged(t *testing.T) {
	agents := []AgentConfig{{ID: "a", StaleAfter: staleAfter}, {ID: "b", StaleAfter: staleAfter}}
	endpoint := func(key, sum string, k int) EndpointConfig {
		return EndpointConfig{Key: key, Checksum: sum, Agents: []string{"a", "b"}, Alerts: []AlertConfig{alert(k)}}
	}
	m := newMachine(t, Config{Agents: agents, Endpoints: []EndpointConfig{endpoint("api", "v1", 1), endpoint("web", "v1", 1), endpoint("old", "v1", 1)}})
	for _, key := range []string{"api", "web", "old"} {
		for range 3 {
			if _, err := m.Observe(Observation{EndpointKey: key, AgentID: "a", At: t0}); err != nil {
				t.Fatal(err)
			}
		}
	}

	ch, err := m.Apply(Config{
		Agents:    append(agents[:1:1], AgentConfig{ID: "c", StaleAfter: staleAfter}),
		Endpoints: []EndpointConfig{endpoint("api", "v2", 1), {Key: "web", Checksum: "v1", Agents: []string{"a", "b"}, Alerts: []AlertConfig{alert(1)}}, {Key: "new", Checksum: "v1", Agents: []string{"c"}}},
	})
	if err == nil {
		t.Fatal("accepted endpoints that list removed agent b")
	}
	ch, err = m.Apply(Config{
		Agents:    append(agents, AgentConfig{ID: "c", StaleAfter: staleAfter}),
		Endpoints: []EndpointConfig{endpoint("api", "v2", 2), endpoint("web", "v1", 1), {Key: "new", Checksum: "v1", Agents: []string{"c"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Changes{Added: []string{"new"}, Removed: []string{"old"}, Reset: []string{"api"}, AgentsAdded: []string{"c"}}
	if !slices.Equal(ch.Added, want.Added) || !slices.Equal(ch.Removed, want.Removed) || !slices.Equal(ch.Reset, want.Reset) ||
		!slices.Equal(ch.AgentsAdded, want.AgentsAdded) || len(ch.AgentsRemoved) != 0 {
		t.Errorf("changes = %+v, want %+v", ch, want)
	}

	api, _ := m.Endpoint("api")
	if api.Agents[0].Failures != 0 || api.Alerts[0].Firing || api.Alerts[0].Quorum != 2 || api.Checksum != "v2" {
		t.Errorf("changed endpoint kept its state: %+v", api)
	}
	web, _ := m.Endpoint("web")
	if web.Agents[0].Failures != 3 || !web.Alerts[0].Firing {
		t.Errorf("unchanged endpoint lost its state: %+v", web)
	}
	if _, ok := m.Endpoint("old"); ok {
		t.Error("removed endpoint is still there")
	}
	// The kept endpoint goes on from where it was: no second Fired.
	evs, err := m.Observe(Observation{EndpointKey: "web", AgentID: "a", At: t0.Add(time.Minute)})
	if err != nil || len(evs) != 0 {
		t.Errorf("events %v err %v after apply", summary(evs), err)
	}

	ch, err = m.Apply(Config{Agents: agents[:1], Endpoints: []EndpointConfig{{Key: "solo", Checksum: "v1", Agents: []string{"a"}}}})
	if err != nil || !slices.Equal(ch.AgentsRemoved, []string{"b", "c"}) {
		t.Errorf("removing agents: %+v, %v", ch, err)
	}
	if got := m.Agents(); len(got) != 1 || got[0].ID != "a" {
		t.Errorf("agents after removal = %+v", got)
	}
}
