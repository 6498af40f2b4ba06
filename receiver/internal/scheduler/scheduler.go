// Package scheduler runs each probe target on its own interval: one goroutine
// per endpoint, start times spread across the interval, a bound on probes in
// flight across all endpoints, and Update to swap the set of targets without
// disturbing the ones that did not change. Static configs and (later) targets
// pulled from the central feed the same scheduler through Update.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/internal/result"
)

// ProbeFunc runs one probe of t. Production uses (*probe.Target).Probe; tests
// inject their own. It must return a non-nil result and honour ctx.
type ProbeFunc func(ctx context.Context, t *probe.Target) *result.Result

// ResultFunc receives every completed probe. It is called from the
// endpoints' goroutines, concurrently, and must not call Update or Stop.
type ResultFunc func(t *probe.Target, r *result.Result)

// LatenessFunc observes when a probe was planned and when it actually
// started; the difference is the scheduling jitter (timer delay plus any
// wait for a free probe slot).
type LatenessFunc func(t *probe.Target, planned, started time.Time)

// Options configure a Scheduler.
type Options struct {
	// AgentID seeds the start offsets, so agents probing the same endpoint
	// spread out and one agent keeps its phase across restarts.
	AgentID string
	// MaxConcurrent bounds the probes in flight across all targets.
	MaxConcurrent int
	// OnResult receives each completed probe. Required.
	OnResult ResultFunc
	// OnLateness, when set, observes each probe's planned and actual start.
	OnLateness LatenessFunc
	// Probe runs one probe; nil means (*probe.Target).Probe.
	Probe ProbeFunc
}

// ErrStopped is returned by Update after Stop.
var ErrStopped = errors.New("scheduler is stopped")

// Scheduler runs targets. The zero value is not usable; call New.
type Scheduler struct {
	opts    Options
	jobs    chan job // unbuffered: MaxConcurrent workers take from it
	quit    chan struct{}
	workers sync.WaitGroup

	mu      sync.Mutex // serializes Update and Stop
	loops   map[string]*loop
	stopped bool
}

// Diff is what an Update changed, as sorted endpoint keys.
type Diff struct {
	Started   []string // new keys
	Stopped   []string // keys no longer present
	Restarted []string // keys whose spec changed
	Unchanged []string // keys left running as they were
}

// New returns a scheduler with no targets; Update gives it some.
func New(opts Options) (*Scheduler, error) {
	if opts.OnResult == nil {
		return nil, errors.New("scheduler: OnResult is required")
	}
	if opts.MaxConcurrent < 1 {
		return nil, fmt.Errorf("scheduler: MaxConcurrent %d must be at least 1", opts.MaxConcurrent)
	}
	if opts.Probe == nil {
		opts.Probe = func(ctx context.Context, t *probe.Target) *result.Result { return t.Probe(ctx) }
	}
	s := &Scheduler{opts: opts, jobs: make(chan job), quit: make(chan struct{}), loops: map[string]*loop{}}
	s.workers.Add(opts.MaxConcurrent)
	for range opts.MaxConcurrent {
		go s.worker()
	}
	return s, nil
}

// Update makes targets the running set, matched by endpoint key: new keys
// start, missing keys stop, keys whose spec (endpoint and probe options)
// changed restart, and the rest keep running untouched (same phase, same
// *probe.Target). Stopped and restarted loops have exited when Update
// returns, so no result of an old spec arrives afterwards. Duplicate keys
// are refused and change nothing. Callers pass only enabled endpoints.
func (s *Scheduler) Update(targets []*probe.Target) (Diff, error) {
	next := make(map[string]*probe.Target, len(targets))
	hashes := make(map[string]string, len(targets))
	for _, t := range targets {
		key := t.Endpoint.Key()
		if _, dup := next[key]; dup {
			return Diff{}, fmt.Errorf("scheduler: two targets share the endpoint key %q", key)
		}
		h, err := specHash(t)
		if err != nil {
			return Diff{}, fmt.Errorf("scheduler: endpoint %q: %w", key, err)
		}
		next[key], hashes[key] = t, h
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return Diff{}, ErrStopped
	}
	var d Diff
	var ending []*loop
	for key, l := range s.loops {
		_, keep := next[key]
		switch {
		case keep && hashes[key] == l.spec:
			d.Unchanged = append(d.Unchanged, key)
			continue
		case keep:
			d.Restarted = append(d.Restarted, key)
		default:
			d.Stopped = append(d.Stopped, key)
		}
		l.cancel()
		ending = append(ending, l)
		delete(s.loops, key)
	}
	for _, l := range ending {
		<-l.done
	}
	restarted := make(map[string]bool, len(d.Restarted))
	for _, key := range d.Restarted {
		restarted[key] = true
	}
	for key, t := range next {
		if _, running := s.loops[key]; running {
			continue
		}
		if !restarted[key] {
			d.Started = append(d.Started, key)
		}
		s.loops[key] = s.start(t, hashes[key])
	}
	for _, keys := range [][]string{d.Started, d.Stopped, d.Restarted, d.Unchanged} {
		sort.Strings(keys)
	}
	return d, nil
}

// Stop stops every loop, cancelling probes in flight (their results are
// dropped), and returns once all goroutines have exited. It is idempotent.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	for _, l := range s.loops {
		l.cancel()
	}
	for key, l := range s.loops {
		<-l.done
		delete(s.loops, key)
	}
	close(s.quit)
	s.workers.Wait()
}

// Keys are the endpoint keys currently scheduled, sorted.
func (s *Scheduler) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.loops))
	for k := range s.loops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
