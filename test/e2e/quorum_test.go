package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestQuorumOfThreeAgents runs one cluster through a sequence of faults on
// a shared setup: one agent failing, two failing, recovery, and an agent
// stopped.
func TestQuorumOfThreeAgents(t *testing.T) {
	t.Parallel()
	flaky, steady := newTarget(t), newTarget(t)
	eps := []endpointSpec{{"flaky", flaky.healthURL()}, {"steady", steady.healthURL()}}
	const staleAfter = 5 * time.Second
	c := startCluster(t, monitoringFile(staleAfter, eps...), nil)
	const key = "e2e_flaky"
	all := map[string]bool{"eu": true, "us": true, "ap": true}

	c.waitEndpoint(t, time.Minute, key, map[string]float64{"alert_firing": 0, "degraded": 0, "triggered_agents": 0, "reporting_agents": 3})
	c.waitResults(t, key, 1, all)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"one agent failing is degraded without an alert", func(t *testing.T) {
			flaky.fail(t, "eu")
			c.waitEndpoint(t, time.Minute, key, map[string]float64{"degraded": 1, "triggered_agents": 1, "alert_firing": 0})
			// Hold it for more failures than the threshold needs.
			c.waitResults(t, key, failureThreshold+1, map[string]bool{"eu": false, "us": true, "ap": true})
			m := c.mustCentralMetrics(t)
			if ok, got := endpointIs(m, key, map[string]float64{"alert_firing": 0, "degraded": 1, "triggered_agents": 1}); !ok {
				t.Errorf("after more failures from eu alone: %s, want degraded and not firing", got)
			}
			if n := m.get("quorate_alert_transitions_total", "endpoint_key", key, "transition", "fired"); n != 0 {
				t.Errorf("fired %v times with one agent failing, want 0", n)
			}
		}},
		{"two agents failing fire exactly once", func(t *testing.T) {
			flaky.fail(t, "eu", "us")
			c.waitEndpoint(t, time.Minute, key, map[string]float64{"alert_firing": 1, "degraded": 0, "triggered_agents": 2})
			c.waitResults(t, key, failureThreshold+1, map[string]bool{"eu": false, "us": false, "ap": true})
			c.wantTransitions(t, key, map[string]int{"fired": 1, "resolved": 0})
		}},
		{"recovery resolves exactly once", func(t *testing.T) {
			flaky.fail(t)
			c.waitEndpoint(t, time.Minute, key, map[string]float64{"alert_firing": 0, "degraded": 0, "triggered_agents": 0})
			c.waitResults(t, key, successThreshold+1, all)
			c.wantTransitions(t, key, map[string]int{"fired": 1, "resolved": 1})
		}},
		{"a stopped agent turns stale and counts as unknown", func(t *testing.T) {
			stopped := time.Now()
			c.agents["ap"].stop(t)
			eventually(t, staleAfter+time.Minute, "ap reported stale", c.logs, func() (bool, string) {
				m, err := c.centralMetrics()
				if err != nil {
					return false, err.Error()
				}
				return m.get("quorate_agent_stale", "agent_id", "ap") == 1, "quorate_agent_stale{ap} is 0"
			})
			t.Logf("ap stale %s after it stopped (stale-after %s)", time.Since(stopped).Round(time.Millisecond), staleAfter)
			list, err := c.agentsAPI()
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]bool{"eu": false, "us": false, "ap": true} {
				if list[id].Stale != want {
					t.Errorf("agents API: %s stale=%v, want %v", id, list[id].Stale, want)
				}
			}
			m := c.mustCentralMetrics(t)
			for _, k := range []string{"e2e_flaky", "e2e_steady"} {
				if ok, got := endpointIs(m, k, map[string]float64{"reporting_agents": 2, "triggered_agents": 0}); !ok {
					t.Errorf("%s: %s, want 2 reporting agents with ap unknown", k, got)
				}
				if _, found := m.value("quorate_endpoint_agent_success", "endpoint_key", k, "agent_id", "ap"); found {
					t.Errorf("%s: ap's success series is still exported while ap is stale", k)
				}
				if _, found := m.value("quorate_endpoint_agent_success", "endpoint_key", k, "agent_id", "eu"); !found {
					t.Errorf("%s: eu's success series is missing", k)
				}
			}
			// Unknown is neither failing nor healthy: one more failing agent
			// is still one short of the quorum of 2.
			flaky.fail(t, "eu")
			c.waitEndpoint(t, time.Minute, key, map[string]float64{"degraded": 1, "triggered_agents": 1, "reporting_agents": 2, "alert_firing": 0})
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return // later steps start from the state this one should have left
		}
	}
}

// waitResults waits until each agent named has delivered n more results of
// key to the central with the given outcome (true: success).
func (c *cluster) waitResults(t testing.TB, key string, n int, outcome map[string]bool) {
	t.Helper()
	base := c.mustCentralMetrics(t)
	want := map[string]float64{}
	for id, ok := range outcome {
		want[id] = base.get("quorate_results_total", "endpoint_key", key, "agent_id", id, "success", boolLabel(ok)) + float64(n)
	}
	eventually(t, time.Minute, "results of "+key, c.logs, func() (bool, string) {
		m, err := c.centralMetrics()
		if err != nil {
			return false, err.Error()
		}
		var short []string
		for id, ok := range outcome {
			if got := m.get("quorate_results_total", "endpoint_key", key, "agent_id", id, "success", boolLabel(ok)); got < want[id] {
				short = append(short, id)
			}
		}
		return len(short) == 0, "waiting for " + strings.Join(short, ", ")
	})
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// wantTransitions checks how often key went through each transition, in
// the central's counters and in the transition records it exported.
func (c *cluster) wantTransitions(t *testing.T, key string, want map[string]int) {
	t.Helper()
	m := c.mustCentralMetrics(t)
	for kind, n := range want {
		if got := m.get("quorate_alert_transitions_total", "endpoint_key", key, "transition", kind); got != float64(n) {
			t.Errorf("quorate_alert_transitions_total{%s,%s} = %v, want %d", key, kind, got, n)
		}
	}
	// The records pass the central's batch processor (1s) on their way to
	// the file.
	eventually(t, time.Minute, "transition records of "+key, nil, func() (bool, string) {
		recs := transitionRecords(t, c.transitions)
		ok := true
		var got []string
		for kind, n := range want {
			k := count(recs, key, kind)
			got = append(got, kind+"="+itoa(k))
			ok = ok && k == n
		}
		return ok, strings.Join(got, " ")
	})
}
