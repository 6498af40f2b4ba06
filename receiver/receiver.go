package receiver

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/receiver/internal/assignments"
	"github.com/quorate/quorate/receiver/internal/connectivity"
	"github.com/quorate/quorate/receiver/internal/scheduler"
)

// probeReceiver owns the scheduler and turns each result into telemetry for
// whichever of the logs and metrics pipelines use it.
type probeReceiver struct {
	cfg *Config
	set receiver.Settings

	mu      sync.Mutex // guards the consumers until Start, sched and poller
	logs    consumer.Logs
	metrics consumer.Metrics
	sched   *scheduler.Scheduler
	poller  *assignments.Poller   // nil without central:
	checker *connectivity.Checker // nil without connectivity:

	out *emitter
}

func newProbeReceiver(cfg *Config, set receiver.Settings) (*probeReceiver, error) {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: set.ID, ReceiverCreateSettings: set})
	if err != nil {
		return nil, fmt.Errorf("probe receiver: %w", err)
	}
	return &probeReceiver{cfg: cfg, set: set, out: newEmitter(cfg, set, obs)}, nil
}

func (r *probeReceiver) setLogs(next consumer.Logs) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = next
}

func (r *probeReceiver) setMetrics(next consumer.Metrics) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = next
}

// Start prepares every enabled static endpoint and starts probing, then,
// with central: set, probes the cached assignments and starts polling the
// central. Probing outlives ctx, which only covers startup.
func (r *probeReceiver) Start(ctx context.Context, host component.Host) error {
	targets, err := buildTargets(r.cfg)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.logs, r.out.metrics = r.logs, r.metrics
	// The self-check starts before the first probe so that no failure
	// escapes it.
	if conn := r.cfg.Connectivity.Get(); conn != nil {
		check, _ := conn.effective()
		checker, err := connectivity.Start(connectivity.Options{
			Target: check.Target, Interval: check.Interval, Logger: r.set.Logger, OnCheck: r.out.recordConnectivity,
		})
		if err != nil {
			return fmt.Errorf("probe receiver: %w", err)
		}
		r.checker, r.out.checker = checker, checker
		r.set.Logger.Info("Checking this agent's connectivity", zap.String("target", check.Target), zap.Duration("interval", check.Interval))
	}
	sched, err := scheduler.New(scheduler.Options{
		AgentID:       r.cfg.AgentID,
		MaxConcurrent: r.cfg.MaxConcurrentProbes,
		OnResult:      r.out.emit,
	})
	if err != nil {
		r.stopChecker()
		return fmt.Errorf("probe receiver: %w", err)
	}
	if _, err := sched.Update(targets); err != nil {
		sched.Stop()
		r.stopChecker()
		return fmt.Errorf("probe receiver: %w", err)
	}
	r.set.Logger.Info("Probing endpoints", zap.Int("endpoints", len(targets)), zap.String("agent_id", r.cfg.AgentID))
	if central := r.cfg.Central.Get(); central != nil {
		poller, err := r.followCentral(ctx, host, central, sched, targets)
		if err != nil {
			sched.Stop()
			r.stopChecker()
			return fmt.Errorf("probe receiver: %w", err)
		}
		r.poller = poller
	}
	r.sched = sched
	return nil
}

// Shutdown stops polling the central, then the self-check (so that no
// result waits for a dial), then probing, and waits for probes in flight;
// it is safe without Start.
func (r *probeReceiver) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.poller != nil {
		r.poller.Stop()
		r.poller = nil
	}
	r.stopChecker()
	if r.sched != nil {
		r.sched.Stop()
	}
	return nil
}

// stopChecker stops the self-check, if any; r.mu must be held. Failures
// reported after it are unknown: the checker can no longer vouch for them.
func (r *probeReceiver) stopChecker() {
	if r.checker != nil {
		r.checker.Stop()
		r.checker = nil
	}
}

// buildTargets prepares the enabled endpoints of cfg. Each target gets its own
// copy of the endpoint so nothing downstream can change the config.
func buildTargets(cfg *Config) ([]*probe.Target, error) {
	opts := cfg.probeOptions()
	var targets []*probe.Target
	for i := range cfg.Endpoints {
		ep := *cfg.Endpoints[i].Endpoint()
		if !ep.IsEnabled() {
			continue
		}
		t, err := probe.NewTarget(&ep, opts)
		if err != nil {
			return nil, fmt.Errorf("probe receiver: endpoints[%d]: %w", i, err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}
