package assignments

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const (
	// initialBackoff is the first retry delay after a failed poll; it
	// doubles per failure up to the refresh interval.
	initialBackoff = time.Second
	// maxRetryAfter caps what a Retry-After header can make the agent wait,
	// so that a garbled header cannot stop polling for days.
	maxRetryAfter = time.Hour
)

// Options configure a Poller.
type Options struct {
	Client *Client
	// Interval is the refresh interval: the longest time between two polls
	// while central answers, so a change on central is applied within it.
	Interval time.Duration
	// CacheFile keeps a copy of the last assignments; empty keeps none.
	CacheFile string
	// AgentID is checked against the cache so one agent never probes
	// another's assignments.
	AgentID string
	// Apply makes a snapshot the probed set. It is called with the cached
	// snapshot from Start and with each new version from the poll loop,
	// never concurrently. An error keeps the previous set and checksum, so
	// the next poll fetches the version again.
	Apply func(*Snapshot) error
	// Logger; nil logs nothing.
	Logger *zap.Logger
}

// Status is what the agent last agreed on with the central.
type Status struct {
	// Checksum of the assignments being probed (from central or the cache).
	Checksum string
	// LastSync is when central last answered 200 or 304; zero before that.
	LastSync time.Time
}

// Poller keeps the assignments in step with the central.
type Poller struct {
	opts Options
	log  *zap.Logger
	// wait sleeps d unless ctx ends first, reporting whether it slept; tests
	// replace it to see and pace the delays the poller chooses.
	wait func(ctx context.Context, d time.Duration) bool

	mu     sync.Mutex
	status Status

	cancel context.CancelFunc
	done   chan struct{}

	// Owned by the loop once Start has returned.
	endpoints int    // in the snapshot being probed
	state     string // what the last poll found; logged when it changes
	failures  int    // polls failed in a row
	downSince time.Time
	cacheErr  string // last cache write error logged
}

// NewPoller checks opts and returns a poller that does nothing until Start.
func NewPoller(opts Options) (*Poller, error) {
	switch {
	case opts.Client == nil:
		return nil, errors.New("assignments: Client is required")
	case opts.Apply == nil:
		return nil, errors.New("assignments: Apply is required")
	case opts.Interval <= 0:
		return nil, fmt.Errorf("assignments: Interval %s must be positive", opts.Interval)
	}
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &Poller{opts: opts, log: log, wait: sleep}, nil
}

// Status is the checksum being probed and the time of the last sync.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Start applies the cached assignments, if any, so probing starts before the
// central answers, then polls in the background until Stop.
func (p *Poller) Start() error {
	if err := p.loadCache(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go p.run(ctx)
	return nil
}

// Stop ends polling, waiting for a poll in flight; no Apply runs after it
// returns. It is idempotent and safe without Start.
func (p *Poller) Stop() {
	if p.cancel == nil {
		return
	}
	p.cancel()
	<-p.done
	p.opts.Client.CloseIdleConnections()
}

func (p *Poller) loadCache() error {
	if p.opts.CacheFile == "" {
		return nil
	}
	snap, savedAt, err := LoadCache(p.opts.CacheFile, p.opts.AgentID)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.log.Debug("No assignments cache yet", zap.String("cache_file", p.opts.CacheFile))
		return nil
	case err != nil:
		p.log.Warn("Ignoring the assignments cache; probing starts when central answers", zap.Error(err))
		return nil
	}
	if err := p.opts.Apply(snap); err != nil {
		return fmt.Errorf("applying the cached assignments of %s: %w", p.opts.CacheFile, err)
	}
	p.endpoints = len(snap.Endpoints)
	p.mu.Lock()
	p.status.Checksum = snap.Checksum
	p.mu.Unlock()
	p.log.Info("Probing the cached assignments until central answers",
		zap.String("cache_file", p.opts.CacheFile), zap.Time("saved_at", savedAt),
		zap.String("checksum", snap.Checksum), zap.Int("endpoints", len(snap.Endpoints)))
	return nil
}

func (p *Poller) run(ctx context.Context) {
	defer close(p.done)
	for {
		d := p.poll(ctx)
		if ctx.Err() != nil || !p.wait(ctx, d) {
			return
		}
	}
}

// poll fetches once, applies what changed, and returns how long to wait
// before the next poll.
func (p *Poller) poll(ctx context.Context) time.Duration {
	sent := p.Status().Checksum
	snap, err := p.opts.Client.Fetch(ctx, sent)
	if ctx.Err() != nil {
		return 0 // stopping
	}
	if err != nil {
		return p.failed(err)
	}
	now := time.Now()
	if snap == nil {
		p.log.Debug("Assignments unchanged", zap.String("checksum", sent))
	} else if snap.Checksum == "" || snap.Checksum != sent {
		if err := p.opts.Apply(snap); err != nil {
			p.enter("apply failed", zapcore.ErrorLevel, "Could not apply the assignments from central; probing the previous ones", zap.Error(err))
			return p.opts.Interval
		}
		p.endpoints = len(snap.Endpoints)
		p.save(snap, now)
	}
	p.mu.Lock()
	if snap != nil {
		p.status.Checksum = snap.Checksum
	}
	p.status.LastSync = now
	p.mu.Unlock()
	p.inSync()
	return p.regularDelay()
}

// inSync logs reaching or regaining sync, once.
func (p *Poller) inSync() {
	prev, since := p.state, p.downSince
	p.failures, p.downSince = 0, time.Time{}
	if prev == "in sync" {
		return
	}
	p.state = "in sync"
	st := p.Status()
	fields := []zap.Field{zap.String("url", p.opts.Client.URL()), zap.String("checksum", st.Checksum),
		zap.Int("endpoints", p.endpoints), zap.Time("last_sync", st.LastSync)}
	if prev == "" {
		p.log.Info("Assignments in sync with central", fields...)
		return
	}
	p.log.Info("Central answers again; assignments in sync", append(fields, zap.Duration("outage", time.Since(since).Round(time.Millisecond)))...)
}

// failed logs a failed poll once per kind of failure and returns the delay
// before the next poll: backoff for what may pass quickly (network, 5xx),
// the full interval for what needs a person (401, 403, other 4xx), and
// never less than a Retry-After.
func (p *Poller) failed(err error) time.Duration {
	p.failures++
	if p.downSince.IsZero() {
		p.downSince = time.Now()
	}
	backoff := p.backoff()
	var se *StatusError
	if !errors.As(err, &se) {
		if errors.Is(err, ErrInvalidResponse) {
			p.enter("invalid response", zapcore.ErrorLevel,
				"Central sent assignments the agent cannot read; probing the last assignments. Check that central.endpoint is a Quorate central", zap.Error(err))
			return p.opts.Interval
		}
		p.enter("unreachable", zapcore.WarnLevel,
			"Central is unreachable; probing the last assignments and retrying with backoff", zap.Error(err))
		return backoff
	}
	wait := p.opts.Interval
	switch {
	case se.Code == http.StatusUnauthorized:
		p.enter("unauthorized", zapcore.ErrorLevel,
			"Central refused the agent token (401); set central.token to this agent's token from the monitoring config. Probing the last assignments meanwhile", zap.Error(err))
	case se.Code == http.StatusForbidden:
		p.enter("forbidden", zapcore.ErrorLevel,
			"Central refused this agent_id for the token (403); the token belongs to another agent, so check agent_id. Probing the last assignments meanwhile", zap.Error(err))
	case se.Code == http.StatusTooManyRequests:
		wait = backoff
		p.enter("rate limited", zapcore.WarnLevel,
			"Central rate-limited the assignments poll (429); waiting as Retry-After asks", zap.Error(err), zap.Duration("retry_after", se.RetryAfter))
	case se.Code >= 500:
		wait = backoff
		p.enter("central error", zapcore.WarnLevel,
			"Central failed to answer the assignments poll; probing the last assignments and retrying with backoff", zap.Error(err))
	default:
		p.enter("refused", zapcore.ErrorLevel,
			"Central refused the assignments poll; check central.endpoint. Probing the last assignments meanwhile", zap.Error(err))
	}
	return max(wait, se.RetryAfter)
}

// enter moves to state, logging msg only when the state changes, so an
// outage logs once rather than on every poll.
func (p *Poller) enter(state string, level zapcore.Level, msg string, fields ...zap.Field) {
	if p.state == state {
		return
	}
	p.state = state
	st := p.Status()
	fields = append(fields, zap.String("url", p.opts.Client.URL()), zap.String("checksum", st.Checksum),
		zap.Int("endpoints", p.endpoints), zap.Time("last_sync", st.LastSync))
	p.log.Log(level, msg, fields...)
}

// backoff doubles from initialBackoff per failure in a row, capped at the
// interval, with jitter in [d/2, d] so agents that lost central together do
// not come back together.
func (p *Poller) backoff() time.Duration {
	d := min(initialBackoff, p.opts.Interval)
	for i := 1; i < p.failures && d < p.opts.Interval; i++ {
		d *= 2
	}
	d = min(d, p.opts.Interval)
	return d/2 + rand.N(d/2+1)
}

// regularDelay is the interval less up to a tenth of it: spread, yet never
// longer than the interval, so changes arrive within it.
func (p *Poller) regularDelay() time.Duration {
	return p.opts.Interval - rand.N(p.opts.Interval/10+1)
}

// save keeps snap on disk, logging a failure once until it succeeds again.
func (p *Poller) save(snap *Snapshot, now time.Time) {
	if p.opts.CacheFile == "" {
		return
	}
	err := SaveCache(p.opts.CacheFile, snap, now)
	switch {
	case err != nil && err.Error() != p.cacheErr:
		p.cacheErr = err.Error()
		p.log.Warn("Could not save the assignments cache; an agent restarted while central is down would probe nothing",
			zap.String("cache_file", p.opts.CacheFile), zap.Error(err))
	case err == nil && p.cacheErr != "":
		p.cacheErr = ""
		p.log.Info("Saved the assignments cache again", zap.String("cache_file", p.opts.CacheFile))
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
