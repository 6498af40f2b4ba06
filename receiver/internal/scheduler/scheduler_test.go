package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/internal/result"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// patience bounds every wait for the scheduler to make progress. It is far
// above what any run needs, so tests fail on a broken scheduler, never on a
// slow machine.
const patience = 20 * time.Second

func newTarget(t testing.TB, name string, interval time.Duration) *probe.Target {
	t.Helper()
	ep := &endpoint.Endpoint{Name: name, URL: "tcp://127.0.0.1:1", Interval: interval, Conditions: []string{"[CONNECTED] == true"}}
	tg, err := probe.NewTarget(ep, probe.Options{AgentID: "test"})
	require.NoError(t, err)
	return tg
}

// recorder collects what the scheduler reports, per endpoint key.
type recorder struct {
	mu      sync.Mutex
	results map[string][]*probe.Target
	planned map[string][]time.Time
	started map[string][]time.Time
}

func newRecorder() *recorder {
	return &recorder{results: map[string][]*probe.Target{}, planned: map[string][]time.Time{}, started: map[string][]time.Time{}}
}

func (r *recorder) onResult(t *probe.Target, _ *result.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[t.Endpoint.Key()] = append(r.results[t.Endpoint.Key()], t)
}

func (r *recorder) onLateness(t *probe.Target, planned, started time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.planned[t.Endpoint.Key()] = append(r.planned[t.Endpoint.Key()], planned)
	r.started[t.Endpoint.Key()] = append(r.started[t.Endpoint.Key()], started)
}

func (r *recorder) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.results[key])
}

func (r *recorder) targets(key string) []*probe.Target {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*probe.Target(nil), r.results[key]...)
}

func quickProbe(_ context.Context, _ *probe.Target) *result.Result {
	return &result.Result{Timestamp: time.Now(), Success: true}
}

func newScheduler(t *testing.T, opts Options) *Scheduler {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s
}

func TestProbesFollowTheirIntervals(t *testing.T) {
	rec := newRecorder()
	s := newScheduler(t, Options{AgentID: "a1", MaxConcurrent: 8, Probe: quickProbe, OnResult: rec.onResult, OnLateness: rec.onLateness})
	intervals := map[string]time.Duration{"_fast": 30 * time.Millisecond, "_medium": 50 * time.Millisecond, "_slow": 70 * time.Millisecond}
	var targets []*probe.Target
	for key, iv := range intervals {
		targets = append(targets, newTarget(t, key[1:], iv))
	}
	_, err := s.Update(targets)
	require.NoError(t, err)

	const want = 5
	require.Eventually(t, func() bool {
		for key := range intervals {
			if rec.count(key) < want {
				return false
			}
		}
		return true
	}, patience, 5*time.Millisecond)
	s.Stop()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for key, iv := range intervals {
		offset := Offset("a1", key, iv)
		planned, started := rec.planned[key], rec.started[key]
		require.GreaterOrEqual(t, len(planned), want, key)
		for i, p := range planned {
			assert.Zero(t, (p.UnixNano()-int64(offset))%int64(iv), "%s: probe %d planned off its phase", key, i)
			assert.False(t, started[i].Before(p), "%s: probe %d started %s before its slot", key, i, p.Sub(started[i]))
			if i > 0 {
				gap := p.Sub(planned[i-1])
				assert.True(t, gap > 0 && gap%iv == 0, "%s: planned gap %s is not a multiple of %s", key, gap, iv)
			}
		}
	}
}

func TestOffsetsLieWithinTheIntervalAndSpreadEvenly(t *testing.T) {
	for _, iv := range []time.Duration{time.Second, 7 * time.Second, time.Minute, time.Hour} {
		t.Run(iv.String(), func(t *testing.T) {
			const keys, buckets = 2000, 10
			counts := make([]int, buckets)
			for i := range keys {
				key := fmt.Sprintf("group_endpoint-%d", i)
				off := Offset("agent-1", key, iv)
				require.True(t, off >= 0 && off < iv, "offset %s outside [0, %s)", off, iv)
				require.Equal(t, off, Offset("agent-1", key, iv), "offset must be deterministic")
				counts[int(off*buckets/iv)]++
			}
			for b, n := range counts {
				// 200 expected per bucket; a fair hash stays well inside this.
				assert.True(t, n > 140 && n < 260, "bucket %d holds %d of %d offsets: %v", b, n, keys, counts)
			}
		})
	}
	assert.NotEqual(t, Offset("agent-1", "g_api", time.Minute), Offset("agent-2", "g_api", time.Minute), "agents must not share a phase")
	assert.Zero(t, Offset("a", "k", 0))
}

func TestSlots(t *testing.T) {
	epoch := time.Unix(1_700_000_000, 0) // a multiple of 10s
	sec := time.Second
	first := []struct {
		name          string
		now           time.Time
		interval, off time.Duration
		want          time.Time
	}{
		{"on the slot runs now", epoch.Add(3 * sec), 10 * sec, 3 * sec, epoch.Add(3 * sec)},
		{"before the slot waits for it", epoch.Add(1 * sec), 10 * sec, 3 * sec, epoch.Add(3 * sec)},
		{"after the slot waits for the next", epoch.Add(4 * sec), 10 * sec, 3 * sec, epoch.Add(13 * sec)},
		{"zero offset aligns to the interval", epoch.Add(9 * sec), 10 * sec, 0, epoch.Add(10 * sec)},
	}
	for _, tt := range first {
		t.Run("first/"+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, firstSlot(tt.now, tt.interval, tt.off))
		})
	}
	next := []struct {
		name     string
		prev     time.Time
		interval time.Duration
		now      time.Time
		want     time.Time
	}{
		{"on time takes the next slot", epoch, 10 * sec, epoch.Add(2 * sec), epoch.Add(10 * sec)},
		{"late by less than an interval runs the missed slot", epoch, 10 * sec, epoch.Add(15 * sec), epoch.Add(10 * sec)},
		{"late by several intervals runs only the latest missed slot", epoch, 10 * sec, epoch.Add(35 * sec), epoch.Add(30 * sec)},
	}
	for _, tt := range next {
		t.Run("next/"+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nextSlot(tt.prev, tt.interval, tt.now))
		})
	}
}

func TestProbesInFlightNeverExceedTheBound(t *testing.T) {
	const bound, endpoints, releases = 3, 12, 30
	var inFlight, maxInFlight, done atomic.Int64
	release := make(chan struct{})
	blocking := func(ctx context.Context, _ *probe.Target) *result.Result {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		defer inFlight.Add(-1)
		select {
		case <-release:
			done.Add(1)
		case <-ctx.Done():
		}
		return &result.Result{}
	}
	rec := newRecorder()
	s := newScheduler(t, Options{AgentID: "a", MaxConcurrent: bound, Probe: blocking, OnResult: rec.onResult})
	var targets []*probe.Target
	for i := range endpoints {
		tg := newTarget(t, fmt.Sprintf("e%d", i), 10*time.Millisecond)
		tg.Endpoint.Client = &endpoint.ClientConfig{Timeout: time.Hour}
		targets = append(targets, tg)
	}
	_, err := s.Update(targets)
	require.NoError(t, err)

	// Every endpoint is due many times over, yet only `bound` probes run;
	// each release lets exactly one waiting probe in.
	require.Eventually(t, func() bool { return inFlight.Load() >= bound }, patience, time.Millisecond)
	for range releases {
		select {
		case release <- struct{}{}:
		case <-time.After(patience):
			t.Fatal("no probe took the release: waiting probes are not run")
		}
	}
	require.Eventually(t, func() bool { return inFlight.Load() >= bound }, patience, time.Millisecond)
	s.Stop()
	assert.EqualValues(t, bound, maxInFlight.Load())
	assert.EqualValues(t, releases, done.Load())
}

func TestUpdateStartsStopsAndRestartsByKeyAndSpec(t *testing.T) {
	rec := newRecorder()
	s := newScheduler(t, Options{AgentID: "a", MaxConcurrent: 16, Probe: quickProbe, OnResult: rec.onResult})
	iv := 20 * time.Millisecond
	keep, change, drop := newTarget(t, "keep", iv), newTarget(t, "change", iv), newTarget(t, "drop", iv)
	d, err := s.Update([]*probe.Target{keep, change, drop})
	require.NoError(t, err)
	assert.Equal(t, Diff{Started: []string{"_change", "_drop", "_keep"}}, d)
	require.Eventually(t, func() bool { return rec.count("_keep") > 0 && rec.count("_change") > 0 && rec.count("_drop") > 0 }, patience, time.Millisecond)

	keepAgain := newTarget(t, "keep", iv) // equal spec, new pointer
	changed := newTarget(t, "change", iv)
	changed.Endpoint.URL = "tcp://127.0.0.1:2"
	added := newTarget(t, "add", iv)
	d, err = s.Update([]*probe.Target{keepAgain, changed, added})
	require.NoError(t, err)
	assert.Equal(t, Diff{Started: []string{"_add"}, Stopped: []string{"_drop"}, Restarted: []string{"_change"}, Unchanged: []string{"_keep"}}, d)
	assert.Equal(t, []string{"_add", "_change", "_keep"}, s.Keys())

	dropped := rec.count("_drop")
	changedBefore := len(rec.targets("_change"))
	require.Eventually(t, func() bool { return rec.count("_add") > 0 && rec.count("_change") > changedBefore+1 }, patience, time.Millisecond)
	s.Stop()

	assert.Equal(t, dropped, rec.count("_drop"), "a removed endpoint must not be probed after Update returns")
	for _, tg := range rec.targets("_change")[changedBefore:] {
		assert.Same(t, changed, tg, "a changed endpoint must run its new spec after Update returns")
	}
	for _, tg := range rec.targets("_keep") {
		assert.Same(t, keep, tg, "an unchanged endpoint keeps running as it was started")
	}
}

func TestUpdateRefusesDuplicateKeysAndChangesNothing(t *testing.T) {
	s := newScheduler(t, Options{MaxConcurrent: 1, Probe: quickProbe, OnResult: func(*probe.Target, *result.Result) {}})
	_, err := s.Update([]*probe.Target{newTarget(t, "a", time.Hour)})
	require.NoError(t, err)
	_, err = s.Update([]*probe.Target{newTarget(t, "b", time.Hour), newTarget(t, "B", time.Hour)})
	require.ErrorContains(t, err, `two targets share the endpoint key "_b"`)
	assert.Equal(t, []string{"_a"}, s.Keys())
}

func TestStopCancelsProbesInFlightAndDropsTheirResults(t *testing.T) {
	var running atomic.Int64
	var delivered atomic.Int64
	waitForCancel := func(ctx context.Context, _ *probe.Target) *result.Result {
		running.Add(1)
		<-ctx.Done()
		return &result.Result{Errors: []string{ctx.Err().Error()}}
	}
	s, err := New(Options{MaxConcurrent: 4, Probe: waitForCancel, OnResult: func(*probe.Target, *result.Result) { delivered.Add(1) }})
	require.NoError(t, err)
	var targets []*probe.Target
	for i := range 4 {
		tg := newTarget(t, fmt.Sprintf("e%d", i), 10*time.Millisecond)
		tg.Endpoint.Client = &endpoint.ClientConfig{Timeout: time.Hour}
		targets = append(targets, tg)
	}
	_, err = s.Update(targets)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return running.Load() == 4 }, patience, time.Millisecond)

	s.Stop()
	s.Stop() // idempotent
	goleak.VerifyNone(t)
	assert.Zero(t, delivered.Load())
	_, err = s.Update(targets)
	assert.ErrorIs(t, err, ErrStopped)
}

func TestEachProbeGetsTheEndpointTimeout(t *testing.T) {
	type seen struct {
		budget time.Duration
		err    error
	}
	got := make(chan seen, 1)
	probeFn := func(ctx context.Context, _ *probe.Target) *result.Result {
		start := time.Now()
		deadline, ok := ctx.Deadline()
		<-ctx.Done() // would hang forever without a timeout
		if ok {
			select {
			case got <- seen{budget: deadline.Sub(start), err: ctx.Err()}:
			default:
			}
		}
		return &result.Result{}
	}
	s := newScheduler(t, Options{MaxConcurrent: 1, Probe: probeFn, OnResult: func(*probe.Target, *result.Result) {}})
	tg := newTarget(t, "slow", time.Hour)
	tg.Endpoint.Interval = 10 * time.Millisecond
	tg.Endpoint.Client = &endpoint.ClientConfig{Timeout: 30 * time.Millisecond}
	_, err := s.Update([]*probe.Target{tg})
	require.NoError(t, err)
	select {
	case sn := <-got:
		assert.LessOrEqual(t, sn.budget, 30*time.Millisecond)
		assert.ErrorIs(t, sn.err, context.DeadlineExceeded)
	case <-time.After(patience):
		t.Fatal("probe never timed out")
	}
}

func TestAPanickingProbeBecomesAFailedResult(t *testing.T) {
	got := make(chan *result.Result, 1)
	s := newScheduler(t, Options{MaxConcurrent: 1,
		Probe: func(context.Context, *probe.Target) *result.Result { panic("boom") },
		OnResult: func(_ *probe.Target, r *result.Result) {
			select {
			case got <- r:
			default:
			}
		}})
	_, err := s.Update([]*probe.Target{newTarget(t, "p", 10*time.Millisecond)})
	require.NoError(t, err)
	select {
	case r := <-got:
		assert.False(t, r.Success)
		assert.Equal(t, []string{"probe panicked: boom"}, r.Errors)
	case <-time.After(patience):
		t.Fatal("no result after a panic")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	_, err := New(Options{MaxConcurrent: 1})
	assert.ErrorContains(t, err, "OnResult is required")
	_, err = New(Options{OnResult: func(*probe.Target, *result.Result) {}})
	assert.ErrorContains(t, err, "MaxConcurrent 0 must be at least 1")
	assert.False(t, errors.Is(err, ErrStopped))
}
