package engine

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/store"
)

// Tick advances time without a result: agents silent for their stale-after
// go stale, maintenance windows that ended let held-back alerts fire, and
// what moved since the last tick is saved. The extension calls it every
// tick_interval with the wall clock; tests pass their own times.
func (e *Engine) Tick(ctx context.Context, now time.Time) error {
	if e.closed.Load() {
		return ErrClosed
	}
	mc := e.Config()
	events := e.machine.Tick(now, func(key string) bool { return mc.InMaintenance(key, now) })
	if len(events) > 0 {
		e.markEvents(mc, events)
		e.metrics.ObserveEvents(events)
	}
	e.refreshMetrics()
	err := e.commits.submit(ctx, &commit{events: storeEvents(events), state: true, all: true})
	e.deliver(ctx, mc, events, err)
	if err != nil {
		return fmt.Errorf("save quorum state: %w", err)
	}
	return nil
}

// Touch records contact from an authenticated agent that sent no result
// (for example it fetched its assignments): it keeps the agent from going
// stale and brings a stale one back.
func (e *Engine) Touch(ctx context.Context, agentID string) error {
	if e.closed.Load() {
		return ErrClosed
	}
	mc := e.Config()
	now := e.now()
	events, err := e.machine.Touch(agentID, now)
	if err != nil {
		return err
	}
	e.markRuns(nil, agentID, now)
	if len(events) == 0 {
		e.setAgentMetrics(agentID)
		return nil // the contact is saved with the next tick
	}
	e.markEvents(mc, events)
	e.metrics.ObserveEvents(events)
	e.updateMetrics(mc, events, nil, agentID)
	err = e.commits.submit(ctx, &commit{events: storeEvents(events), state: true})
	e.deliver(ctx, mc, events, err)
	return nil
}

// Prune applies the storage retention at now.
func (e *Engine) Prune(ctx context.Context, now time.Time) (store.PruneStats, error) {
	if e.closed.Load() {
		return store.PruneStats{}, ErrClosed
	}
	st, err := e.store.Prune(ctx, now)
	if err != nil {
		return st, fmt.Errorf("apply storage retention: %w", err)
	}
	if st.Results+st.Events+st.Uptimes > 0 {
		e.logger.Debug("Storage retention applied",
			zap.Int64("results", st.Results), zap.Int64("events", st.Events), zap.Int64("uptime_buckets", st.Uptimes))
	}
	return st, nil
}
