package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestAssignmentsFollowTheMonitoringFile edits the central's monitoring
// file under running agents: an added endpoint is probed by its agents, a
// removed one stops, and no process restarts.
func TestAssignmentsFollowTheMonitoringFile(t *testing.T) {
	t.Parallel()
	steady := newTarget(t)
	eps := []endpointSpec{{"steady", steady.healthURL()}}
	c := startCluster(t, monitoringFile(0, eps...), nil)
	pids := map[string]int{"central": c.central.pid()}
	for id, a := range c.agents {
		pids[id] = a.pid()
	}
	all := map[string]bool{"eu": true, "us": true, "ap": true}
	added := newTarget(t)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"an endpoint added on the central is probed by every agent", func(t *testing.T) {
			written := time.Now()
			c.writeMonitoring(monitoringFile(0, append(append([]endpointSpec{}, eps...), endpointSpec{"added", added.healthURL()})...))
			eventually(t, time.Minute, "every agent probes the added endpoint", c.logs, func() (bool, string) {
				var missing []string
				for _, id := range agentIDs {
					if added.probes(id) == 0 {
						missing = append(missing, id)
					}
				}
				return len(missing) == 0, "not yet probed by " + strings.Join(missing, ", ")
			})
			for _, id := range agentIDs {
				at, _ := added.firstProbe(id)
				// Logged, not asserted: the bound is refresh_interval plus
				// the endpoint's phase within its interval.
				t.Logf("agent %s first probed the added endpoint %s after the file changed (refresh_interval %s, interval %s)",
					id, at.Sub(written).Round(time.Millisecond), refreshInterval, probeInterval)
			}
			// The central took the new endpoint too: it stores its results.
			c.waitResults(t, "e2e_added", 1, all)
		}},
		{"a removed endpoint stops being probed", func(t *testing.T) {
			c.writeMonitoring(monitoringFile(0, eps...))
			for _, id := range agentIDs {
				a := c.agents[id]
				eventually(t, time.Minute, "agent "+id+" applies the removal", c.logs, func() (bool, string) {
					keys, err := a.cachedKeys()
					if err != nil {
						return false, err.Error()
					}
					return !keys["e2e_added"], "e2e_added still in its assignments"
				})
			}
			before := map[string]int{}
			for _, id := range agentIDs {
				before[id] = added.probes(id)
			}
			// Three probes of the remaining endpoint by each agent: a loop
			// that kept running would have probed the removed one as often.
			steadyBefore := map[string]int{}
			for _, id := range agentIDs {
				steadyBefore[id] = steady.probes(id)
			}
			eventually(t, time.Minute, "three more probes of e2e_steady", c.logs, func() (bool, string) {
				for _, id := range agentIDs {
					if steady.probes(id) < steadyBefore[id]+3 {
						return false, "waiting for " + id
					}
				}
				return true, ""
			})
			for _, id := range agentIDs {
				if n := added.probes(id); n != before[id] {
					t.Errorf("agent %s probed the removed endpoint %d more times after applying the removal", id, n-before[id])
				}
			}
		}},
		{"no process restarted", func(t *testing.T) {
			for name, p := range map[string]*proc{"central": c.central, "eu": c.agents["eu"].proc, "us": c.agents["us"].proc, "ap": c.agents["ap"].proc} {
				if p.exited() || p.pid() != pids[name] {
					t.Errorf("%s exited or was replaced (pid %d, was %d)", name, p.pid(), pids[name])
				}
				if n := strings.Count(p.log(), "Everything is ready"); n != 1 {
					t.Errorf("%s started %d times, want once", name, n)
				}
			}
		}},
		{"results of the remaining endpoints keep reaching the central", func(t *testing.T) {
			// Results of the removed endpoint still in flight when the central
			// reloaded are dropped with a 200; a refusal would stall the queue.
			c.waitResults(t, "e2e_steady", 3, all)
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}
