package receiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/receiver/internal/metadata"
)

// patience bounds waits for probes; far above what a run needs.
const patience = 20 * time.Second

// downTarget is a real HTTP server on loopback that answers 503 and records
// which agents called it.
type downTarget struct {
	*httptest.Server
	mu     sync.Mutex
	agents []string
}

func newDownTarget(t *testing.T) *downTarget {
	d := &downTarget{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.agents = append(d.agents, r.Header.Get("X-Quorate-Agent"))
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"DOWN"}`))
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *downTarget) calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.agents...)
}

func TestProbesFlowIntoLogsAndMetricsFromOneScheduler(t *testing.T) {
	srv := newDownTarget(t)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AgentID = "e2e-agent"
	cfg.Endpoints = []EndpointConfig{
		{Name: "health", Group: "demo", URL: srv.URL + "/health", Interval: 50 * time.Millisecond,
			Conditions: []string{"[STATUS] == 200"}, ExtraLabels: map[string]string{"team": "sre"}},
		{Name: "paused", URL: srv.URL + "/paused", Interval: 50 * time.Millisecond,
			Conditions: []string{"[STATUS] == 200"}, Enabled: new(bool)},
	}
	require.NoError(t, cfg.Validate())

	logs, metrics := new(consumertest.LogsSink), new(consumertest.MetricsSink)
	set := receivertest.NewNopSettings(metadata.Type)
	f := NewFactory()
	lr, err := f.CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	mr, err := f.CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	assert.Same(t, lr, mr, "pipelines with the same config must share one receiver")

	host := componenttest.NewNopHost()
	require.NoError(t, lr.Start(context.Background(), host))
	require.NoError(t, mr.Start(context.Background(), host))
	require.Eventually(t, func() bool { return logs.LogRecordCount() >= 3 }, patience, 5*time.Millisecond)
	require.NoError(t, lr.Shutdown(context.Background()))
	require.NoError(t, mr.Shutdown(context.Background()))

	var decoded []resultschema.Decoded
	for _, ld := range logs.AllLogs() {
		d, err := resultschema.DecodeLogs(ld)
		require.NoError(t, err)
		decoded = append(decoded, d...)
	}
	require.GreaterOrEqual(t, len(decoded), 3)
	for _, d := range decoded {
		assert.Equal(t, "e2e-agent", d.AgentID)
		assert.Equal(t, "demo_health", d.Key, "a disabled endpoint must not be probed")
		assert.Equal(t, endpoint.TypeHTTP, d.Type)
		assert.Equal(t, srv.URL+"/health", d.URL)
		assert.Equal(t, map[string]string{"team": "sre"}, d.Labels)
		assert.False(t, d.Result.Success)
		assert.Equal(t, 503, d.Result.HTTPStatus)
		assert.True(t, d.Result.Connected)
		assert.Empty(t, d.Result.Errors)
		assert.Equal(t, []result.ConditionResult{{Condition: "[STATUS] (503) == 200", Success: false}}, d.Result.ConditionResults)
		assert.Positive(t, d.Result.Duration)
	}

	// One scheduler: every probe hit the server once and produced one log
	// record and one metrics batch. (Two would double the server's calls.)
	calls := srv.calls()
	assert.Len(t, metrics.AllMetrics(), len(decoded))
	assert.True(t, len(calls) == len(decoded) || len(calls) == len(decoded)+1,
		"server saw %d calls for %d results; at most one probe may be cut short by shutdown", len(calls), len(decoded))
	for _, a := range calls {
		assert.Equal(t, "e2e-agent", a, "agent_header defaults to on")
	}

	md := metrics.AllMetrics()[0]
	agent, ok := md.ResourceMetrics().At(0).Resource().Attributes().Get("quorate.agent.id")
	require.True(t, ok)
	assert.Equal(t, "e2e-agent", agent.Str())
	gauges := gaugesByName(md)
	assert.EqualValues(t, 503, gauges["quorate.probe.status"].IntValue())
	assert.EqualValues(t, 0, gauges["quorate.probe.success"].IntValue())
	assert.EqualValues(t, 1, gauges["quorate.probe.connected"].IntValue())
	assert.Positive(t, gauges["quorate.probe.duration"].DoubleValue())
	assert.NotContains(t, gauges, "quorate.probe.certificate.expires_in", "plain HTTP has no certificate")
	key, _ := gauges["quorate.probe.status"].Attributes().Get("quorate.endpoint.key")
	assert.Equal(t, "demo_health", key.Str())
}

func TestAgentHeaderCanBeTurnedOff(t *testing.T) {
	srv := newDownTarget(t)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AgentHeader = false
	cfg.Endpoints = []EndpointConfig{{Name: "h", URL: srv.URL, Interval: 20 * time.Millisecond, Conditions: []string{"[STATUS] == 503"}}}
	logs := new(consumertest.LogsSink)
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, logs)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return logs.LogRecordCount() >= 1 }, patience, 5*time.Millisecond)
	require.NoError(t, r.Shutdown(context.Background()))

	d, err := resultschema.DecodeLogs(logs.AllLogs()[0])
	require.NoError(t, err)
	assert.True(t, d[0].Result.Success, "conditions: %v errors: %v", d[0].Result.ConditionResults, d[0].Result.Errors)
	require.NotEmpty(t, srv.calls())
	for _, a := range srv.calls() {
		assert.Empty(t, a)
	}
}

func TestShutdownWithoutStartIsSafe(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	r, err := NewFactory().CreateMetrics(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()))
}

func gaugesByName(md pmetric.Metrics) map[string]pmetric.NumberDataPoint {
	out := map[string]pmetric.NumberDataPoint{}
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		out[ms.At(i).Name()] = ms.At(i).Gauge().DataPoints().At(0)
	}
	return out
}
