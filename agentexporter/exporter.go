package agentexporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/quorate/quorate/agentexporter/internal/metadata"
	"github.com/quorate/quorate/agentexporter/internal/push"
	"github.com/quorate/quorate/agentexporter/internal/queue"
	"github.com/quorate/quorate/internal/cleartext"
	"github.com/quorate/quorate/internal/endpoint"
)

// agentExporter queues results in ConsumeLogs and delivers them from one
// sender goroutine (sender.go), so the pipeline never waits for central.
type agentExporter struct {
	cfg       *Config
	set       exporter.Settings
	logger    *zap.Logger
	queue     *queue.Queue // memory, what the sender takes from
	backlog   *backlog     // memory and, with storage, disk
	telemetry *metadata.TelemetryBuilder

	// after is the clock of the sender's waits; tests replace it.
	after func(time.Duration) <-chan time.Time

	// lifecycle guards stopped against ConsumeLogs, so that nothing is
	// queued after Shutdown has taken what was left.
	lifecycle sync.RWMutex
	stopped   bool
	started   bool
	hc        *http.Client
	client    *push.Client
	storage   storage.Client // nil without storage
	cancel    context.CancelFunc
	flushing  chan struct{} // closed when Shutdown begins
	done      chan struct{} // closed when the sender has returned

	// dropping is set by the first overflow of an episode (one warning)
	// and cleared by the sender's next delivery; droppedInEpisode counts
	// for the recovery message.
	dropping         atomic.Bool
	droppedInEpisode atomic.Int64

	sender senderState
}

var _ exporter.Logs = (*agentExporter)(nil)

func newAgentExporter(cfg *Config, set exporter.Settings) (*agentExporter, error) {
	q, err := queue.New(cfg.QueueSize)
	if err != nil {
		return nil, fmt.Errorf("queue_size: %w", err)
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("creating the agent exporter's telemetry: %w", err)
	}
	e := &agentExporter{
		cfg:       cfg,
		set:       set,
		logger:    set.Logger,
		queue:     q,
		backlog:   newBacklog(q, set.Logger),
		telemetry: tb,
		after:     time.After,
		flushing:  make(chan struct{}),
		done:      make(chan struct{}),
	}
	err = errors.Join(
		tb.RegisterExporterQuorateAgentQueueSizeCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(e.backlog.len()))
			return nil
		}),
		tb.RegisterExporterQuorateAgentQueueCapacityCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(e.backlog.capacity()))
			return nil
		}),
		tb.RegisterExporterQuorateAgentQueueSpilledCallback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(e.backlog.spilled()))
			return nil
		}),
	)
	if err != nil {
		tb.Shutdown()
		return nil, fmt.Errorf("registering the agent exporter's queue gauges: %w", err)
	}
	return e, nil
}

// Capabilities says the exporter mutates data: it stamps quorate.agent.id
// and keeps the batch after ConsumeLogs returns, so the pipeline must hand
// it a batch of its own.
func (*agentExporter) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (e *agentExporter) Start(ctx context.Context, host component.Host) error {
	hc, err := e.cfg.ToClient(ctx, host.GetExtensions(), e.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("agent exporter: creating the HTTP client for %s: %w", endpoint.RedactURL(e.cfg.Endpoint), err)
	}
	if e.cfg.Storage != nil {
		if err := e.openStorage(ctx, host); err != nil {
			return err
		}
	}
	userAgent := "quorate-agent-exporter"
	if v := e.set.BuildInfo.Version; v != "" {
		userAgent += "/" + v
	}
	e.lifecycle.Lock()
	defer e.lifecycle.Unlock()
	if e.stopped {
		e.closeStorage()
		return errors.New("agent exporter: started after shutdown")
	}
	e.hc = hc
	e.client = push.New(hc, e.cfg.Endpoint, string(e.cfg.Token), userAgent)
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.started = true
	e.sender = newSenderState(e.cfg.Retry)
	go e.run(runCtx)
	if cleartext.OffLoopback(e.cfg.Endpoint) {
		e.logger.Warn("Agent exporter endpoint is plain http:// to another host: the token and the results cross the network unencrypted; use https://",
			zap.String("endpoint", endpoint.RedactURL(e.cfg.Endpoint)))
	}
	e.logger.Info("Agent exporter sending results to central",
		zap.String("url", endpoint.RedactURL(e.client.URL())),
		zap.String("agent_id", e.cfg.AgentID),
		zap.Int("queue_size", e.cfg.QueueSize),
		zap.Int("spilled", e.backlog.spilled()))
	return nil
}

// ConsumeLogs stamps the agent id and queues the batch; it never waits for
// central. When the queue is full the oldest results make room.
func (e *agentExporter) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	n := ld.LogRecordCount()
	if n == 0 {
		return nil
	}
	e.lifecycle.RLock()
	defer e.lifecycle.RUnlock()
	if e.stopped {
		e.telemetry.ExporterQuorateAgentDroppedLogRecords.Add(ctx, int64(n))
		return errors.New("agent exporter: results arrived after shutdown and were dropped")
	}
	stampAgentID(ld, e.cfg.AgentID)
	if dropped := e.backlog.push(ctx, ld); dropped > 0 {
		e.recordDrops(ctx, dropped)
	}
	return nil
}

func (e *agentExporter) recordDrops(ctx context.Context, n int) {
	e.telemetry.ExporterQuorateAgentDroppedLogRecords.Add(ctx, int64(n))
	e.droppedInEpisode.Add(int64(n))
	if !e.dropping.Swap(true) {
		e.logger.Warn("Agent exporter queue is full: dropping the oldest results until central takes them again",
			zap.Int("queue_size", e.cfg.QueueSize),
			zap.String("counter", "otelcol_exporter_quorate_agent_dropped_log_records"))
	}
}

// Shutdown gives the sender until the earlier of the context's deadline
// and flush_timeout to deliver what is queued, then stops it. What is left
// is kept in storage when configured, otherwise dropped and counted.
func (e *agentExporter) Shutdown(ctx context.Context) error {
	e.lifecycle.Lock()
	if e.stopped {
		e.lifecycle.Unlock()
		return nil
	}
	e.stopped = true
	started := e.started
	e.lifecycle.Unlock()
	defer e.telemetry.Shutdown()

	if started {
		close(e.flushing)
		timer := time.NewTimer(e.cfg.FlushTimeout)
		select {
		case <-e.done:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		e.cancel()
		<-e.done
		e.hc.CloseIdleConnections()
	}

	// Storage is local: finish with it even when ctx has expired.
	kept, lost := e.backlog.keep(context.WithoutCancel(ctx))
	e.closeStorage()
	if kept > 0 {
		e.logger.Info("Agent exporter kept undelivered results in storage for the next start",
			zap.Int("kept", kept))
	}
	if lost > 0 {
		e.telemetry.ExporterQuorateAgentDroppedLogRecords.Add(context.Background(), int64(lost))
		e.logger.Warn("Agent exporter shut down before central took every result: the rest were dropped",
			zap.Int("dropped", lost))
	}
	return nil
}
