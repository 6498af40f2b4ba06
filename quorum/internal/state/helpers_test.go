package state

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is the start of every scenario.
var t0 = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

const staleAfter = 5 * time.Minute

// alert returns an alert with Gatus's default thresholds and quorum k.
func alert(k int) AlertConfig {
	return AlertConfig{Index: 0, Type: "slack", Description: "api down", FailureThreshold: 3, SuccessThreshold: 2, Quorum: k}
}

// threeAgents is one endpoint "api" monitored by a, b and c with alerts.
func threeAgents(alerts ...AlertConfig) Config {
	return Config{
		Agents:    []AgentConfig{{ID: "a", StaleAfter: staleAfter}, {ID: "b", StaleAfter: staleAfter}, {ID: "c", StaleAfter: staleAfter}},
		Endpoints: []EndpointConfig{{Key: "api", Checksum: "v1", Agents: []string{"a", "b", "c"}, Alerts: alerts}},
	}
}

func newMachine(t testing.TB, cfg Config) *Machine {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// harness drives a machine through a scenario, recording every event.
type harness struct {
	t      *testing.T
	m      *Machine
	now    time.Time
	maint  bool
	events []Event
}

func newHarness(t *testing.T, cfg Config) *harness {
	return &harness{t: t, m: newMachine(t, cfg), now: t0}
}

// observe feeds results at the current time: "a-" is a failure of agent a,
// "b+" a success of b. It returns the event summary of these results only.
func (h *harness) observe(results ...string) []string {
	h.t.Helper()
	var got []Event
	for _, r := range results {
		agent, mark := r[:len(r)-1], r[len(r)-1]
		evs, err := h.m.Observe(Observation{EndpointKey: "api", AgentID: agent, Success: mark == '+', At: h.now, InMaintenance: h.maint})
		if err != nil {
			h.t.Fatalf("Observe(%s): %v", r, err)
		}
		got = append(got, evs...)
	}
	h.events = append(h.events, got...)
	return summary(got)
}

// round is one probe interval: every listed result, then a minute passes.
func (h *harness) round(results ...string) []string {
	h.t.Helper()
	s := h.observe(results...)
	h.now = h.now.Add(time.Minute)
	return s
}

func (h *harness) tick() []string {
	evs := h.m.Tick(h.now, func(string) bool { return h.maint })
	h.events = append(h.events, evs...)
	return summary(evs)
}

func (h *harness) status() QuorumStatus {
	h.t.Helper()
	s, ok := h.m.Endpoint("api")
	if !ok || len(s.Alerts) == 0 {
		h.t.Fatal("no alert status for api")
	}
	return s.Alerts[0]
}

// count is how many events of a kind the scenario produced.
func (h *harness) count(kind Kind) int {
	n := 0
	for _, e := range h.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// summary writes events compactly: "fired", "agent_triggered:a",
// "fired#1" for an alert other than index 0.
func summary(events []Event) []string {
	out := []string{}
	for _, e := range events {
		s := e.Kind.String()
		if e.AgentID != "" {
			s += ":" + e.AgentID
		}
		if e.AlertIndex > 0 {
			s += fmt.Sprintf("#%d", e.AlertIndex)
		}
		out = append(out, s)
	}
	return out
}

func wantEvents(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: events [%s], want [%s]", step, strings.Join(got, " "), strings.Join(want, " "))
	}
}
