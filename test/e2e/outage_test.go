package e2e

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outage is how long the central stays down.
const outage = 30 * time.Second

// TestCentralKilledForThirtySeconds kills the central (SIGKILL) while an
// alert fires, keeps it down for 30 seconds and starts it again on the same
// database. Agents eu and us have the example's queue; ap's holds only 5
// results. Every agent records what it produced beside sending it, so each
// result can be looked up in the central's database afterwards.
func TestCentralKilledForThirtySeconds(t *testing.T) {
	t.Parallel()
	down, steady := newTarget(t), newTarget(t)
	down.fail(t, "eu", "us")
	const smallQueue = 5
	c := startCluster(t, monitoringFile(0, endpointSpec{"down", down.healthURL()}, endpointSpec{"steady", steady.healthURL()}),
		map[string]agentOptions{
			"eu": {recordProduced: true},
			"us": {recordProduced: true},
			"ap": {recordProduced: true, queueSize: smallQueue},
		})
	const key = "e2e_down"

	// The alert fires before the outage; its transition record is exported
	// only after it was saved.
	c.waitEndpoint(t, time.Minute, key, map[string]float64{"alert_firing": 1})
	eventually(t, time.Minute, "fired record exported", c.logs, func() (bool, string) {
		n := count(transitionRecords(t, c.transitions), key, "fired")
		return n == 1, fmt.Sprintf("%d fired records", n)
	})

	// Kill it when nothing is on its way: the agents are frozen (SIGSTOP)
	// for longer than the central's store takes to write what it
	// acknowledged. A kill right after an acknowledgement is the separate
	// TestCentralCrashKeepsAcknowledgedResults.
	c.quiet(t, func() { c.central.kill() })
	killed := time.Now()
	time.Sleep(time.Until(killed.Add(outage)))

	// The agents kept probing into their queues; ap's overflowed.
	eu, ap := c.mustAgentMetrics(t, "eu"), c.mustAgentMetrics(t, "ap")
	if q := eu.get("otelcol_exporter_quorate_agent_queue_size"); q <= smallQueue {
		t.Errorf("eu queued %v results during a %s outage, want more than %d", q, outage, smallQueue)
	}
	if q := ap.get("otelcol_exporter_quorate_agent_queue_size"); q != smallQueue {
		t.Errorf("ap queued %v results, want its queue_size %d", q, smallQueue)
	}
	if d := ap.get("otelcol_exporter_quorate_agent_dropped_log_records"); d == 0 {
		t.Errorf("ap dropped nothing from a queue of %d during a %s outage", smallQueue, outage)
	}

	c.startCentral()
	t.Logf("central down for %s", time.Since(killed).Round(time.Millisecond))

	// The queues drain: every agent's queue holds at most the result just
	// produced, and the restored alert still fires without firing again.
	for _, id := range agentIDs {
		eventually(t, 2*time.Minute, "agent "+id+" drains its queue", c.logs, func() (bool, string) {
			m, err := scrape(c.agents[id].telemetry)
			if err != nil {
				return false, err.Error()
			}
			q := m.get("otelcol_exporter_quorate_agent_queue_size")
			return q <= 2, fmt.Sprintf("%v queued", q)
		})
	}
	c.waitResults(t, key, failureThreshold+1, map[string]bool{"eu": false, "us": false, "ap": true})
	m := c.mustCentralMetrics(t)
	if ok, got := endpointIs(m, key, map[string]float64{"alert_firing": 1, "triggered_agents": 2}); !ok {
		t.Errorf("after the restart: %s, want the alert still firing", got)
	}
	if n := m.get("quorate_alert_transitions_total", "endpoint_key", key, "transition", "fired"); n != 0 {
		t.Errorf("the restarted central fired %v more times, want 0", n)
	}

	// Stop everything in order (agents flush their queues first) and count.
	dropped := map[string]float64{}
	for _, id := range agentIDs {
		dropped[id] = c.mustAgentMetrics(t, id).get("otelcol_exporter_quorate_agent_dropped_log_records")
	}
	c.stopAgents(t)
	c.central.stop(t)

	stored := map[string][]resultID{}
	for _, r := range storedResults(t, c.db) {
		stored[r.agent] = append(stored[r.agent], r)
	}
	for _, id := range agentIDs {
		produced := producedResults(t, c.agents[id].produced)
		missing := compareResults(t, id, produced, stored[id])
		t.Logf("agent %s: %d results produced, %d stored, %d missing, %v dropped", id, len(produced), len(stored[id]), len(missing), dropped[id])
		if float64(len(missing)) != dropped[id] {
			t.Errorf("agent %s: %d results produced but not stored, and the agent counted %v dropped", id, len(missing), dropped[id])
		}
		if id != "ap" && len(missing) > 0 {
			t.Errorf("agent %s lost %d results with a queue larger than the outage: %v", id, len(missing), head(missing))
		}
		if id == "ap" {
			checkOldestDropped(t, produced, missing, smallQueue)
		}
	}
	if n := count(storedTransitions(t, c.db), key, "fired"); n != 1 {
		t.Errorf("%d FIRED events stored for %s, want 1: the outage must not fire the alert again", n, key)
	}
}

// compareResults checks that every stored result of agent was produced by
// it and stored once, and returns the produced ones that were not stored,
// in the order they were produced.
func compareResults(t *testing.T, agent string, produced, stored []resultID) []resultID {
	t.Helper()
	times := map[resultID]int{}
	for _, r := range stored {
		times[r]++
	}
	var missing []resultID
	for _, r := range produced {
		switch n := times[r]; {
		case n == 0:
			missing = append(missing, r)
		case n > 1:
			t.Errorf("agent %s: result %s stored %d times", agent, r, n)
		}
		delete(times, r)
	}
	for r := range times {
		t.Errorf("agent %s: stored result %s was never produced", agent, r)
	}
	return missing
}

// checkOldestDropped checks that what a full queue lost is one run of
// consecutive results, followed by the newest ones the queue held until
// the central came back: drop-oldest, never the newest.
func checkOldestDropped(t *testing.T, produced, missing []resultID, queueSize int) {
	t.Helper()
	if len(missing) == 0 {
		return
	}
	first := slices.Index(produced, missing[0])
	for i, r := range missing {
		if first+i >= len(produced) || produced[first+i] != r {
			t.Errorf("the results ap lost are not consecutive: %v", head(missing))
			return
		}
	}
	if kept := len(produced) - (first + len(missing)); kept < queueSize {
		t.Errorf("only %d results after the lost ones were kept, want at least the queue's %d (the newest survive)", kept, queueSize)
	}
}

// head shortens a list of results for a message.
func head(rs []resultID) []resultID {
	return rs[:min(len(rs), 5)]
}

// quiet runs fn while every agent is frozen (SIGSTOP), after the central's
// store has had time to write what it acknowledged (its flush_interval is
// 200ms), then lets the agents go on (SIGCONT). A frozen agent misses no
// probe slot for good: the late ones run when it continues.
func (c *cluster) quiet(t *testing.T, fn func()) {
	t.Helper()
	for _, id := range agentIDs {
		if err := c.agents[id].cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, id := range agentIDs {
			_ = c.agents[id].cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	time.Sleep(time.Second)
	fn()
}

// afterNextResult returns as soon as the central's result counters show a
// result it had not counted before.
func (c *cluster) afterNextResult(t *testing.T) {
	t.Helper()
	total := func() float64 {
		m := c.mustCentralMetrics(t)
		var sum float64
		for line := range strings.Lines(string(m)) {
			if strings.HasPrefix(line, "quorate_results_total{") {
				v, _ := strconv.ParseFloat(strings.TrimSpace(line[strings.LastIndexByte(line, ' ')+1:]), 64)
				sum += v
			}
		}
		return sum
	}
	base := total()
	deadline := time.Now().Add(time.Minute)
	for total() == base {
		if time.Now().After(deadline) {
			t.Fatalf("the central counted no result for a minute\n%s", c.logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCentralCrashKeepsAcknowledgedResults kills the central (SIGKILL) right
// after it acknowledged a result and starts it again: a result the central
// acknowledged is the agent's to forget, so it must be stored.
func TestCentralCrashKeepsAcknowledgedResults(t *testing.T) {
	t.Parallel()
	up := newTarget(t)
	c := startCluster(t, monitoringFile(0, endpointSpec{"up", up.healthURL()}),
		map[string]agentOptions{"eu": {recordProduced: true}, "us": {recordProduced: true}, "ap": {recordProduced: true}})
	c.waitResults(t, "e2e_up", 2, map[string]bool{"eu": true, "us": true, "ap": true})
	c.afterNextResult(t)
	c.central.kill()
	c.startCentral()
	c.waitResults(t, "e2e_up", 2, map[string]bool{"eu": true, "us": true, "ap": true})
	c.stopAgents(t)
	c.central.stop(t)
	stored := map[string][]resultID{}
	for _, r := range storedResults(t, c.db) {
		stored[r.agent] = append(stored[r.agent], r)
	}
	for _, id := range agentIDs {
		if missing := compareResults(t, id, producedResults(t, c.agents[id].produced), stored[id]); len(missing) > 0 {
			t.Errorf("agent %s: %d results the central acknowledged before the crash are not stored: %v", id, len(missing), head(missing))
		}
	}
}
