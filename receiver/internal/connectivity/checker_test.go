package connectivity

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// patience bounds waits for the checker; far above what a run needs.
const patience = 20 * time.Second

// target is a real TCP listener on loopback that can go away and come back
// on the same address, like the agent's network.
type target struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	ln   net.Listener
	wg   sync.WaitGroup
}

func newTarget(t *testing.T) *target {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tg := &target{t: t, addr: ln.Addr().String()}
	tg.serve(ln)
	t.Cleanup(tg.down)
	return tg
}

func (tg *target) serve(ln net.Listener) {
	tg.mu.Lock()
	tg.ln = ln
	tg.mu.Unlock()
	tg.wg.Add(1)
	go func() {
		defer tg.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
}

// down closes the listener: dials are refused from then on.
func (tg *target) down() {
	tg.mu.Lock()
	ln := tg.ln
	tg.ln = nil
	tg.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	tg.wg.Wait()
}

// up listens on the same address again.
func (tg *target) up() {
	ln, err := net.Listen("tcp", tg.addr)
	require.NoError(tg.t, err)
	tg.serve(ln)
}

// counter counts completed checks by verdict.
type counter struct{ online, offline atomic.Int64 }

func (c *counter) onCheck(online bool) {
	if online {
		c.online.Add(1)
	} else {
		c.offline.Add(1)
	}
}

func (c *counter) total() int64 { return c.online.Load() + c.offline.Load() }

func start(t *testing.T, opts Options) *Checker {
	t.Helper()
	c, err := Start(opts)
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	return c
}

func TestCheckerFollowsTheTargetDownAndUp(t *testing.T) {
	tg := newTarget(t)
	var n counter
	core, logs := observer.New(zap.InfoLevel)
	c := start(t, Options{Target: tg.addr, Interval: 50 * time.Millisecond, OnCheck: n.onCheck, Logger: zap.New(core)})

	require.Eventually(t, func() bool { return n.online.Load() >= 1 }, patience, time.Millisecond)
	assert.True(t, c.Online())

	tg.down()
	require.Eventually(t, func() bool { return !c.Online() }, patience, time.Millisecond, "the periodic check must notice the target is gone")
	assert.Equal(t, 1, logs.FilterMessageSnippet("Connectivity lost").Len())

	tg.up()
	require.Eventually(t, c.Online, patience, time.Millisecond, "the periodic check must notice the target is back")
	assert.Equal(t, 1, logs.FilterMessageSnippet("Connectivity restored").Len())
	assert.Equal(t, 1, logs.FilterMessageSnippet("Connectivity lost").Len(), "a change is logged once, not at every check")
}

func TestOnlineAfterChecksAfreshInsteadOfWaitingForTheNextTick(t *testing.T) {
	tg := newTarget(t)
	var n counter
	// An hour between ticks: only OnlineAfter can notice the change.
	c := start(t, Options{Target: tg.addr, Interval: time.Hour, OnCheck: n.onCheck})
	require.True(t, c.OnlineAfter(time.Now()))

	tg.down()
	assert.True(t, c.Online(), "no check since the target went away")
	assert.False(t, c.OnlineAfter(time.Now()))
	assert.False(t, c.Online())

	tg.up()
	assert.True(t, c.OnlineAfter(time.Now()))
}

func TestOnlineAfterSharesOneCheckAmongConcurrentCallers(t *testing.T) {
	tg := newTarget(t)
	var n counter
	c := start(t, Options{Target: tg.addr, Interval: time.Hour, OnCheck: n.onCheck})
	require.True(t, c.OnlineAfter(time.Now()))
	before := n.total()

	assert.True(t, c.OnlineAfter(time.Now().Add(-time.Hour)), "a check newer than asked is reused")
	assert.Equal(t, before, n.total(), "no dial for a verdict that is fresh enough")

	since := time.Now()
	var wg sync.WaitGroup
	var online atomic.Int64
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c.OnlineAfter(since) {
				online.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 32, online.Load())
	assert.Equal(t, before+1, n.total(), "callers asking at the same time share one dial")
}

func TestStoppedCheckerCannotVouchForAnyone(t *testing.T) {
	tg := newTarget(t)
	c, err := Start(Options{Target: tg.addr, Interval: time.Hour})
	require.NoError(t, err)
	require.True(t, c.OnlineAfter(time.Now()))
	last := time.Now()
	c.Stop()
	c.Stop() // idempotent

	assert.False(t, c.OnlineAfter(time.Now()), "no fresh check can run once stopped")
	assert.True(t, c.OnlineAfter(last.Add(-time.Minute)), "an earlier verdict still stands")
	assert.True(t, c.Online())
}

func TestStartRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"target without port", Options{Target: "1.1.1.1", Interval: time.Minute}, `target "1.1.1.1" must be host:port`},
		{"empty target", Options{Target: "", Interval: time.Minute}, `target "" must be host:port`},
		{"zero interval", Options{Target: "127.0.0.1:53", Interval: 0}, "interval 0s must be positive"},
		{"negative interval", Options{Target: "127.0.0.1:53", Interval: -time.Second}, "interval -1s must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Start(tt.opts)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
