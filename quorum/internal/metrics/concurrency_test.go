package metrics

import (
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/quorum/internal/state"
)

// TestConcurrentUseKeepsCacheAndRegistryInStep hammers every method at once
// (run with -race) and then checks that the cache and the registry agree:
// each cached pair is indexed, and a result after the storm is exported.
func TestConcurrentUseKeepsCacheAndRegistryInStep(t *testing.T) {
	m := New()
	endpoints := []string{"x", "y", "z"}
	agents := []string{"a", "b"}
	status := func(ep string, stale bool) state.EndpointStatus {
		return state.EndpointStatus{
			Key:    ep,
			Agents: []state.AgentRun{run("a", stale, 0), run("b", false)},
			Alerts: []state.QuorumStatus{{AlertIndex: 0, Triggered: 1, Reporting: 2, Quorum: 2, Monitors: 2, Degraded: true}},
		}
	}

	var wg sync.WaitGroup
	const rounds = 500
	for _, ep := range endpoints {
		for _, a := range agents {
			wg.Go(func() {
				for i := range rounds {
					m.ObserveResult(ep, a, Result{Success: i%3 != 0, Duration: time.Duration(i) * time.Millisecond})
				}
			})
		}
	}
	wg.Go(func() {
		for i := range rounds {
			m.SetEndpoint(status(endpoints[i%len(endpoints)], i%2 == 0))
			m.ObserveEvents([]state.Event{{Kind: state.Degraded, EndpointKey: endpoints[i%len(endpoints)]}})
		}
	})
	wg.Go(func() {
		for i := range rounds {
			m.SetAgent(state.AgentStatus{ID: "a", LastSeen: time.Unix(int64(i), 0), Stale: i%2 == 0})
			m.Rejected("a", ReasonRateLimited)
		}
	})
	wg.Go(func() {
		for range rounds / 10 {
			m.Forget([]string{"z"}, nil)
		}
	})
	wg.Go(func() {
		for range rounds / 10 {
			if _, err := m.Registry().Gather(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()

	m.mu.Lock()
	m.pairs.Range(func(k, v any) bool {
		key, p := k.(pairKey), v.(*pair)
		if m.endpoints[key.endpoint] == nil || m.endpoints[key.endpoint].pairs[key.agent] != p {
			t.Errorf("pair %v cached but not indexed by endpoint", key)
		}
		if m.agents[key.agent] == nil || m.agents[key.agent].pairs[key.endpoint] != p {
			t.Errorf("pair %v cached but not indexed by agent", key)
		}
		return true
	})
	m.mu.Unlock()

	m.Forget(endpoints, agents)
	for name := range families(t, m) {
		if name != "quorate_results_rejected_total" { // keeps the unauthenticated counter
			t.Errorf("%s still has series after forgetting everything: %v", name, seriesLabels(t, m, name))
		}
	}
	m.ObserveResult("z", "a", Result{Success: true, Duration: time.Millisecond})
	mustValue(t, m, 1, "quorate_results_total", "agent_id=a", "endpoint_key=z", "success=true")
	mustValue(t, m, 1, "quorate_endpoint_agent_success", "agent_id=a", "endpoint_key=z")
}
