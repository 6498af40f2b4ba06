package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/internal/result"
)

// BenchmarkSchedulingJitter runs 1000 endpoints on a 200ms interval with
// probes that take 2ms, 64 at a time, for two seconds per iteration, and
// reports the p50, p99 and max lateness of probe starts. Run it with
// -benchtime=1x; ns/op is meaningless here.
func BenchmarkSchedulingJitter(b *testing.B) {
	const endpoints, interval, window = 1000, 200 * time.Millisecond, 2 * time.Second
	var targets []*probe.Target
	for i := range endpoints {
		targets = append(targets, newTarget(b, fmt.Sprintf("e%d", i), interval))
	}
	work := func(ctx context.Context, _ *probe.Target) *result.Result {
		select {
		case <-time.After(2 * time.Millisecond):
		case <-ctx.Done():
		}
		return &result.Result{}
	}
	var mu sync.Mutex
	var lateness []time.Duration
	for b.Loop() {
		s, err := New(Options{AgentID: "bench", MaxConcurrent: 64, Probe: work,
			OnResult: func(*probe.Target, *result.Result) {},
			OnLateness: func(_ *probe.Target, planned, started time.Time) {
				mu.Lock()
				lateness = append(lateness, started.Sub(planned))
				mu.Unlock()
			}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Update(targets); err != nil {
			b.Fatal(err)
		}
		time.Sleep(window)
		s.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lateness) == 0 {
		b.Fatal("no probe ran")
	}
	slices.Sort(lateness)
	at := func(q float64) float64 { return float64(lateness[int(q*float64(len(lateness)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-us")
	b.ReportMetric(at(0.99), "p99-us")
	b.ReportMetric(at(1), "max-us")
	b.ReportMetric(float64(len(lateness)), "probes")
}
