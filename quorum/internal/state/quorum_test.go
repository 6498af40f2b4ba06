package state

import (
	"slices"
	"testing"
	"time"
)

func TestOneOfThreeFailingIsDegradedWithoutFiring(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	wantEvents(t, "round 1", h.round("a-", "b+", "c+"))
	wantEvents(t, "round 2", h.round("a-", "b+", "c+"))
	wantEvents(t, "round 3", h.round("a-", "b+", "c+"), "agent_triggered:a", "degraded")
	for range 10 {
		wantEvents(t, "later rounds", h.round("a-", "b+", "c+"))
	}
	s := h.status()
	if s.Firing || !s.Degraded || s.Triggered != 1 || s.Reporting != 3 || s.Quorum != 2 || s.Monitors != 3 {
		t.Errorf("status = %+v, want degraded, not firing, 1 of 3 triggered, K=2", s)
	}
	if h.count(Fired) != 0 {
		t.Errorf("fired %d times with 1 of 3 failing and K=2", h.count(Fired))
	}
	wantEvents(t, "recovery", append(h.round("a+"), h.round("a+")...), "agent_cleared:a", "degraded_cleared")
}

func TestTwoOfThreeWithQuorumTwoFiresOnce(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	h.round("a-", "b-", "c+")
	h.round("a-", "b-", "c+")
	wantEvents(t, "round 3", h.round("a-", "b-", "c+"),
		"agent_triggered:a", "degraded", "agent_triggered:b", "degraded_cleared", "fired")
	for range 20 {
		wantEvents(t, "continued failures without reminders", h.round("a-", "b-", "c+"))
	}
	if h.count(Fired) != 1 {
		t.Errorf("fired %d times, want exactly once", h.count(Fired))
	}
	s := h.status()
	if !s.Firing || s.Degraded || s.Triggered != 2 || s.FiredAt != t0.Add(2*time.Minute) {
		t.Errorf("status = %+v, want firing since %s", s, t0.Add(2*time.Minute))
	}
	fired := h.events[len(h.events)-1]
	for _, e := range h.events {
		if e.Kind == Fired {
			fired = e
		}
	}
	want := Event{Kind: Fired, At: t0.Add(2 * time.Minute), EndpointKey: "api", Checksum: "v1", AlertIndex: 0, AlertType: "slack", Description: "api down", Triggered: 2, Reporting: 3, Quorum: 2, Monitors: 3}
	if fired != want {
		t.Errorf("fired event =\n%+v\nwant\n%+v", fired, want)
	}
}

func TestRecoveryResolvesOnce(t *testing.T) {
	a := alert(2)
	a.SendOnResolved = true
	h := newHarness(t, threeAgents(a))
	for range 3 {
		h.round("a-", "b-", "c+")
	}
	wantEvents(t, "first success", h.round("a+", "b+", "c+"))
	wantEvents(t, "second success", h.round("a+", "b+", "c+"),
		"agent_cleared:a", "resolved", "degraded", "agent_cleared:b", "degraded_cleared")
	for range 10 {
		wantEvents(t, "healthy rounds", h.round("a+", "b+", "c+"))
	}
	if h.count(Resolved) != 1 {
		t.Fatalf("resolved %d times, want once", h.count(Resolved))
	}
	for _, e := range h.events {
		if e.Kind == Resolved && (!e.SendOnResolved || e.FiredAt != t0.Add(2*time.Minute) || e.Triggered != 1) {
			t.Errorf("resolved event = %+v, want send-on-resolved, fired-at and 1 triggered", e)
		}
	}
	if s := h.status(); s.Firing || s.Degraded || s.Triggered != 0 {
		t.Errorf("status after recovery = %+v", s)
	}
}

func TestRemindersArePacedPerQuorum(t *testing.T) {
	a := alert(2)
	a.MinimumReminderInterval = 5 * time.Minute
	h := newHarness(t, threeAgents(a))
	var reminders []time.Duration
	for range 20 {
		at := h.now.Sub(t0)
		// Both triggered agents fail every minute: one reminder per 5m,
		// not one per agent.
		for _, s := range h.round("a-", "b-", "c+") {
			if s == "reminder" {
				reminders = append(reminders, at)
			}
		}
	}
	// Fired at 2m; reminders 5m after the last notification.
	want := []time.Duration{7 * time.Minute, 12 * time.Minute, 17 * time.Minute}
	if !slices.Equal(reminders, want) {
		t.Fatalf("reminders at %v, want %v", reminders, want)
	}

	// A success from the healthy agent is no failed evaluation: no reminder.
	h.now = t0.Add(30 * time.Minute)
	wantEvents(t, "success of the healthy agent", h.observe("c+"))
	// Nor is a Tick.
	wantEvents(t, "tick", h.tick())
	// Maintenance holds reminders back.
	h.maint = true
	wantEvents(t, "failure in maintenance", h.observe("a-"))
	h.maint = false
	wantEvents(t, "failure after maintenance", h.observe("a-"), "reminder")
}

func TestReminderNeedsFailuresAtThreshold(t *testing.T) {
	// As in Gatus: after a success, a triggered agent's failure run starts
	// over, and it reminds only once the run is back at the threshold.
	a := alert(1)
	a.MinimumReminderInterval = 5 * time.Minute
	cfg := threeAgents(a)
	h := newHarness(t, cfg)
	for range 3 {
		h.round("a-")
	}
	h.now = h.now.Add(10 * time.Minute)
	h.observe("a+")
	wantEvents(t, "first failure after a success", h.observe("a-"))
	wantEvents(t, "second", h.observe("a-"))
	wantEvents(t, "third", h.observe("a-"), "reminder")
}

func TestStaleAgentsAreUnknown(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	wantEvents(t, "first tick starts the silence clock", h.tick())
	for range 3 {
		h.round("a-", "b-", "c+")
	}
	if h.count(Fired) != 1 {
		t.Fatal("did not fire with a and b triggered")
	}

	// a falls silent; b and c keep reporting.
	h.now = t0.Add(7 * time.Minute)
	h.observe("b-", "c+")
	wantEvents(t, "a silent for stale-after", h.tick(), "agent_stale:a")
	s := h.status()
	if !s.Firing || s.Triggered != 1 || s.Reporting != 2 || s.CannotReachQuorum {
		t.Errorf("status = %+v, want still firing (a's verdict holds), 1 triggered of 2 reporting", s)
	}
	if h.count(Resolved) != 0 {
		t.Fatal("an agent going stale resolved the incident")
	}

	// b recovers: only stale a's verdict is left, fewer than K.
	wantEvents(t, "b recovers", h.observe("b+", "b+"), "agent_cleared:b", "resolved")

	// b falls silent too: one agent reports, K=2 cannot be reached.
	h.now = t0.Add(12 * time.Minute)
	h.observe("c+")
	wantEvents(t, "b silent", h.tick(), "agent_stale:b")
	s = h.status()
	if !s.CannotReachQuorum || s.Reporting != 1 || s.Triggered != 0 {
		t.Errorf("status = %+v, want cannot reach quorum with 1 reporting", s)
	}
	if st := h.m.Agents(); !st[0].Stale || !st[1].Stale || st[2].Stale || st[0].LastSeen != t0.Add(2*time.Minute) {
		t.Errorf("agents = %+v", st)
	}
}

func TestStaleTriggeredAgentDoesNotCountTowardFiring(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	h.tick()
	for range 3 {
		h.round("a-", "b+", "c+")
	}
	h.now = t0.Add(10 * time.Minute)
	h.observe("b+", "c+")
	wantEvents(t, "triggered a goes stale", h.tick(), "agent_stale:a", "degraded_cleared")
	for range 2 {
		h.round("b-", "c+")
	}
	wantEvents(t, "b triggers while a is stale", h.round("b-", "c+"), "agent_triggered:b", "degraded")
	if h.count(Fired) != 0 {
		t.Fatal("fired counting a stale agent")
	}
	wantEvents(t, "a comes back failing", h.observe("a-"), "agent_back:a", "degraded_cleared", "fired")
}

func TestTouchBringsAnAgentBack(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	h.tick()
	h.now = t0.Add(staleAfter)
	wantEvents(t, "all silent", h.tick(), "agent_stale:a", "agent_stale:b", "agent_stale:c")
	evs, err := h.m.Touch("b", h.now)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents(t, "touch", summary(evs), "agent_back:b")
	if evs, _ := h.m.Touch("b", h.now); len(evs) != 0 {
		t.Errorf("touching a live agent emitted %v", summary(evs))
	}
	if _, err := h.m.Touch("nobody", h.now); err == nil {
		t.Error("touching an unknown agent succeeded")
	}
}

func TestNeverSeenAgentGetsStaleAfterFromFirstTick(t *testing.T) {
	h := newHarness(t, threeAgents(alert(1)))
	h.now = t0.Add(time.Hour) // the first tick comes late
	wantEvents(t, "first tick", h.tick())
	h.now = h.now.Add(staleAfter - time.Second)
	wantEvents(t, "just before stale-after", h.tick())
	h.now = h.now.Add(time.Second)
	wantEvents(t, "at stale-after", h.tick(), "agent_stale:a", "agent_stale:b", "agent_stale:c")
}

func TestMaintenanceSuppressesFiring(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	h.maint = true
	h.round("a-", "b-", "c+")
	h.round("a-", "b-", "c+")
	wantEvents(t, "quorum reached in maintenance", h.round("a-", "b-", "c+"),
		"agent_triggered:a", "degraded", "agent_triggered:b", "degraded_cleared")
	for range 5 {
		wantEvents(t, "still in maintenance", h.round("a-", "b-", "c+"))
	}
	if s := h.status(); s.Firing || !s.Suppressed || s.Degraded {
		t.Errorf("status in maintenance = %+v, want suppressed", s)
	}

	// The window ends and the quorum still holds: fire then.
	h.maint = false
	wantEvents(t, "maintenance over", h.tick(), "fired")

	// Recovery during the next window is not announced until it ends.
	h.maint = true
	h.round("a+", "b+", "c+")
	wantEvents(t, "recovered in maintenance", h.round("a+", "b+", "c+"), "agent_cleared:a", "agent_cleared:b")
	if !h.status().Firing {
		t.Error("resolved during maintenance")
	}
	h.maint = false
	wantEvents(t, "maintenance over again", h.tick(), "resolved")
	if h.count(Fired) != 1 || h.count(Resolved) != 1 {
		t.Errorf("fired %d and resolved %d times, want once each", h.count(Fired), h.count(Resolved))
	}
}

func TestMaintenanceEndingWithoutQuorumDoesNotFire(t *testing.T) {
	h := newHarness(t, threeAgents(alert(2)))
	h.maint = true
	for range 3 {
		h.round("a-", "b-", "c+")
	}
	for range 2 {
		h.round("a+", "b+", "c+")
	}
	h.maint = false
	wantEvents(t, "window ends after recovery", h.tick())
	if h.count(Fired) != 0 {
		t.Error("fired for an incident that ended inside the window")
	}
}

func TestAgentRunsFollowGatus(t *testing.T) {
	// One agent, K=1, failure-threshold 3, success-threshold 2.
	cfg := Config{
		Agents:    []AgentConfig{{ID: "a", StaleAfter: staleAfter}},
		Endpoints: []EndpointConfig{{Key: "api", Checksum: "v1", Agents: []string{"a"}, Alerts: []AlertConfig{alert(1)}}},
	}
	tests := []struct {
		results       string
		triggered     bool
		fired, solved int
	}{
		{results: "--", triggered: false},
		{results: "---", triggered: true, fired: 1},
		{results: "--+-", triggered: false},
		{results: "---+", triggered: true, fired: 1},
		{results: "---+-", triggered: true, fired: 1},
		{results: "---+---", triggered: true, fired: 1},
		{results: "---++", triggered: false, fired: 1, solved: 1},
		{results: "---+-++", triggered: false, fired: 1, solved: 1},
		{results: "---++---", triggered: true, fired: 2, solved: 1},
	}
	for _, tt := range tests {
		t.Run(tt.results, func(t *testing.T) {
			h := newHarness(t, cfg)
			for _, r := range tt.results {
				h.round("a" + string(r))
			}
			s := h.status()
			if (s.Triggered == 1) != tt.triggered || h.count(Fired) != tt.fired || h.count(Resolved) != tt.solved {
				t.Errorf("triggered %v fired %d resolved %d, want %v %d %d", s.Triggered == 1, h.count(Fired), h.count(Resolved), tt.triggered, tt.fired, tt.solved)
			}
			if h.count(AgentTriggered) != tt.fired {
				t.Errorf("agent triggered %d times, want %d", h.count(AgentTriggered), tt.fired)
			}
		})
	}
}

func TestAlertsOfOneEndpointHaveTheirOwnQuorum(t *testing.T) {
	slack := AlertConfig{Index: 0, Type: "slack", FailureThreshold: 1, SuccessThreshold: 1, Quorum: 1}
	// Index 1 is a disabled alert in the file: it is not in the config.
	pager := AlertConfig{Index: 2, Type: "pagerduty", FailureThreshold: 3, SuccessThreshold: 2, Quorum: 2}
	h := newHarness(t, threeAgents(slack, pager))
	wantEvents(t, "round 1", h.round("a-", "b+", "c+"), "agent_triggered:a", "fired")
	wantEvents(t, "round 2", h.round("a-", "b-", "c+"), "agent_triggered:b")
	wantEvents(t, "round 3", h.round("a-", "b-", "c+"), "agent_triggered:a#2", "degraded#2")
	wantEvents(t, "round 4", h.round("a-", "b-", "c+"), "agent_triggered:b#2", "degraded_cleared#2", "fired#2")
	s, _ := h.m.Endpoint("api")
	if len(s.Alerts) != 2 || s.Alerts[1].AlertIndex != 2 || !s.Alerts[0].Firing || !s.Alerts[1].Firing {
		t.Errorf("alerts = %+v", s.Alerts)
	}
	if !slices.Equal(s.Agents[0].Triggered, []int{0, 2}) {
		t.Errorf("a triggered for %v, want [0 2]", s.Agents[0].Triggered)
	}
	wantEvents(t, "recovery", h.round("a+", "b+", "c+"), "agent_cleared:a", "agent_cleared:b", "resolved")
}

func TestEndpointWithoutAlertsKeepsRuns(t *testing.T) {
	h := newHarness(t, threeAgents())
	wantEvents(t, "failures", h.round("a-", "a-", "a-", "a-"))
	s, _ := h.m.Endpoint("api")
	if len(s.Alerts) != 0 || s.Agents[0].Failures != 4 || !s.Agents[0].Observed() || s.Agents[0].LastSuccess() || s.Agents[1].Observed() {
		t.Errorf("status = %+v", s)
	}
}

func TestObserveRejectsWhatTheConfigDoesNotAllow(t *testing.T) {
	m := newMachine(t, Config{
		Agents:    []AgentConfig{{ID: "a", StaleAfter: staleAfter}, {ID: "z", StaleAfter: staleAfter}},
		Endpoints: []EndpointConfig{{Key: "api", Agents: []string{"a"}}},
	})
	tests := []struct {
		name string
		obs  Observation
	}{
		{name: "unknown endpoint", obs: Observation{EndpointKey: "nope", AgentID: "a"}},
		{name: "agent not in monitored-by", obs: Observation{EndpointKey: "api", AgentID: "z"}},
		{name: "unknown agent", obs: Observation{EndpointKey: "api", AgentID: "ghost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := m.Observe(tt.obs); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestApplyRefusesInconsistentConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "unknown agent", cfg: Config{Endpoints: []EndpointConfig{{Key: "api", Agents: []string{"a"}}}}},
		{name: "quorum above agents", cfg: Config{
			Agents:    []AgentConfig{{ID: "a", StaleAfter: time.Minute}},
			Endpoints: []EndpointConfig{{Key: "api", Agents: []string{"a"}, Alerts: []AlertConfig{alert(2)}}},
		}},
		{name: "zero stale-after", cfg: Config{Agents: []AgentConfig{{ID: "a"}}}},
		{name: "duplicate endpoint", cfg: Config{
			Agents:    []AgentConfig{{ID: "a", StaleAfter: time.Minute}},
			Endpoints: []EndpointConfig{{Key: "api", Agents: []string{"a"}}, {Key: "api", Agents: []string{"a"}}},
		}},
		{name: "zero threshold", cfg: Config{
			Agents:    []AgentConfig{{ID: "a", StaleAfter: time.Minute}},
			Endpoints: []EndpointConfig{{Key: "api", Agents: []string{"a"}, Alerts: []AlertConfig{{Quorum: 1}}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
}
