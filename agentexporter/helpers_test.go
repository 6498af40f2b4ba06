package agentexporter

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/quorate/quorate/agentexporter/internal/metadata"
)

// eventually is the generous wait for delivery; tests never assert speed.
const eventually = 20 * time.Second

// harness is one agent exporter with observable logs and telemetry.
type harness struct {
	t         *testing.T
	exp       *agentExporter
	logs      *observer.ObservedLogs
	telemetry *componenttest.Telemetry
}

func testConfig(endpoint string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = endpoint
	cfg.AgentID = "agent-1"
	cfg.Token = "agent-1-token"
	cfg.Retry = RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond}
	return cfg
}

// newHarness creates the exporter; start it with h.start, or not, to fill
// its queue first.
func newHarness(t *testing.T, cfg *Config) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zapcore.DebugLevel)
	tel := componenttest.NewTelemetry()
	set := exportertest.NewNopSettings(metadata.Type)
	// A stable id, as in a collector: storage files are named after it.
	set.ID = component.NewID(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	exp, err := newAgentExporter(cfg, set)
	require.NoError(t, err)
	h := &harness{t: t, exp: exp, logs: logs, telemetry: tel}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), eventually)
		defer cancel()
		assert.NoError(t, exp.Shutdown(ctx))
		assert.NoError(t, tel.Shutdown(ctx))
	})
	return h
}

func (h *harness) start() {
	h.t.Helper()
	require.NoError(h.t, h.exp.Start(context.Background(), componenttest.NewNopHost()))
}

// push sends records numbered from..to-1, one batch each as the probe
// receiver does, under a resource claiming another agent.
func (h *harness) push(from, to int) {
	h.t.Helper()
	for i := from; i < to; i++ {
		require.NoError(h.t, h.exp.ConsumeLogs(context.Background(), numbered(i, 1)))
	}
}

func numbered(first, count int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(AgentIDAttribute, "impostor")
	rl.Resource().Attributes().PutStr("service.name", "quorate")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range count {
		sl.LogRecords().AppendEmpty().Body().SetInt(int64(first + i))
	}
	return ld
}

// counter reads one of the exporter's monotonic counters; 0 when it was
// never incremented.
func (h *harness) counter(name string) int64 {
	h.t.Helper()
	m, err := h.telemetry.GetMetric(name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(h.t, ok, "%s is %T", name, m.Data)
	var total int64
	for _, dp := range sum.DataPoints {
		total += dp.Value
	}
	return total
}

func (h *harness) gauge(name string) int64 {
	h.t.Helper()
	m, err := h.telemetry.GetMetric(name)
	require.NoError(h.t, err)
	g, ok := m.Data.(metricdata.Gauge[int64])
	require.True(h.t, ok, "%s is %T", name, m.Data)
	require.Len(h.t, g.DataPoints, 1)
	return g.DataPoints[0].Value
}

const (
	droppedMetric  = "otelcol_exporter_quorate_agent_dropped_log_records"
	sentMetric     = "otelcol_exporter_quorate_agent_sent_log_records"
	rejectedMetric = "otelcol_exporter_quorate_agent_rejected_log_records"
	failedMetric   = "otelcol_exporter_quorate_agent_send_failed_requests"
	queueMetric    = "otelcol_exporter_quorate_agent_queue_size"
	capMetric      = "otelcol_exporter_quorate_agent_queue_capacity"
)

// fakeClock replaces the sender's timer: it records every wait asked for
// and lets it pass after a millisecond, so tests check what the exporter
// would wait without waiting.
type fakeClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (c *fakeClock) after(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	return time.After(time.Millisecond)
}

func (c *fakeClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// freeAddr is a loopback address nothing listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// otlpCentral is the collector's own OTLP receiver on addr, delivering to
// a sink: the real protocol stack central runs.
type otlpCentral struct {
	sink *consumertest.LogsSink
	rcv  receiver.Logs
}

func startOTLPCentral(t *testing.T, addr string) *otlpCentral {
	t.Helper()
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]()
	httpCfg := cfg.Protocols.HTTP.GetOrInsertDefault()
	httpCfg.ServerConfig.NetAddr.Endpoint = addr
	httpCfg.ServerConfig.IncludeMetadata = true
	c := &otlpCentral{sink: new(consumertest.LogsSink)}
	set := receivertest.NewNopSettings(component.MustNewType("otlp"))
	var err error
	c.rcv, err = f.CreateLogs(context.Background(), set, cfg, c.sink)
	require.NoError(t, err)
	require.NoError(t, c.rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { c.stop(t) })
	return c
}

func (c *otlpCentral) stop(t *testing.T) {
	if c.rcv != nil {
		assert.NoError(t, c.rcv.Shutdown(context.Background()))
		c.rcv = nil
	}
}

// request is what a plain test central saw in one request.
type request struct {
	at       time.Time
	auth     string
	encoding string
	logs     plog.Logs
}

// testCentral is a plain HTTP server decoding OTLP/HTTP requests; answer
// decides the response to each, by its index from 0.
type testCentral struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []request
	answer func(i int, w http.ResponseWriter)
}

func newTestCentral(t *testing.T, answer func(i int, w http.ResponseWriter)) *testCentral {
	t.Helper()
	c := &testCentral{answer: answer}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if !assert.NoError(t, err) {
				return
			}
			body = zr
		}
		data, err := io.ReadAll(body)
		assert.NoError(t, err)
		req := plogotlp.NewExportRequest()
		assert.NoError(t, req.UnmarshalProto(data))
		c.mu.Lock()
		i := len(c.reqs)
		c.reqs = append(c.reqs, request{at: at, auth: r.Header.Get("Authorization"), encoding: r.Header.Get("Content-Encoding"), logs: req.Logs()})
		c.mu.Unlock()
		c.answer(i, w)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *testCentral) requests() []request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]request(nil), c.reqs...)
}

// bodies lists the record numbers in ld in order.
func bodies(ld plog.Logs) []int {
	var out []int
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, int(lr.Body().Int()))
			}
		}
	}
	return out
}

// deliveredOK lists the record numbers of the requests answered with
// success, in arrival order.
func (c *testCentral) deliveredOK(ok func(i int) bool) []int {
	var out []int
	for i, r := range c.requests() {
		if ok(i) {
			out = append(out, bodies(r.logs)...)
		}
	}
	return out
}

func span(from, to int) []int {
	out := []int{}
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
