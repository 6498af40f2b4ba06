package alertmanager

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/quorum/internal/engine"
	"github.com/quorate/quorate/quorum/internal/state"
)

// DefaultMaxPending bounds the alerts waiting to be posted. Each alert of
// each endpoint takes one place at most (a newer version replaces an older
// one), so this is only reached with that many alerts changing while
// Alertmanager is unreachable.
const DefaultMaxPending = 100_000

// Options configure New.
type Options struct {
	Client *Client
	Source Source
	Logger *zap.Logger
	// ResendInterval: DefaultResendInterval when 0.
	ResendInterval time.Duration
	// Labels are added to every alert.
	Labels map[string]string
	// MaxPending: DefaultMaxPending when 0.
	MaxPending int
}

// Notifier posts the quorum's fired, reminder and resolved transitions to
// Alertmanager: one alert per alert of an endpoint, never per agent. Its
// Sink only records what changed and wakes a goroutine that posts, so the
// engine never waits for Alertmanager.
type Notifier struct {
	client     *Client
	src        Source
	logger     *zap.Logger
	resend     time.Duration
	labels     map[string]string
	maxPending int
	// wallNow stamps the endsAt of firing alerts, which Alertmanager
	// compares with its own clock.
	wallNow func() time.Time
	// retryFirst and retryMax bound the backoff between failed posts.
	retryFirst, retryMax time.Duration

	mu sync.Mutex
	// active are the alerts firing as last posted (or about to be).
	active map[alertKey]Alert
	// pending are the posts to make: the latest version of each alert.
	pending map[alertKey]Alert
	// seen is the time of the latest transition applied per alert: one
	// caused earlier but delivered later (sinks run on the goroutines that
	// caused them) is stale and skipped.
	seen map[alertKey]time.Time
	// overflowed is set once pending was full and that was logged.
	overflowed bool

	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	cancel   context.CancelFunc
	started  bool
	shutdown bool
}

// New makes a notifier; Start starts posting.
func New(opts Options) (*Notifier, error) {
	if opts.Client == nil || opts.Source == nil {
		return nil, errors.New("alertmanager notifier: client and source are required")
	}
	n := &Notifier{
		client:     opts.Client,
		src:        opts.Source,
		logger:     opts.Logger,
		resend:     opts.ResendInterval,
		labels:     maps.Clone(opts.Labels),
		maxPending: opts.MaxPending,
		wallNow:    time.Now,
		retryFirst: time.Second,
		active:     map[alertKey]Alert{},
		pending:    map[alertKey]Alert{},
		seen:       map[alertKey]time.Time{},
		wake:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	if n.logger == nil {
		n.logger = zap.NewNop()
	}
	if n.resend <= 0 {
		n.resend = DefaultResendInterval
	}
	if n.maxPending <= 0 {
		n.maxPending = DefaultMaxPending
	}
	n.retryMax = min(n.resend, 30*time.Second)
	return n, nil
}

// isAlertKind: the transitions Alertmanager hears of. Degraded and agent
// transitions are detail of the quorum, not incidents.
func isAlertKind(k state.Kind) bool {
	return k == state.Fired || k == state.Reminder || k == state.Resolved
}

// Sink is the engine.Sink to subscribe: it never blocks on the network.
func (n *Notifier) Sink(_ context.Context, ts []engine.Transition) {
	if !slices.ContainsFunc(ts, func(t engine.Transition) bool { return isAlertKind(t.Kind) }) {
		return
	}
	mc := n.src.Config()
	n.mu.Lock()
	for i := range ts {
		t := &ts[i]
		if !isAlertKind(t.Kind) || t.EndpointKey == "" {
			continue
		}
		k := alertKey{t.EndpointKey, t.AlertIndex}
		if last, ok := n.seen[k]; ok && t.At.Before(last) {
			continue
		}
		n.seen[k] = t.At
		in := fromTransition(n.src, mc, t)
		if t.Kind == state.Resolved {
			n.resolve(k, &in, t.At)
			continue
		}
		// Fired, or a reminder: Alertmanager dedupes the same labels and
		// its repeat_interval decides whether people hear of it again.
		a := in.firing(n.labels)
		if old, ok := n.active[k]; ok {
			a.Labels = old.Labels
		}
		n.active[k] = a
		n.queue(k, a)
	}
	n.mu.Unlock()
	n.signal()
}

// resolve queues the end of alert k at the time at. The labels are the ones
// it fired with, so Alertmanager resolves that very alert. n.mu is held.
func (n *Notifier) resolve(k alertKey, in *incident, at time.Time) {
	a, ok := n.active[k]
	if ok {
		delete(n.active, k)
	} else {
		a = in.firing(n.labels)
	}
	a.Annotations = in.annotations(true)
	if a.StartsAt.IsZero() || a.StartsAt.After(at) {
		a.StartsAt = at // Alertmanager refuses an end before the start
	}
	a.EndsAt = at
	n.queue(k, a)
}

// queue replaces the pending post of alert k. A new alert when pending is
// full is dropped and logged once; the next resend brings firing ones back.
// n.mu is held.
func (n *Notifier) queue(k alertKey, a Alert) {
	if _, ok := n.pending[k]; !ok && len(n.pending) >= n.maxPending {
		if !n.overflowed {
			n.overflowed = true
			n.logger.Warn("Alertmanager notifier queue is full; dropping alerts until Alertmanager accepts posts again",
				zap.Int("max_pending", n.maxPending), zap.String("url", n.client.String()))
		}
		return
	}
	n.pending[k] = a
}

func (n *Notifier) signal() {
	select {
	case n.wake <- struct{}{}:
	default: // a wake-up is already due
	}
}

// reconcile makes the firing alerts match the engine and queues every one
// of them again: alerts restored firing after a restart are posted, and an
// alert that stopped firing without a Resolved (its endpoint was removed or
// reset by a config change) is resolved.
func (n *Notifier) reconcile() {
	mc := n.src.Config()
	now := n.src.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	statuses := map[string]*state.EndpointStatus{}
	firing := map[alertKey]bool{}
	eps := n.src.Endpoints()
	for i := range eps {
		st := &eps[i]
		statuses[st.Key] = st
		for j := range st.Alerts {
			qs := &st.Alerts[j]
			if !qs.Firing {
				continue
			}
			k := alertKey{st.Key, qs.AlertIndex}
			firing[k] = true
			in := fromStatus(n.src, mc, st, qs)
			a := in.firing(n.labels)
			if old, ok := n.active[k]; ok {
				a.Labels = old.Labels
			}
			n.active[k] = a
		}
	}
	for k, a := range n.active {
		if firing[k] {
			n.queue(k, a)
			continue
		}
		in := incident{endpointKey: k.endpoint, alertIndex: k.index, removed: true}
		if st, ok := statuses[k.endpoint]; ok {
			for j := range st.Alerts {
				if st.Alerts[j].AlertIndex == k.index {
					in = fromStatus(n.src, mc, st, &st.Alerts[j])
				}
			}
		}
		if in.endpointName == "" {
			in.endpointName = a.Labels[LabelEndpointName]
			in.endpointGroup = a.Labels[LabelEndpointGroup]
		}
		n.resolve(k, &in, now)
	}
	for k, t := range n.seen {
		if now.Sub(t) > n.resend {
			delete(n.seen, k)
		}
	}
}

// Firing is the number of alerts the notifier keeps firing in Alertmanager.
func (n *Notifier) Firing() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.active)
}

// String describes the notifier for logs.
func (n *Notifier) String() string {
	return fmt.Sprintf("Alertmanager at %s, resend every %s", n.client, n.resend)
}
