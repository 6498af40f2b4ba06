package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// reloadTimeout bounds the storage writes of one reload.
const reloadTimeout = time.Minute

// reload switches every part to a new monitoring config. The watcher has
// already made it the current one, so Ingest checks against it from now on.
func (e *Engine) reload(mc *monitoring.Config) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	if e.closed.Load() {
		return
	}
	ch, err := e.machine.Apply(state.ConfigFrom(mc))
	if err != nil {
		// monitoring.Parse accepted it, so ConfigFrom cannot fail; keep
		// the old quorum state rather than half of a new one.
		e.logger.Error("Reloaded monitoring config not applied to the quorum state", zap.Error(err))
		return
	}
	e.auth.Update(mc)
	e.metrics.Forget(ch.Removed, ch.AgentsRemoved)
	for _, key := range ch.Removed {
		if _, loaded := e.maintShown.LoadAndDelete(key); loaded {
			e.maintCount.Add(-1)
		}
	}
	e.refreshMetrics()
	e.logger.Info("Monitoring config reloaded",
		zap.Strings("endpoints_added", ch.Added), zap.Strings("endpoints_removed", ch.Removed),
		zap.Strings("endpoints_reset", ch.Reset),
		zap.Strings("agents_added", ch.AgentsAdded), zap.Strings("agents_removed", ch.AgentsRemoved))

	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	if err := e.syncConfig(ctx, mc, append(ch.Removed, ch.Reset...)); err != nil {
		e.logger.Error("Recording the reloaded monitoring config in storage failed", zap.Error(err))
	}
	// K, M and the reporting count may have changed for every endpoint,
	// and reset or added ones have no row of their configuration yet.
	if err := e.saveEveryQuorum(ctx); err != nil {
		e.logger.Error("Saving the quorum state after the reload failed; the next tick retries", zap.Error(err))
	}
}

// syncConfig records the config's agents, endpoints and assignments (the
// agents of each enabled endpoint's monitored-by) in the store and deletes
// the stored runs of the endpoints given, which were removed or whose
// configuration changed.
func (e *Engine) syncConfig(ctx context.Context, mc *monitoring.Config, cleanup []string) error {
	agents := make([]store.Agent, len(mc.Agents))
	for i, a := range mc.Agents {
		agents[i] = store.Agent{ID: a.ID, Name: a.Name, StaleAfter: a.StaleAfter}
	}
	endpoints := make([]store.Endpoint, len(mc.Endpoints))
	for i := range mc.Endpoints {
		ep := &mc.Endpoints[i]
		endpoints[i] = store.Endpoint{Key: ep.Key(), Name: ep.Name, Group: ep.Group, ConfigurationChecksum: mc.EndpointChecksum(ep.Key())}
	}
	var errs []error
	if err := e.store.UpsertAgents(ctx, agents); err != nil {
		errs = append(errs, fmt.Errorf("record agents: %w", err))
	}
	if err := e.store.UpsertEndpoints(ctx, endpoints); err != nil {
		errs = append(errs, fmt.Errorf("record endpoints: %w", err))
	} else if err := e.store.ReplaceAssignments(ctx, assignments(mc)); err != nil {
		errs = append(errs, fmt.Errorf("record assignments: %w", err))
	}
	for _, key := range cleanup {
		if _, err := e.store.DeleteAgentRuns(ctx, key, runChecksums(mc, key)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// assignments are the (endpoint, agent) pairs of the config: the agents of
// every enabled endpoint's monitored-by (which defaults to the local
// agent). A disabled endpoint is probed by nobody.
func assignments(mc *monitoring.Config) []store.Assignment {
	var out []store.Assignment
	for i := range mc.Endpoints {
		ep := &mc.Endpoints[i]
		if !ep.IsEnabled() {
			continue
		}
		for _, agent := range ep.MonitoredBy {
			out = append(out, store.Assignment{EndpointKey: ep.Key(), AgentID: agent})
		}
	}
	return out
}
