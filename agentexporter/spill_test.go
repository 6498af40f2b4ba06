package agentexporter

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
)

const spilledMetric = "otelcol_exporter_quorate_agent_queue_spilled"

var fileStorageID = component.MustNewID("file_storage")

// hostWith is a collector host offering the given extensions.
type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

// startFileStorage runs a real file_storage extension on dir until the
// test ends.
func startFileStorage(t *testing.T, dir string) hostWith {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { assert.NoError(t, ext.Shutdown(context.Background())) })
	return hostWith{fileStorageID: ext}
}

func spillConfig(endpoint string, queueSize, spillSize int) *Config {
	cfg := testConfig(endpoint)
	cfg.Storage = &fileStorageID
	cfg.QueueSize = queueSize
	cfg.SpillSize = spillSize
	cfg.MaxBatchSize = min(3, queueSize)
	return cfg
}

func (h *harness) startOn(host component.Host) {
	h.t.Helper()
	require.NoError(h.t, h.exp.Start(context.Background(), host))
}

// TestSpillHoldsWhatMemoryCannot: with storage, an outage longer than the
// memory queue loses nothing, and the order survives the trip to disk.
func TestSpillHoldsWhatMemoryCannot(t *testing.T) {
	var up atomic.Bool
	var answeredOK sync.Map
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		answeredOK.Store(i, true)
	})
	h := newHarness(t, spillConfig(central.srv.URL, 5, 100))
	h.startOn(startFileStorage(t, t.TempDir()))

	h.push(0, 50)
	assert.Equal(t, int64(50), h.gauge(queueMetric))
	assert.GreaterOrEqual(t, h.gauge(spilledMetric), int64(45))
	assert.Equal(t, int64(105), h.gauge(capMetric))
	up.Store(true)
	h.push(50, 52)

	require.Eventually(t, func() bool { return h.counter(sentMetric) == 52 }, eventually, 10*time.Millisecond)
	assert.Equal(t, span(0, 52), central.deliveredOK(func(i int) bool { _, ok := answeredOK.Load(i); return ok }))
	assert.Zero(t, h.counter(droppedMetric))
	assert.Zero(t, h.gauge(spilledMetric))
}

// TestSpillOverflowDropsTheOldestAcrossMemoryAndDisk: memory 5 + disk 10
// hold 15 records; with record 0 in flight, 30 more arrive: the 16 oldest
// after record 0 go, whether they sat in memory or on disk.
func TestSpillOverflowDropsTheOldestAcrossMemoryAndDisk(t *testing.T) {
	gotFirst := make(chan struct{})
	release := make(chan struct{})
	central := newTestCentral(t, func(i int, _ http.ResponseWriter) {
		if i == 0 {
			close(gotFirst)
			<-release
		}
	})
	h := newHarness(t, spillConfig(central.srv.URL, 5, 10))
	h.startOn(startFileStorage(t, t.TempDir()))
	h.push(0, 1)
	<-gotFirst
	h.push(1, 31)
	assert.Equal(t, int64(16), h.counter(droppedMetric))
	assert.Equal(t, int64(15), h.gauge(queueMetric))
	close(release)

	all := func(int) bool { return true }
	require.Eventually(t, func() bool { return len(central.deliveredOK(all)) == 15 }, eventually, 10*time.Millisecond)
	assert.Equal(t, append([]int{0}, span(17, 31)...), central.deliveredOK(all))
	assert.Equal(t, int64(31-15), h.counter(droppedMetric), "dropped = pushed - delivered")
}

// TestQueueSurvivesARestartThroughStorage: an agent stopped during an
// outage keeps its queue on disk; the next start sends it first, in order.
func TestQueueSurvivesARestartThroughStorage(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)

	first := spillConfig("http://"+addr, 5, 100)
	first.FlushTimeout = 50 * time.Millisecond
	before := newHarness(t, first)
	before.startOn(startFileStorage(t, dir))
	before.push(0, 20)
	require.NoError(t, before.exp.Shutdown(context.Background()))
	assert.Zero(t, before.counter(droppedMetric), "nothing is lost at shutdown")
	kept := before.logs.FilterMessageSnippet("kept undelivered results in storage").All()
	require.Len(t, kept, 1)
	assert.EqualValues(t, 20, kept[0].ContextMap()["kept"])

	central := startOTLPCentral(t, addr)
	after := newHarness(t, spillConfig("http://"+addr, 5, 100))
	host := startFileStorage(t, dir)
	after.startOn(host)
	after.push(20, 25)
	require.Eventually(t, func() bool { return central.sink.LogRecordCount() == 25 }, eventually, 10*time.Millisecond)
	var got []int
	for _, ld := range central.sink.AllLogs() {
		got = append(got, bodies(ld)...)
	}
	assert.Equal(t, span(0, 25), got, "kept results first, each once")
	assert.Zero(t, after.counter(droppedMetric))
}

func TestStartRefusesAMissingOrWrongStorage(t *testing.T) {
	nf := extensiontest.NewNopFactory()
	nop, err := nf.Create(context.Background(), extensiontest.NewNopSettings(nf.Type()), nf.CreateDefaultConfig())
	require.NoError(t, err)
	tests := []struct {
		name    string
		host    component.Host
		wantErr string
	}{
		{name: "not configured in the collector", host: componenttest.NewNopHost(), wantErr: `storage "file_storage" is not an extension of this collector`},
		{name: "not a storage extension", host: hostWith{fileStorageID: nop}, wantErr: `storage "file_storage" is not a storage extension`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, spillConfig("http://127.0.0.1:1", 5, 10))
			assert.ErrorContains(t, h.exp.Start(context.Background(), tt.host), tt.wantErr)
		})
	}
}
