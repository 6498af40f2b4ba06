package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/quorate/quorate/quorum/internal/state"
)

// BenchmarkObserveResult is the hot path: one accepted result for an
// already known pair, spread over 1,000 endpoints x 3 agents.
func BenchmarkObserveResult(b *testing.B) {
	m := New()
	type key struct{ ep, agent string }
	var keys []key
	for i := range 1000 {
		for _, a := range []string{"eu", "us", "ap"} {
			keys = append(keys, key{fmt.Sprintf("group_endpoint-%d", i), a})
		}
	}
	for _, k := range keys {
		m.ObserveResult(k.ep, k.agent, Result{Success: true, Duration: time.Millisecond})
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := keys[i%len(keys)]
		m.ObserveResult(k.ep, k.agent, Result{Success: i%10 != 0, Duration: 42 * time.Millisecond})
		i++
	}
}

// BenchmarkObserveResultParallel is the same from every CPU at once, as
// when several receiver goroutines feed the processor.
func BenchmarkObserveResultParallel(b *testing.B) {
	m := New()
	eps := make([]string, 1000)
	for i := range eps {
		eps[i] = fmt.Sprintf("group_endpoint-%d", i)
		m.ObserveResult(eps[i], "eu", Result{Success: true, Duration: time.Millisecond})
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.ObserveResult(eps[i%len(eps)], "eu", Result{Success: i%10 != 0, Duration: 42 * time.Millisecond})
			i++
		}
	})
}

// BenchmarkSetEndpoint updates one endpoint's quorum gauges, as after a
// result that changed its status.
func BenchmarkSetEndpoint(b *testing.B) {
	m := New()
	st := state.EndpointStatus{
		Key:    "group_endpoint",
		Agents: []state.AgentRun{run("eu", false, 0), run("us", false), run("ap", false)},
		Alerts: []state.QuorumStatus{{AlertIndex: 0, Degraded: true, Triggered: 1, Reporting: 3, Quorum: 2, Monitors: 3}},
	}
	m.SetEndpoint(st)
	b.ReportAllocs()
	for b.Loop() {
		m.SetEndpoint(st)
	}
}
