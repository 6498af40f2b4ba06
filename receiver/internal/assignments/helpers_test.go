package assignments

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/receiver/internal/assignments/assignmentstest"
)

const (
	agentID   = "eu"
	token     = "tok-eu-7d1f0c9b-secret"
	userAgent = "quorate-agent/test"
)

// observedLogger records every entry and, when the test ends, checks that
// none of them contains the agent token.
func observedLogger(t *testing.T) (*zap.Logger, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	t.Cleanup(func() {
		for _, e := range logs.All() {
			text := e.Message + " " + fmt.Sprint(e.ContextMap())
			assert.NotContains(t, text, token, "the token leaked into a log entry")
		}
	})
	return zap.New(core), logs
}

func newClient(t *testing.T, baseURL, agent, tok string) *Client {
	t.Helper()
	c, err := NewClient(&http.Client{Timeout: 5 * time.Second}, baseURL, agent, tok, userAgent)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func httpEndpoint(name string) endpoint.Endpoint {
	return endpoint.Endpoint{Name: name, Group: "core", URL: "http://127.0.0.1:1/" + name,
		Interval: 30 * time.Second, Conditions: []string{"[STATUS] == 200"}}
}

// recorder is an Apply that remembers each snapshot; failNext makes the
// next call fail.
type recorder struct {
	mu       sync.Mutex
	snaps    []*Snapshot
	failNext bool
}

func (r *recorder) apply(s *Snapshot) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failNext {
		r.failNext = false
		return fmt.Errorf("scheduler refused")
	}
	r.snaps = append(r.snaps, s)
	return nil
}

func (r *recorder) applied() []*Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Snapshot(nil), r.snaps...)
}

// stepper replaces the poller's sleep: after each poll the poller hands over
// the delay it chose and waits until the test lets it poll again, so the
// test can change the central in between without racing the poller.
type stepper struct {
	delays  chan time.Duration
	proceed chan struct{}
}

func newStepper() *stepper {
	return &stepper{delays: make(chan time.Duration), proceed: make(chan struct{})}
}

func (s *stepper) wait(ctx context.Context, d time.Duration) bool {
	select {
	case s.delays <- d:
	case <-ctx.Done():
		return false
	}
	select {
	case <-s.proceed:
		return true
	case <-ctx.Done():
		return false
	}
}

// first is the delay chosen after the poll Start began.
func (s *stepper) first(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-s.delays:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("the poller did not finish its first poll")
		return 0
	}
}

// poll lets the poller run one more poll and returns the delay it chose.
func (s *stepper) poll(t *testing.T) time.Duration {
	t.Helper()
	s.proceed <- struct{}{}
	return s.first(t)
}

// startPoller starts a poller against central whose sleeps the returned
// stepper controls; it is stopped when the test ends.
func startPoller(t *testing.T, c *assignmentstest.Central, opts Options) (*Poller, *stepper) {
	t.Helper()
	if opts.Client == nil {
		opts.Client = newClient(t, c.URL(), agentID, token)
	}
	if opts.AgentID == "" {
		opts.AgentID = agentID
	}
	if opts.Interval == 0 {
		opts.Interval = 8 * time.Second
	}
	p, err := NewPoller(opts)
	require.NoError(t, err)
	s := newStepper()
	p.wait = s.wait
	require.NoError(t, p.Start())
	t.Cleanup(p.Stop)
	return p, s
}

// messages are the messages logged at exactly level.
func messages(logs *observer.ObservedLogs, level zapcore.Level) []string {
	var out []string
	for _, e := range logs.All() {
		if e.Level == level {
			out = append(out, e.Message)
		}
	}
	return out
}
