package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/internal/result"
)

// loop is one target's goroutine.
type loop struct {
	spec   string
	cancel context.CancelFunc
	done   chan struct{}
}

func (s *Scheduler) start(t *probe.Target, spec string) *loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{spec: spec, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		s.run(ctx, t)
	}()
	return l
}

// run probes t at every slot of its interval until ctx ends. Probes of one
// target never overlap: a probe that overruns its slot delays the next one,
// which then runs late (its lateness is jitter) instead of piling up.
func (s *Scheduler) run(ctx context.Context, t *probe.Target) {
	interval := t.Endpoint.EffectiveInterval()
	planned := firstSlot(time.Now(), interval, Offset(s.opts.AgentID, t.Endpoint.Key(), interval))
	timer := time.NewTimer(time.Until(planned))
	defer timer.Stop()
	done := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		// Hand the probe to a worker: this goroutine only waits, so its
		// stack stays small; the deep HTTP/TLS stacks live in the workers.
		select {
		case s.jobs <- job{ctx: ctx, t: t, planned: planned, done: done}:
		case <-ctx.Done():
			return
		}
		<-done
		if ctx.Err() != nil {
			return
		}
		planned = nextSlot(planned, interval, time.Now())
		timer.Reset(time.Until(planned))
	}
}

// probeOnce runs one probe under the endpoint's timeout. A panicking prober
// becomes a failed result instead of taking the collector down.
func (s *Scheduler) probeOnce(ctx context.Context, t *probe.Target) (res *result.Result) {
	ctx, cancel := context.WithTimeout(ctx, t.Endpoint.Timeout())
	defer cancel()
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res = &result.Result{Timestamp: start, Duration: time.Since(start)}
			res.AddError(fmt.Sprintf("probe panicked: %v", p))
		}
	}()
	res = s.opts.Probe(ctx, t)
	if res == nil {
		res = &result.Result{Timestamp: start, Duration: time.Since(start)}
		res.AddError("probe returned no result")
	}
	return res
}

// job is one probe handed from a target's loop to a worker.
type job struct {
	ctx     context.Context
	t       *probe.Target
	planned time.Time
	done    chan struct{} // buffered 1: the worker never blocks on it
}

// worker runs probes until quit closes. Results of cancelled probes are
// dropped, as before.
func (s *Scheduler) worker() {
	defer s.workers.Done()
	for {
		select {
		case <-s.quit:
			return
		case j := <-s.jobs:
			started := time.Now()
			if s.opts.OnLateness != nil {
				s.opts.OnLateness(j.t, j.planned, started)
			}
			res := s.probeOnce(j.ctx, j.t)
			if j.ctx.Err() == nil {
				s.opts.OnResult(j.t, res)
			}
			j.done <- struct{}{}
		}
	}
}
