package receiver

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/receiver/internal/metadata"
)

// listener is a real TCP listener on loopback that can go away and come
// back on the same address: the agent's connectivity target, or a probed
// endpoint that stays up.
type listener struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	ln   net.Listener
	wg   sync.WaitGroup
}

func newListener(t *testing.T) *listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := &listener{t: t, addr: ln.Addr().String()}
	l.serve(ln)
	t.Cleanup(l.down)
	return l
}

func (l *listener) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
}

func (l *listener) down() {
	l.mu.Lock()
	ln := l.ln
	l.ln = nil
	l.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	l.wg.Wait()
}

func (l *listener) up() {
	ln, err := net.Listen("tcp", l.addr)
	require.NoError(l.t, err)
	l.serve(ln)
}

// closedPort is a loopback address nothing listens on: probes of it fail.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// decodedByKey is every result in the sink so far, in order, per endpoint name.
func decodedByKey(t *testing.T, sink *consumertest.LogsSink) map[string][]resultschema.Decoded {
	out := map[string][]resultschema.Decoded{}
	for _, ld := range sink.AllLogs() {
		ds, err := resultschema.DecodeLogs(ld)
		require.NoError(t, err)
		for _, d := range ds {
			out[d.Name] = append(out[d.Name], d)
		}
	}
	return out
}

func countUnknown(ds []resultschema.Decoded) (unknown, known int) {
	for _, d := range ds {
		if d.Unknown {
			unknown++
		} else {
			known++
		}
	}
	return unknown, known
}

func TestFailuresOfAnOfflineAgentAreReportedUnknown(t *testing.T) {
	internet := newListener(t) // the agent's connectivity target
	healthy := newListener(t)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AgentID = "self-check"
	cfg.Endpoints = []EndpointConfig{
		{Name: "down", URL: "tcp://" + closedPort(t), Interval: 20 * time.Millisecond, Conditions: []string{"[CONNECTED] == true"}},
		{Name: "up", URL: "tcp://" + healthy.addr, Interval: 20 * time.Millisecond, Conditions: []string{"[CONNECTED] == true"}},
	}
	// Gatus's nested form, as pasted from a Gatus config.
	cfg.Connectivity = configoptional.Some(ConnectivityConfig{Checker: &ConnectivityCheck{Target: internet.addr, Interval: 50 * time.Millisecond}})
	require.NoError(t, cfg.Validate())

	logs, metrics := new(consumertest.LogsSink), new(consumertest.MetricsSink)
	set := receivertest.NewNopSettings(metadata.Type)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, mr.Start(context.Background(), componenttest.NewNopHost()))

	// Online: failures are failures.
	require.Eventually(t, func() bool {
		_, known := countUnknown(decodedByKey(t, logs)["down"])
		return known >= 2
	}, patience, 5*time.Millisecond)

	// Offline: the same failures become unknown, while successes still count.
	internet.down()
	require.Eventually(t, func() bool {
		unknown, _ := countUnknown(decodedByKey(t, logs)["down"])
		return unknown >= 3
	}, patience, 5*time.Millisecond)
	upWhileOffline := len(decodedByKey(t, logs)["up"])
	require.Eventually(t, func() bool { return len(decodedByKey(t, logs)["up"]) >= upWhileOffline+2 }, patience, 5*time.Millisecond)

	// Back online: failures are failures again.
	internet.up()
	_, knownBefore := countUnknown(decodedByKey(t, logs)["down"])
	require.Eventually(t, func() bool {
		_, known := countUnknown(decodedByKey(t, logs)["down"])
		return known >= knownBefore+2
	}, patience, 5*time.Millisecond)

	require.NoError(t, lr.Shutdown(context.Background()))
	require.NoError(t, mr.Shutdown(context.Background()))

	byKey := decodedByKey(t, logs)
	down := byKey["down"]
	// A probe cut short by shutdown may end after the self-check stopped;
	// it cannot be vouched for either, so it may be unknown.
	if n := len(down); n >= 2 && down[n-1].Unknown && !down[n-2].Unknown {
		down = down[:n-1]
	}
	// In order: failures, then one run of unknowns, then failures again.
	var runs []bool
	for _, d := range down {
		assert.False(t, d.Result.Success)
		assert.False(t, d.Result.Connected)
		if len(runs) == 0 || runs[len(runs)-1] != d.Unknown {
			runs = append(runs, d.Unknown)
		}
	}
	assert.Equal(t, []bool{false, true, false}, runs, "unknown must cover exactly the offline stretch")
	for _, d := range byKey["up"] {
		assert.True(t, d.Result.Success, "a success proves connectivity and is never unknown")
		assert.False(t, d.Unknown)
	}

	// Metrics: an unknown result has no success point; the connectivity
	// gauge went 1, 0, 1.
	unknown, _ := countUnknown(byKey["down"])
	withoutSuccess := 0
	var states []int64
	for _, md := range metrics.AllMetrics() {
		g := gaugesByName(md)
		if c, ok := g["quorate.agent.connectivity"]; ok {
			assert.Len(t, g, 1, "the connectivity gauge travels alone")
			if len(states) == 0 || states[len(states)-1] != c.IntValue() {
				states = append(states, c.IntValue())
			}
			continue
		}
		key, _ := g["quorate.probe.duration"].Attributes().Get("quorate.endpoint.key")
		if _, ok := g["quorate.probe.success"]; !ok {
			assert.Equal(t, "_down", key.Str())
			withoutSuccess++
		}
	}
	assert.Equal(t, unknown, withoutSuccess, "one metrics batch without success per unknown result")
	assert.Equal(t, []int64{1, 0, 1}, states)
}

func TestFailuresCountWithoutConnectivityConfigured(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.Endpoints = []EndpointConfig{
		{Name: "down", URL: "tcp://" + closedPort(t), Interval: 20 * time.Millisecond, Conditions: []string{"[CONNECTED] == true"}},
	}
	logs, metrics := new(consumertest.LogsSink), new(consumertest.MetricsSink)
	set := receivertest.NewNopSettings(metadata.Type)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, mr.Start(context.Background(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return logs.LogRecordCount() >= 2 }, patience, 5*time.Millisecond)
	require.NoError(t, lr.Shutdown(context.Background()))
	require.NoError(t, mr.Shutdown(context.Background()))

	for _, d := range decodedByKey(t, logs)["down"] {
		assert.False(t, d.Unknown)
	}
	for _, md := range metrics.AllMetrics() {
		assert.NotContains(t, gaugesByName(md), "quorate.agent.connectivity")
		assert.Contains(t, gaugesByName(md), "quorate.probe.success")
	}
}

func TestFailureIsCheckedAgainstConnectivityAfterItHappened(t *testing.T) {
	internet := newListener(t)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.Endpoints = []EndpointConfig{
		{Name: "down", URL: "tcp://" + closedPort(t), Interval: 20 * time.Millisecond, Conditions: []string{"[CONNECTED] == true"}},
	}
	// An hour between periodic checks: only the check each failure asks
	// for can notice that the network went away.
	cfg.Connectivity = configoptional.Some(ConnectivityConfig{ConnectivityCheck: ConnectivityCheck{Target: internet.addr, Interval: time.Hour}})
	require.NoError(t, cfg.Validate())
	logs := new(consumertest.LogsSink)
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, logs)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })

	require.Eventually(t, func() bool {
		_, known := countUnknown(decodedByKey(t, logs)["down"])
		return known >= 1
	}, patience, 5*time.Millisecond)
	internet.down()
	require.Eventually(t, func() bool {
		unknown, _ := countUnknown(decodedByKey(t, logs)["down"])
		return unknown >= 2
	}, patience, 5*time.Millisecond, "failures after the network went away must be unknown before the next periodic check")
}
