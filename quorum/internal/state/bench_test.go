package state

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkObserve pushes results through the state machine for 1,000
// endpoints monitored by 5 agents each (K=3). Every tenth endpoint goes
// through outages seen by 3 agents, so the machine fires, reminds and
// resolves along the way; the rest stay healthy.
func BenchmarkObserve(b *testing.B) {
	const endpoints, agents = 1000, 5
	cfg := Config{}
	ids := make([]string, agents)
	for j := range ids {
		ids[j] = fmt.Sprintf("agent-%d", j)
		cfg.Agents = append(cfg.Agents, AgentConfig{ID: ids[j], StaleAfter: time.Hour})
	}
	keys := make([]string, endpoints)
	for e := range keys {
		keys[e] = fmt.Sprintf("group_endpoint-%d", e)
		cfg.Endpoints = append(cfg.Endpoints, EndpointConfig{
			Key: keys[e], Checksum: "v1", Agents: ids,
			Alerts: []AlertConfig{{Type: "slack", FailureThreshold: 3, SuccessThreshold: 2, MinimumReminderInterval: 5 * time.Minute, Quorum: 3}},
		})
	}
	m := newMachine(b, cfg)
	events := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e := i % endpoints
		j := (i / endpoints) % agents
		round := i / (endpoints * agents)
		outage := e%10 == 0 && j < 3 && (round/10)%2 == 1
		evs, err := m.Observe(Observation{
			EndpointKey: keys[e],
			AgentID:     ids[j],
			Success:     !outage,
			At:          t0.Add(time.Duration(round) * time.Minute),
		})
		if err != nil {
			b.Fatal(err)
		}
		events += len(evs)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/result")
}
