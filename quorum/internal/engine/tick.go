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
	e.handleEvents(ctx, mc, events)
	e.refreshMetrics()
	return e.persist(ctx, true)
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
	e.handleEvents(ctx, mc, events)
	for _, a := range e.machine.Agents() {
		if a.ID == agentID {
			e.metrics.SetAgent(a)
		}
	}
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
