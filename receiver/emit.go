package receiver

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/quorum/inprocess"
	"github.com/quorate/quorate/receiver/internal/connectivity"
	"github.com/quorate/quorate/receiver/internal/metadata"
)

// emitter turns one probe result into a log record (resultschema) and a set
// of gauges, and hands them to the pipelines. It is called concurrently from
// the scheduler's endpoint goroutines.
type emitter struct {
	agentID string
	version string
	logger  *zap.Logger
	obs     *receiverhelper.ObsReport

	// Set once by Start, before the first result.
	logs    consumer.Logs
	metrics consumer.Metrics
	checker *connectivity.Checker // nil without connectivity:

	mbMu sync.Mutex // the generated MetricsBuilder is not safe for concurrent use
	mb   *metadata.MetricsBuilder
}

func newEmitter(cfg *Config, set receiver.Settings, obs *receiverhelper.ObsReport) *emitter {
	return &emitter{
		agentID: cfg.AgentID,
		version: set.BuildInfo.Version,
		logger:  set.Logger,
		obs:     obs,
		mb:      metadata.NewMetricsBuilder(cfg.MetricsBuilderConfig, set),
	}
}

// format names the data in the receiver's own telemetry (obsreport).
const format = "probe"

func (e *emitter) emit(t *probe.Target, res *result.Result) {
	unknown := !res.Success && e.offline()
	if e.logs != nil {
		ld := e.logRecord(t, res, unknown)
		// The mark lets a quorum processor in this same collector accept the
		// results as the tokenless in-process agent; remote data cannot carry it.
		ctx := e.obs.StartLogsOp(inprocess.NewContext(context.Background(), e.agentID))
		err := e.logs.ConsumeLogs(ctx, ld)
		e.obs.EndLogsOp(ctx, format, 1, err)
		if err != nil {
			e.logger.Warn("Dropped a probe result: the logs pipeline refused it", zap.String("endpoint", t.Endpoint.Key()), zap.Error(err))
		}
	}
	if e.metrics != nil {
		md := e.gauges(t, res, unknown)
		if md.DataPointCount() == 0 {
			return // every metric disabled
		}
		ctx := e.obs.StartMetricsOp(context.Background())
		err := e.metrics.ConsumeMetrics(ctx, md)
		e.obs.EndMetricsOp(ctx, format, md.DataPointCount(), err)
		if err != nil {
			e.logger.Warn("Dropped probe metrics: the metrics pipeline refused them", zap.String("endpoint", t.Endpoint.Key()), zap.Error(err))
		}
	}
}

// offline is true when the self-check cannot confirm that the agent was
// online after this moment, i.e. after the probe ended: a probe that began
// online and ended offline is judged by the later state, like one that ran
// wholly offline. Called only for failures, so healthy agents with healthy
// endpoints never wait for a dial.
func (e *emitter) offline() bool {
	return e.checker != nil && !e.checker.OnlineAfter(time.Now())
}

// recordConnectivity records the self-check's verdict as the
// quorate.agent.connectivity gauge; it is the checker's OnCheck.
func (e *emitter) recordConnectivity(online bool) {
	if e.metrics == nil {
		return
	}
	e.mbMu.Lock()
	e.mb.RecordQuorateAgentConnectivityDataPoint(pcommon.NewTimestampFromTime(time.Now()), boolInt(online))
	rb := e.mb.NewResourceBuilder()
	rb.SetQuorateAgentID(e.agentID)
	md := e.mb.Emit(metadata.WithResource(rb.Emit()))
	e.mbMu.Unlock()
	if md.DataPointCount() == 0 {
		return // the metric is disabled
	}
	ctx := e.obs.StartMetricsOp(context.Background())
	err := e.metrics.ConsumeMetrics(ctx, md)
	e.obs.EndMetricsOp(ctx, format, md.DataPointCount(), err)
	if err != nil {
		e.logger.Warn("Dropped the connectivity metric: the metrics pipeline refused it", zap.Error(err))
	}
}

func (e *emitter) logRecord(t *probe.Target, res *result.Result, unknown bool) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	resultschema.SetResource(rl.Resource(), e.agentID)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	sl.Scope().SetVersion(e.version)
	if unknown {
		resultschema.AppendUnknownLogRecord(sl, t.Endpoint, t.Type, res, time.Now())
	} else {
		resultschema.AppendLogRecord(sl, t.Endpoint, t.Type, res, time.Now())
	}
	return ld
}

// gauges records the result's metrics, stamped with the probe start like the
// log record. An unknown result has no quorate.probe.success point: 0 would
// read as a failure, 1 would be untrue.
func (e *emitter) gauges(t *probe.Target, res *result.Result, unknown bool) pmetric.Metrics {
	ep := t.Endpoint
	ts := pcommon.NewTimestampFromTime(res.Timestamp)
	group, key, name, typ := ep.Group, ep.Key(), ep.Name, string(t.Type)

	e.mbMu.Lock()
	defer e.mbMu.Unlock()
	e.mb.RecordQuorateProbeDurationDataPoint(ts, res.Duration.Seconds(), group, key, name, typ)
	if !unknown {
		e.mb.RecordQuorateProbeSuccessDataPoint(ts, boolInt(res.Success), group, key, name, typ)
	}
	e.mb.RecordQuorateProbeConnectedDataPoint(ts, boolInt(res.Connected), group, key, name, typ)
	if res.HTTPStatus != 0 {
		e.mb.RecordQuorateProbeStatusDataPoint(ts, int64(res.HTTPStatus), group, key, name, typ)
	}
	if res.CertificateExpiration != 0 {
		e.mb.RecordQuorateProbeCertificateExpiresInDataPoint(ts, res.CertificateExpiration.Seconds(), group, key, name, typ)
	}
	if res.DomainExpiration != 0 {
		e.mb.RecordQuorateProbeDomainExpiresInDataPoint(ts, res.DomainExpiration.Seconds(), group, key, name, typ)
	}
	rb := e.mb.NewResourceBuilder()
	rb.SetQuorateAgentID(e.agentID)
	return e.mb.Emit(metadata.WithResource(rb.Emit()))
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
