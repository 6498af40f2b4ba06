package e2e

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkDetectionLatency measures, in the end-to-end setup (central and
// three agents, interval 1s, failure-threshold 2, agent-quorum 2), the time
// from a target going down for every agent to the central's
// quorate_endpoint_alert_firing turning 1, polled every 20ms. Each
// iteration heals the target and waits for the alert to resolve first, and
// starts the outage at a random point of the probe interval, since the
// agents' probe phases are fixed. The floor is interval × failure-threshold:
// the wait for the next probe plus (failure-threshold - 1) intervals, at
// worst one interval each. Run it with bench/detection-latency.sh.
func BenchmarkDetectionLatency(b *testing.B) {
	tg := newTarget(b)
	c := startCluster(b, monitoringFile(0, endpointSpec{"latency", tg.healthURL()}), nil)
	const key = "e2e_latency"
	calm := map[string]float64{"alert_firing": 0, "degraded": 0, "triggered_agents": 0, "reporting_agents": 3}
	c.waitEndpoint(b, time.Minute, key, calm)

	// lat is from the outage to the alert; overhead from the moment the
	// target answered the probe that completed the quorum (the
	// failure-threshold-th failure of the agent-quorum-th agent) to the
	// alert: the agents' export, the central's decision, the metric.
	var lat, overhead []time.Duration
	for b.Loop() {
		time.Sleep(rand.N(probeInterval))
		start := time.Now()
		tg.failAll(b)
		for {
			m, err := c.centralMetrics()
			if err != nil {
				b.Fatalf("scrape central: %v", err)
			}
			if m.get("quorate_endpoint_alert_firing", "endpoint_key", key) == 1 {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("the alert did not fire within a minute\n%s", c.logs())
			}
			time.Sleep(20 * time.Millisecond)
		}
		fired := time.Now()
		lat = append(lat, fired.Sub(start))
		var decisive []time.Time
		for _, times := range tg.failedSince(start) {
			if len(times) >= failureThreshold {
				decisive = append(decisive, times[failureThreshold-1])
			}
		}
		slices.SortFunc(decisive, time.Time.Compare)
		if len(decisive) < agentQuorum {
			b.Fatalf("the alert fired with %d agents past the failure threshold at the target, want %d", len(decisive), agentQuorum)
		}
		overhead = append(overhead, fired.Sub(decisive[agentQuorum-1]))
		tg.fail(b) // heal
		c.waitEndpoint(b, time.Minute, key, calm)
	}
	floor := probeInterval * failureThreshold
	lmin, lp50, lmax := spread(lat)
	omin, op50, omax := spread(overhead)
	b.ReportMetric(lmin.Seconds(), "min-s")
	b.ReportMetric(lp50.Seconds(), "p50-s")
	b.ReportMetric(lmax.Seconds(), "max-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(op50.Seconds(), "overhead-p50-s")
	b.Logf("detection latency over %d outages: min %s  p50 %s  max %s; floor interval %s x failure-threshold %d = %s",
		len(lat), ms(lmin), ms(lp50), ms(lmax), probeInterval, failureThreshold, floor)
	b.Logf("after the deciding probe's answer: min %s  p50 %s  max %s", ms(omin), ms(op50), ms(omax))
}

// spread is the minimum, median and maximum of ds.
func spread(ds []time.Duration) (lo, mid, hi time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[0], s[(len(s)-1)/2], s[len(s)-1]
}

func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
