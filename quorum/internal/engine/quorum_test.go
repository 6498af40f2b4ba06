package engine

import (
	"context"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/state"
)

var (
	allOK    = map[string]bool{"eu": true, "us": true, "ap": true}
	euFails  = map[string]bool{"eu": false, "us": true, "ap": true}
	twoFail  = map[string]bool{"eu": false, "us": false, "ap": true}
	allAgent = []string{"eu", "us", "ap"}
)

func TestOneOfThreeFailingIsDegradedAndNeverFires(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, allOK, allAgent...)
		h.expect()
		h.round(keyAPI, euFails, allAgent...)
		h.expect()
		h.round(keyAPI, euFails, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api")
		for range 5 {
			h.round(keyAPI, euFails, allAgent...)
		}
		h.expect()

		st := alertStatus(t, h, keyAPI)
		if st.Firing || !st.Degraded || st.Triggered != 1 || st.Reporting != 3 {
			t.Fatalf("status %+v, want degraded, not firing, 1 of 3 triggered", st)
		}
		if n := len(h.events(store.EventFired)); n != 0 {
			t.Fatalf("%d FIRED events stored, want 0", n)
		}
		if n := len(h.events(store.EventDegraded)); n != 1 {
			t.Fatalf("%d DEGRADED events stored, want 1", n)
		}
		if got := h.countResults(store.ResultFilter{EndpointKey: keyAPI}); got != 24 {
			t.Fatalf("%d results stored, want 24", got)
		}
	})
}

func TestTwoOfThreeWithQuorumTwoFiresOnceAndResolvesOnce(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect()
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")
		// Saved before the transition was delivered, without a tick: a
		// crash right now would restore it firing.
		if q := storedQuorum(t, h, keyAPI); !q.Firing || !q.FiredAt.Equal(t0) || q.TriggeredCount != 2 {
			t.Fatalf("stored quorum state %+v, want firing since %s with 2 triggered", q, t0)
		}
		for range 4 {
			h.round(keyAPI, twoFail, allAgent...)
		}
		h.expect()

		// us recovers: one triggered agent is below the quorum.
		h.round(keyAPI, euFails, allAgent...)
		h.expect()
		h.round(keyAPI, euFails, allAgent...)
		h.expect("agent_cleared core_api us", "resolved core_api", "degraded core_api")
		h.round(keyAPI, allOK, allAgent...)
		h.round(keyAPI, allOK, allAgent...)
		h.expect("agent_cleared core_api eu", "degraded_cleared core_api")
		h.round(keyAPI, allOK, allAgent...)
		h.expect()

		if n := len(h.events(store.EventFired)); n != 1 {
			t.Fatalf("%d FIRED events stored, want 1", n)
		}
		resolved := h.events(store.EventResolved)
		if len(resolved) != 1 {
			t.Fatalf("%d RESOLVED events stored, want 1", len(resolved))
		}
		if resolved[0].EndpointKey != keyAPI || len(resolved[0].Details) == 0 {
			t.Fatalf("resolved event %+v lacks endpoint or details", resolved[0])
		}
		if st := alertStatus(t, h, keyAPI); st.Firing || st.Degraded || st.Triggered != 0 {
			t.Fatalf("status after recovery %+v, want healthy", st)
		}
	})
}

func TestRemindersArePacedPerQuorum(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")

		h.at(t0.Add(4*time.Minute)).round(keyAPI, twoFail, allAgent...)
		h.expect()
		// Both failing agents report after the interval: one reminder.
		h.at(t0.Add(5*time.Minute)).round(keyAPI, twoFail, allAgent...)
		h.expect("reminder core_api")
		h.at(t0.Add(9*time.Minute)).round(keyAPI, twoFail, allAgent...)
		h.expect()
		h.at(t0.Add(10*time.Minute)).round(keyAPI, twoFail, allAgent...)
		h.expect("reminder core_api")
		if n := len(h.events(store.EventReminder)); n != 2 {
			t.Fatalf("%d REMINDER events stored, want 2", n)
		}
	})
}

func TestStaleAgentsAreUnknownAndComeBack(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.tick(t0) // the extension ticks from the start: the stale clock starts
		h.round(keyAPI, allOK, allAgent...)
		h.at(t0.Add(5*time.Minute)).round(keyAPI, allOK, "us")

		h.tick(t0.Add(9 * time.Minute))
		h.expect()
		h.tick(t0.Add(10 * time.Minute))
		h.expect("agent_stale ap", "agent_stale eu") // agents in id order

		st := alertStatus(t, h, keyAPI)
		if st.Reporting != 1 || !st.CannotReachQuorum {
			t.Fatalf("status %+v, want 1 reporting and quorum unreachable", st)
		}
		if !agentStale(t, h, "eu") || agentStale(t, h, "us") {
			t.Fatal("want eu stale and us not")
		}

		h.at(t0.Add(11*time.Minute)).round(keyAPI, allOK, "eu")
		h.expect("agent_back eu")
		if agentStale(t, h, "eu") {
			t.Fatal("eu still stale after a result")
		}
		if n := len(h.events(store.EventAgentStale)); n != 2 {
			t.Fatalf("%d AGENT_STALE events stored, want 2", n)
		}
		if n := len(h.events(store.EventAgentBack)); n != 1 {
			t.Fatalf("%d AGENT_BACK events stored, want 1", n)
		}
	})
}

func TestMaintenanceHoldsFiringBackUntilTheWindowEnds(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		inWindow := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
		h.at(inWindow).send("eu", keyWeb, false)
		h.expect("agent_triggered _web eu")
		st := alertStatus(t, h, keyWeb)
		if st.Firing || !st.Suppressed {
			t.Fatalf("status in maintenance %+v, want suppressed, not firing", st)
		}
		h.tick(inWindow.Add(29 * time.Minute))
		h.expect()
		h.tick(time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC))
		h.expect("fired _web")
	})
}

func TestRestartRestoresFiringWithoutASecondFire(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")
		// A run that has not triggered yet survives too.
		h.send("ap", keyAPI, false)

		h.restart()
		st := alertStatus(t, h, keyAPI)
		if !st.Firing || st.Triggered != 2 || !st.FiredAt.Equal(t0) {
			t.Fatalf("restored status %+v, want firing since %s with 2 triggered", st, t0)
		}
		h.at(t0.Add(time.Minute)).round(keyAPI, twoFail, "eu", "us")
		h.expect()
		h.send("ap", keyAPI, false)
		h.expect("agent_triggered core_api ap")

		h.restart()
		h.at(t0.Add(2*time.Minute)).round(keyAPI, allOK, allAgent...)
		h.round(keyAPI, allOK, allAgent...)
		h.expect("agent_cleared core_api eu", "agent_cleared core_api us", "resolved core_api",
			"degraded core_api", "agent_cleared core_api ap", "degraded_cleared core_api")
		if n := len(h.events(store.EventFired)); n != 1 {
			t.Fatalf("%d FIRED events stored across restarts, want 1", n)
		}
	})
}

func TestRestartKeepsStaleAgentsStale(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.tick(t0)
		h.round(keyAPI, allOK, allAgent...)
		h.at(t0.Add(5*time.Minute)).round(keyAPI, allOK, "us", "ap")
		h.tick(t0.Add(10 * time.Minute))
		h.expect("agent_stale eu")
		h.restart()
		if !agentStale(t, h, "eu") {
			t.Fatal("eu is not stale after a restart")
		}
		h.at(t0.Add(11*time.Minute)).send("eu", keyAPI, true)
		h.expect("agent_back eu")
	})
}

func alertStatus(t *testing.T, h *harness, key string) state.QuorumStatus {
	t.Helper()
	for _, st := range h.eng.Endpoints() {
		if st.Key == key {
			if len(st.Alerts) != 1 {
				t.Fatalf("%s has %d alerts, want 1", key, len(st.Alerts))
			}
			return st.Alerts[0]
		}
	}
	t.Fatalf("no endpoint %s", key)
	return state.QuorumStatus{}
}

func agentStale(t *testing.T, h *harness, id string) bool {
	t.Helper()
	for _, a := range h.eng.Agents() {
		if a.ID == id {
			return a.Stale
		}
	}
	t.Fatalf("no agent %s", id)
	return false
}

func storedQuorum(t *testing.T, h *harness, key string) store.QuorumState {
	t.Helper()
	states, err := h.eng.Store().LoadQuorumStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range states {
		if q.EndpointKey == key && q.AlertIndex == 0 {
			return q
		}
	}
	t.Fatalf("no stored quorum state of %s", key)
	return store.QuorumState{}
}

func TestUnknownResultsNeverCountTowardQuorum(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, allOK, allAgent...)
		for range 5 {
			for _, a := range []string{"eu", "us"} {
				d := decoded(a, keyAPI, false, h.clock.Now())
				d.Unknown = true
				res, err := h.eng.Ingest(context.Background(), a, []resultschema.Decoded{d})
				if err != nil {
					t.Fatal(err)
				}
				if res.Unknown != 1 || res.Accepted != 0 || len(res.Rejected) != 0 {
					t.Fatalf("ingest of an unknown result = %+v, want Unknown 1 and nothing else", res)
				}
			}
		}
		h.expect()
		if st := alertStatus(t, h, keyAPI); st.Firing || st.Degraded || st.Triggered != 0 {
			t.Fatalf("status %+v after unknown failures, want untouched", st)
		}
		if n := h.countResults(store.ResultFilter{EndpointKey: keyAPI, Success: new(false)}); n != 0 {
			t.Fatalf("%d failed results stored, want unknown ones left out", n)
		}
	})
}
