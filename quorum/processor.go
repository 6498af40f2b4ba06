package quorum

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/quorum/centralextension"
	"github.com/quorate/quorate/quorum/inprocess"
	"github.com/quorate/quorate/quorum/internal/engine"
)

type quorumProcessor struct {
	cfg    *Config
	logger *zap.Logger
	next   consumer.Logs

	eng         atomic.Pointer[engine.Engine]
	unsubscribe func()
}

var _ processor.Logs = (*quorumProcessor)(nil)

func newProcessor(cfg *Config, set processor.Settings, next consumer.Logs) *quorumProcessor {
	return &quorumProcessor{cfg: cfg, logger: set.Logger, next: next}
}

// Start finds the quorate_central extension (extensions start before
// pipelines) and subscribes to its transitions.
func (p *quorumProcessor) Start(_ context.Context, host component.Host) error {
	ext, ok := host.GetExtensions()[p.cfg.Central]
	if !ok {
		return fmt.Errorf("quorum processor: central: extension %q is not running; configure it under extensions: and list it in service::extensions", p.cfg.Central)
	}
	central, ok := ext.(centralextension.Central)
	if !ok {
		return fmt.Errorf("quorum processor: central: extension %q is a %T, not a quorate_central extension", p.cfg.Central, ext)
	}
	eng := central.Engine()
	if eng == nil {
		return fmt.Errorf("quorum processor: central: extension %q has not started", p.cfg.Central)
	}
	p.eng.Store(eng)
	p.unsubscribe = eng.Subscribe(p.emit)
	return nil
}

func (p *quorumProcessor) Shutdown(context.Context) error {
	p.eng.Store(nil)
	if p.unsubscribe != nil {
		p.unsubscribe()
		p.unsubscribe = nil
	}
	return nil
}

// Capabilities: rejected records are removed from the batch in place.
func (p *quorumProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// ConsumeLogs decides on one batch; see the package comment.
func (p *quorumProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	eng := p.eng.Load()
	if eng == nil {
		return status.Error(codes.Unavailable, "quorate: the quorum processor is not running")
	}
	agentID, err := identify(ctx, eng)
	if err != nil {
		return err
	}

	b := decodeBatch(ld)
	defer b.release()
	res, ingestErr := eng.Ingest(ctx, agentID, b.results)
	rejected := res.Rejected
	if b.malformed > 0 {
		eng.Reject(agentID, engine.ReasonMalformed, b.malformed)
		if rejected == nil {
			rejected = map[string]int{}
		}
		rejected[engine.ReasonMalformed] += b.malformed
	}
	b.keepAccepted(ld, res.Reasons)

	if ingestErr != nil {
		// The results were observed; a resend would count them twice.
		return consumererror.NewPermanent(fmt.Errorf("quorate: %w", ingestErr))
	}
	if ld.LogRecordCount() > 0 {
		if err := p.next.ConsumeLogs(ctx, ld); err != nil {
			return consumererror.NewPermanent(fmt.Errorf("quorate: results were accepted but the next consumer failed: %w", err))
		}
	}
	if refused := refusals(rejected); len(refused) > 0 {
		return engine.StatusRejected(agentID, b.total, refused).Err()
	}
	return nil
}

// refusals are the rejections the agent must hear about. Results for an
// endpoint the agent is no longer assigned (or that was just removed) are
// dropped and counted but answered as success: the agent learns of the change
// at its next assignments poll, and an error would make its exporter hold the
// batch and everything queued behind it.
func refusals(rejected map[string]int) map[string]int {
	var out map[string]int
	for reason, n := range rejected {
		if reason == engine.ReasonNotAssigned || reason == engine.ReasonUnknownEndpoint {
			continue
		}
		if out == nil {
			out = map[string]int{}
		}
		out[reason] = n
	}
	return out
}

// identify returns the agent a batch may report for: the one the central's
// authenticator put into the context, or a tokenless in-process agent.
// Nothing in the data itself counts.
func identify(ctx context.Context, eng *engine.Engine) (string, error) {
	if a, ok := engine.FromContext(ctx); ok {
		if limited, retryAfter := a.RateLimited(); limited {
			eng.Reject(a.AgentID(), engine.ReasonRateLimited, 1)
			return "", engine.StatusRateLimited(a.AgentID(), retryAfter).Err()
		}
		return a.AgentID(), nil
	}
	if id, ok := inprocess.AgentID(ctx); ok {
		if ag, found := eng.Config().Agent(id); found && ag.InProcess {
			return id, nil
		}
		eng.Reject("", engine.ReasonUnauthenticated, 1)
		return "", status.Errorf(codes.Unauthenticated,
			"quorate: results of in-process agent %q refused: only a tokenless agent (such as local) may report in process", id)
	}
	eng.Reject("", engine.ReasonUnauthenticated, 1)
	msg := "quorate: the batch carries no agent identity; give the otlp receiver auth: {authenticator: quorate_central} and put the quorum processor first in its pipeline"
	if client.FromContext(ctx).Auth != nil {
		msg = "quorate: the batch was authenticated by another authenticator; the otlp receiver feeding the quorum processor needs auth: {authenticator: quorate_central}"
	}
	return "", status.Error(codes.Unauthenticated, msg)
}

// batch is a decoded batch: the results in record order, and which records
// they came from.
type batch struct {
	total     int
	results   []resultschema.Decoded
	decoded   []bool // per record in traversal order: decoded into results
	malformed int
}

// batchPool holds decoded batches for reuse: a request's decoded results
// are hundreds of kilobytes, garbage as soon as the engine has taken them.
var batchPool = sync.Pool{New: func() any { return &batch{} }}

func decodeBatch(ld plog.Logs) *batch {
	b := batchPool.Get().(*batch)
	b.total, b.malformed = ld.LogRecordCount(), 0
	b.decoded = slices.Grow(b.decoded[:0], b.total)
	b.results = slices.Grow(b.results[:0], b.total)
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		agent, hasAgent := rl.Resource().Attributes().Get(resultschema.AttrAgentID)
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				d, err := resultschema.Decode(lrs.At(k))
				if err != nil || !hasAgent || agent.Str() == "" {
					// Not a probe result, a bad one, or one without the
					// resource's agent id: nothing to decide on.
					b.decoded = append(b.decoded, false)
					b.malformed++
					continue
				}
				d.AgentID = agent.Str()
				b.decoded = append(b.decoded, true)
				b.results = append(b.results, d)
			}
		}
	}
	return b
}

// release returns b to the pool; the engine keeps nothing of b.results
// once Ingest has returned.
func (b *batch) release() {
	clear(b.results[:cap(b.results)]) // drop references to the records' strings
	b.results, b.decoded = b.results[:0], b.decoded[:0]
	batchPool.Put(b)
}

// keepAccepted removes from ld every record that was not decoded or was
// rejected (reasons are per decoded result), then empty scopes and
// resources.
func (b *batch) keepAccepted(ld plog.Logs, reasons []string) {
	record, result := 0, 0
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			sl.LogRecords().RemoveIf(func(plog.LogRecord) bool {
				keep := false
				if b.decoded[record] {
					keep = result < len(reasons) && reasons[result] == ""
					result++
				}
				record++
				return !keep
			})
			return sl.LogRecords().Len() == 0
		})
		return rl.ScopeLogs().Len() == 0
	})
}

// emit sends transitions downstream as log records. It runs on the
// goroutine that caused them; the agent's identity is not passed on.
func (p *quorumProcessor) emit(ctx context.Context, ts []engine.Transition) {
	// Not cancelled with the request: an agent hanging up must not lose an alert.
	ctx = client.NewContext(context.WithoutCancel(ctx), client.Info{})
	if err := p.next.ConsumeLogs(ctx, transitionLogs(ts)); err != nil {
		p.logger.Error("Emitting quorum transitions failed", zap.Int("transitions", len(ts)), zap.Error(err))
	}
}
