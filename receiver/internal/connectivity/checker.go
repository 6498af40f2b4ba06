// Package connectivity is the agent's self-check, after Gatus's connectivity
// checker: the agent is online while it can open a TCP connection to a
// target of the user's choosing (1.1.1.1:53 in Gatus's docs). A probe that
// fails while the agent itself is offline says nothing about the endpoint,
// so the receiver reports it as unknown instead of as a failure.
//
// Unlike Gatus, which reads a state up to one interval old, a failure is
// judged by a check that started after the probe ended (OnlineAfter), so a
// freshly broken agent does not report failures until the next tick.
package connectivity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.uber.org/zap"
)

// MaxTimeout bounds one check, as in Gatus; shorter intervals shorten it.
const MaxTimeout = 5 * time.Second

// Options configure a Checker.
type Options struct {
	// Target is the host:port dialled over TCP.
	Target string
	// Interval is the longest time between two checks.
	Interval time.Duration
	// Logger reports changes between online and offline; nil logs nothing.
	Logger *zap.Logger
	// OnCheck, when set, receives the verdict of every completed check. It
	// is called from the checker's goroutine, one check at a time.
	OnCheck func(online bool)
}

// Checker tracks whether the agent is online. Checks never overlap: callers
// wanting a fresh verdict at the same time share one dial.
type Checker struct {
	opts    Options
	timeout time.Duration
	ctx     context.Context // ends with Stop; cancels a dial in flight
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu          sync.Mutex
	online      bool
	lastStarted time.Time // start of the last completed check; zero before the first
	current     *check    // the check in flight, nil when none
	stopped     bool
}

// check is one dial; done closes once its verdict is recorded.
type check struct {
	started time.Time
	done    chan struct{}
}

// Start validates opts and starts checking: at once, then at least every
// Interval. Call Stop to end it.
func Start(opts Options) (*Checker, error) {
	if _, _, err := net.SplitHostPort(opts.Target); err != nil {
		return nil, fmt.Errorf("connectivity: target %q must be host:port: %w", opts.Target, err)
	}
	if opts.Interval <= 0 {
		return nil, fmt.Errorf("connectivity: interval %s must be positive", opts.Interval)
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Online until a check says otherwise: nothing is known yet, and
	// OnlineAfter never relies on this first value anyway.
	c := &Checker{opts: opts, timeout: min(opts.Interval, MaxTimeout), ctx: ctx, cancel: cancel, online: true}
	c.wg.Add(1)
	go c.run()
	return c, nil
}

// Online is the verdict of the last completed check (true before the first).
func (c *Checker) Online() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.online
}

// OnlineAfter reports whether a check that started at or after t reached the
// target, waiting for one (or starting one) when none has yet. It returns
// false when no such check can complete because the checker is stopping:
// a verdict it cannot vouch for must not count as online.
func (c *Checker) OnlineAfter(t time.Time) bool {
	for {
		c.mu.Lock()
		if !c.lastStarted.IsZero() && !c.lastStarted.Before(t) {
			online := c.online
			c.mu.Unlock()
			return online
		}
		if c.stopped {
			c.mu.Unlock()
			return false
		}
		if c.current == nil {
			c.current = c.begin()
		}
		ch := c.current
		c.mu.Unlock()
		// A check already in flight may have started before t; then the
		// loop waits for it and starts the next one.
		select {
		case <-ch.done:
		case <-c.ctx.Done():
			return false
		}
	}
}

// Stop ends checking, cancels a dial in flight and waits for the
// checker's goroutines. It is idempotent.
func (c *Checker) Stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}

// run keeps the verdict at most one interval old. Checks that OnlineAfter
// started count, so an agent with failing probes does not dial more often.
func (c *Checker) run() {
	defer c.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-timer.C:
		}
		if c.ctx.Err() != nil {
			return
		}
		// Any check that started within the last interval will do,
		// including one OnlineAfter has in flight.
		c.OnlineAfter(time.Now().Add(-c.opts.Interval))
		timer.Reset(time.Until(c.nextDue()))
	}
}

// nextDue is when the periodic check after the last one is due; in the
// past before the first check.
func (c *Checker) nextDue() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastStarted.Add(c.opts.Interval)
}

// begin starts a check; c.mu must be held and the checker not stopped.
func (c *Checker) begin() *check {
	ch := &check{started: time.Now(), done: make(chan struct{})}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(ch.done)
		err := c.dial()
		if c.ctx.Err() != nil {
			// Cut short by Stop: not a verdict on the network.
			c.mu.Lock()
			c.current = nil
			c.mu.Unlock()
			return
		}
		c.record(ch, err)
	}()
	return ch
}

// dial opens and closes one TCP connection to the target.
func (c *Checker) dial() error {
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.opts.Target)
	if err != nil {
		return err
	}
	return conn.Close()
}

// record makes ch's outcome the verdict, logs a change and reports it.
// ch stays current until then, so reports never overlap or reorder.
func (c *Checker) record(ch *check, err error) {
	online := err == nil
	c.mu.Lock()
	changed := online != c.online
	c.online, c.lastStarted = online, ch.started
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.current = nil
		c.mu.Unlock()
	}()

	switch {
	case changed && online:
		c.opts.Logger.Info("Connectivity restored: failed probes count as failures again", zap.String("target", c.opts.Target))
	case changed:
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", c.timeout)
		}
		c.opts.Logger.Warn("Connectivity lost: this agent cannot reach its connectivity target, so failed probes are reported as unknown until it can",
			zap.String("target", c.opts.Target), zap.Error(err))
	}
	if c.opts.OnCheck != nil {
		c.opts.OnCheck(online)
	}
}
