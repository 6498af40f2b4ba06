package receiver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/cleartext"
	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/receiver/internal/assignments"
	"github.com/quorate/quorate/receiver/internal/scheduler"
)

// followCentral probes the cached assignments, if any, and starts polling the
// central for changes. Static targets keep running beside the assigned ones.
func (r *probeReceiver) followCentral(ctx context.Context, host component.Host, cc *CentralConfig,
	sched *scheduler.Scheduler, static []*probe.Target,
) (*assignments.Poller, error) {
	log := r.set.Logger
	settings := r.set.TelemetrySettings
	// No otelhttp wrapper: a span per poll is noise, and the wrapper hides
	// CloseIdleConnections, which Shutdown needs to leave no connection open.
	settings.TracerProvider = nil
	hc, err := cc.ToClient(ctx, host.GetExtensions(), settings)
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	client, err := assignments.NewClient(hc, cc.Endpoint, r.cfg.AgentID, string(cc.Token), userAgent(r.set.BuildInfo.Version))
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	if cleartext.OffLoopback(cc.Endpoint) {
		log.Warn("central.endpoint is plain http: the agent token and the assignments (which may hold probe secrets) cross the network unencrypted; use https",
			zap.String("url", client.URL()))
	}

	cacheFile := cc.CacheFile
	if cacheFile == "" {
		if cacheFile, err = defaultCacheFile(r.cfg.AgentID); err != nil {
			log.Warn("Keeping no assignments cache: an agent restarted while central is down will probe only its static endpoints; set central.cache_file", zap.Error(err))
		}
	}

	a := &applier{sched: sched, static: static, opts: r.cfg.probeOptions(), log: log}
	p, err := assignments.NewPoller(assignments.Options{
		Client:    client,
		Interval:  cc.RefreshInterval,
		CacheFile: cacheFile,
		AgentID:   r.cfg.AgentID,
		Apply:     a.apply,
		Logger:    log,
	})
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	log.Info("Following the central's assignments", zap.String("url", client.URL()),
		zap.Duration("refresh_interval", cc.RefreshInterval), zap.String("cache_file", cacheFile),
		zap.Int("static_endpoints", len(static)))
	return p, nil
}

// applier turns each version of the assignments into the scheduler's set:
// the static targets plus every assigned endpoint this agent can probe.
// The poller calls it sequentially.
type applier struct {
	sched  *scheduler.Scheduler
	static []*probe.Target
	opts   probe.Options
	log    *zap.Logger
	// skipped is why each skipped key was skipped, as last logged, so one
	// bad endpoint is logged once rather than on every version.
	skipped map[string]string
}

func (a *applier) apply(snap *assignments.Snapshot) error {
	targets := slices.Clone(a.static)
	taken := make(map[string]string, len(targets)+len(snap.Endpoints))
	for _, t := range a.static {
		taken[t.Endpoint.Key()] = "a static endpoint has the same key; the static one is probed"
	}
	skipped := map[string]string{}
	for i := range snap.Endpoints {
		ep := &snap.Endpoints[i]
		if !ep.IsEnabled() {
			continue
		}
		key := ep.Key()
		if why, dup := taken[key]; dup {
			skipped[key] = why
			continue
		}
		t, errs := prepareEndpoint(fmt.Sprintf("%q", ep.DisplayName()), ep, a.opts)
		if len(errs) > 0 {
			skipped[key] = errors.Join(errs...).Error()
			continue
		}
		taken[key] = "the central assigned the key twice; the first is probed"
		targets = append(targets, t)
	}
	for key, why := range skipped {
		if a.skipped[key] != why {
			a.log.Warn("Skipping an assigned endpoint this agent cannot probe", zap.String("endpoint", key), zap.String("reason", why))
		}
	}
	a.skipped = skipped

	d, err := a.sched.Update(targets)
	if err != nil {
		return err
	}
	a.log.Info("Applied assignments", zap.String("checksum", snap.Checksum), zap.Int("endpoints", len(targets)),
		zap.Strings("started", d.Started), zap.Strings("stopped", d.Stopped), zap.Strings("restarted", d.Restarted),
		zap.Int("unchanged", len(d.Unchanged)), zap.Int("skipped", len(skipped)))
	return nil
}

// userAgent names the agent and its build to the central.
func userAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "quorate-agent/" + version
}

// defaultCacheFile is <user cache dir>/quorate/assignments-<agent>.json:
// per agent, so agents sharing a host (the demo, tests) do not share a file.
func defaultCacheFile(agentID string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no default cache directory: %w", err)
	}
	return filepath.Join(dir, "quorate", "assignments-"+agentID+".json"), nil
}
