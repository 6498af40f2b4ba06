package agentexporter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/quorate/quorate/agentexporter/internal/push"
	"github.com/quorate/quorate/internal/endpoint"
)

// senderState belongs to the sender goroutine alone.
type senderState struct {
	backoff *backoff
	// outage is set by the first retryable failure (one warning) and
	// cleared by the next delivery.
	outage bool
	// authCauses are the credential refusals already logged, by status and
	// message: each is logged once until a delivery succeeds again.
	authCauses map[string]bool
	// flushNoticed: shutdown cut the current wait short once already.
	flushNoticed bool
}

func newSenderState(cfg RetryConfig) senderState {
	return senderState{backoff: newBackoff(cfg), authCauses: map[string]bool{}}
}

// run drains the queue in order until ctx is cancelled or, once shutdown
// has begun, the queue is empty.
func (e *agentExporter) run(ctx context.Context) {
	defer close(e.done)
	for {
		lost, refillErr := e.backlog.refill(ctx)
		if lost > 0 {
			// Unreadable in storage; backlog logged why.
			e.telemetry.ExporterQuorateAgentDroppedLogRecords.Add(ctx, int64(lost))
		}
		ld, n := e.queue.Take(e.cfg.MaxBatchSize)
		if n == 0 && refillErr != nil {
			// Memory is empty and storage could not be read just now
			// (backlog logged why): try again later rather than spin.
			if !e.sleep(ctx, e.sender.backoff.Next()) {
				return
			}
			continue
		}
		if n == 0 {
			select {
			case <-e.queue.Ready():
				continue
			case <-e.flushing:
				if e.backlog.len() == 0 {
					return
				}
				continue
			case <-ctx.Done():
				return
			}
		}
		wait := e.send(ctx, ld, n)
		if ctx.Err() != nil {
			return
		}
		if wait > 0 && !e.sleep(ctx, wait) {
			return
		}
	}
}

// sleep waits d, or less when shutdown begins (once: the flush gets an
// immediate attempt, then the usual backoff). It reports false when ctx
// ended.
func (e *agentExporter) sleep(ctx context.Context, d time.Duration) bool {
	flushing := e.flushing
	if e.sender.flushNoticed {
		flushing = nil
	}
	select {
	case <-e.after(d):
		return true
	case <-flushing:
		e.sender.flushNoticed = true
		return true
	case <-ctx.Done():
		return false
	}
}

// send delivers the batch in flight once and returns how long to wait
// before the next attempt (0: go on at once).
func (e *agentExporter) send(ctx context.Context, ld plog.Logs, n int) time.Duration {
	ps, err := e.client.Send(ctx, ld)
	if ctx.Err() != nil {
		// Shutdown's deadline passed mid-request: the batch stays queued
		// and is counted with the rest.
		return 0
	}
	if err == nil {
		e.delivered(ctx, n, ps)
		return 0
	}
	var pe *push.Error
	if !errors.As(err, &pe) {
		pe = &push.Error{Kind: push.Retryable, Err: err}
	}
	switch pe.Kind {
	case push.Permanent:
		e.queue.Ack()
		e.telemetry.ExporterQuorateAgentRejectedLogRecords.Add(ctx, int64(n))
		e.logger.Error("Central refused a batch of results for good; they are dropped",
			zap.Int("records", n), zap.Int("status", pe.StatusCode), zap.String("message", pe.Message), zap.Error(pe.Err))
		return 0
	case push.Unauthorized:
		e.telemetry.ExporterQuorateAgentSendFailedRequests.Add(ctx, 1)
		cause := fmt.Sprintf("%d %s", pe.StatusCode, pe.Message)
		if !e.sender.authCauses[cause] {
			e.sender.authCauses[cause] = true
			e.logger.Error("Central refuses this agent's credentials: check token and agent_id in this exporter against the agent's entry on central. "+
				"Sending is paused and retried every retry.max_interval; results stay queued (the oldest are dropped when the queue is full)",
				zap.Int("status", pe.StatusCode), zap.String("message", pe.Message),
				zap.String("agent_id", e.cfg.AgentID), zap.String("url", endpoint.RedactURL(e.client.URL())),
				zap.Int("queued", e.backlog.len()))
		}
		return e.sender.backoff.Max()
	default:
		e.telemetry.ExporterQuorateAgentSendFailedRequests.Add(ctx, 1)
		wait := pe.RetryAfter
		if wait == 0 {
			wait = e.sender.backoff.Next()
		}
		fields := []zap.Field{zap.Error(pe), zap.Duration("retry_in", wait), zap.Int("queued", e.backlog.len())}
		if !e.sender.outage {
			e.sender.outage = true
			e.logger.Warn("Cannot deliver results to central; retrying the same batch with backoff while the queue absorbs new ones", fields...)
		} else {
			e.logger.Debug("Still cannot deliver results to central", fields...)
		}
		return wait
	}
}

// delivered records a 2xx: the batch is central's now, save what central
// said it rejected.
func (e *agentExporter) delivered(ctx context.Context, n int, ps push.PartialSuccess) {
	e.queue.Ack()
	rejected := min(max(ps.Rejected, 0), int64(n))
	if sent := int64(n) - rejected; sent > 0 {
		e.telemetry.ExporterQuorateAgentSentLogRecords.Add(ctx, sent)
	}
	if rejected > 0 {
		e.telemetry.ExporterQuorateAgentRejectedLogRecords.Add(ctx, rejected)
	}
	if !ps.IsZero() {
		e.logger.Warn("Central accepted a batch only in part",
			zap.Int("records", n), zap.Int64("rejected", rejected), zap.String("message", ps.Message))
	}

	s := &e.sender
	s.backoff.Reset()
	if s.outage || len(s.authCauses) > 0 || e.dropping.Load() {
		e.logger.Info("Delivering results to central again",
			zap.Int("queued", e.backlog.len()),
			zap.Int64("dropped_meanwhile", e.droppedInEpisode.Swap(0)))
		s.outage = false
		clear(s.authCauses)
		e.dropping.Store(false)
	}
}
