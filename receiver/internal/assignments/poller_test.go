package assignments

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/receiver/internal/assignments/assignmentstest"
)

// assertRegular checks a delay after a successful poll: at most the
// interval, so changes arrive within it, and at least 90% of it.
func assertRegular(t *testing.T, interval, d time.Duration) {
	t.Helper()
	assert.LessOrEqual(t, d, interval)
	assert.GreaterOrEqual(t, d, interval-interval/10)
}

func TestPollerAppliesNewAssignmentsAndCachesThem(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	cache := filepath.Join(t.TempDir(), "assignments.json")
	log, logs := observedLogger(t)
	rec := &recorder{}
	p, step := startPoller(t, central, Options{CacheFile: cache, Apply: rec.apply, Logger: log})

	assertRegular(t, 8*time.Second, step.first(t))
	require.Len(t, rec.applied(), 1)
	assert.Equal(t, central.Checksum(), rec.applied()[0].Checksum)
	assert.Equal(t, central.Checksum(), p.Status().Checksum)
	assert.False(t, p.Status().LastSync.IsZero())
	cached, _, err := LoadCache(cache, agentID)
	require.NoError(t, err)
	assert.Equal(t, rec.applied()[0], cached)

	// Unchanged: revalidated, not applied again.
	assertRegular(t, 8*time.Second, step.poll(t))
	assert.Len(t, rec.applied(), 1)

	// Changed: applied and cached.
	v2 := central.SetEndpoints(httpEndpoint("api"), httpEndpoint("web"))
	step.poll(t)
	require.Len(t, rec.applied(), 2)
	assert.Len(t, rec.applied()[1].Endpoints, 2)
	assert.Equal(t, v2, p.Status().Checksum)
	cached, _, err = LoadCache(cache, agentID)
	require.NoError(t, err)
	assert.Equal(t, v2, cached.Checksum)

	reqs := central.Requests()
	require.Len(t, reqs, 3)
	assert.Empty(t, reqs[0].IfNoneMatch)
	assert.Equal(t, strconv.Quote(rec.applied()[0].Checksum), reqs[1].IfNoneMatch)
	assert.Equal(t, []int{200, 304, 200}, []int{reqs[0].Status, reqs[1].Status, reqs[2].Status})
	assert.Equal(t, []string{"Assignments in sync with central"}, messages(logs, zapcore.InfoLevel),
		"reaching sync is logged once, not on every poll")
}

func TestPollerStartsFromTheCacheBeforeCentralAnswers(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	cache := filepath.Join(t.TempDir(), "assignments.json")
	snap := &Snapshot{AgentID: agentID, Checksum: central.Checksum(), Endpoints: []endpoint.Endpoint{httpEndpoint("api")}}
	require.NoError(t, SaveCache(cache, snap, time.Now()))

	central.Stop()
	rec := &recorder{}
	log, logs := observedLogger(t)
	p, step := startPoller(t, central, Options{CacheFile: cache, Apply: rec.apply, Logger: log})
	// Start applied the cache itself, before any poll.
	require.Len(t, rec.applied(), 1)
	assert.Equal(t, snap, rec.applied()[0])
	assert.Contains(t, messages(logs, zapcore.InfoLevel), "Probing the cached assignments until central answers")

	step.first(t) // central down
	assert.Len(t, rec.applied(), 1)
	assert.True(t, p.Status().LastSync.IsZero())

	central.Restart()
	step.poll(t)
	reqs := central.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, strconv.Quote(snap.Checksum), reqs[0].IfNoneMatch, "the cached checksum is revalidated")
	assert.Equal(t, 304, reqs[0].Status)
	assert.Len(t, rec.applied(), 1, "a cache central confirms is not applied again")
	assert.False(t, p.Status().LastSync.IsZero())
}

func TestPollerIgnoresAnotherAgentsCache(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	cache := filepath.Join(t.TempDir(), "assignments.json")
	require.NoError(t, SaveCache(cache, &Snapshot{AgentID: "us", Checksum: "theirs"}, time.Now()))
	rec := &recorder{}
	log, logs := observedLogger(t)
	_, step := startPoller(t, central, Options{CacheFile: cache, Apply: rec.apply, Logger: log})
	step.first(t)
	require.Len(t, rec.applied(), 1, "another agent's assignments are never probed")
	assert.Equal(t, central.Checksum(), rec.applied()[0].Checksum)
	assert.Contains(t, messages(logs, zapcore.WarnLevel), "Ignoring the assignments cache; probing starts when central answers")
	cached, _, err := LoadCache(cache, agentID)
	require.NoError(t, err, "the first answer replaces the foreign cache")
	assert.Equal(t, central.Checksum(), cached.Checksum)
}

func TestPollerKeepsTheLastAssignmentsWhileCentralIsDown(t *testing.T) {
	const interval = 8 * time.Second
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	rec := &recorder{}
	log, logs := observedLogger(t)
	p, step := startPoller(t, central, Options{Interval: interval, Apply: rec.apply, Logger: log})
	step.first(t)
	synced := p.Status()

	central.Stop()
	// Backoff doubles from 1s to the interval, each with jitter in [d/2, d].
	for _, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		d := step.poll(t)
		assert.LessOrEqual(t, d, ceiling)
		assert.GreaterOrEqual(t, d, ceiling/2)
	}
	assert.Len(t, rec.applied(), 1, "nothing new to apply: the last assignments keep running")
	assert.Equal(t, synced, p.Status())
	assert.Equal(t, []string{"Central is unreachable; probing the last assignments and retrying with backoff"},
		messages(logs, zapcore.WarnLevel), "an outage is logged once, not on every poll")

	central.Restart()
	assertRegular(t, interval, step.poll(t))
	assert.Equal(t, synced.Checksum, p.Status().Checksum)
	assert.True(t, p.Status().LastSync.After(synced.LastSync))
	assert.Equal(t, []string{"Assignments in sync with central", "Central answers again; assignments in sync"},
		messages(logs, zapcore.InfoLevel))

	// A second outage starts its backoff afresh.
	central.Stop()
	d := step.poll(t)
	assert.LessOrEqual(t, d, time.Second)
}

func TestPollerWaitsTheFullIntervalAfterARefusal(t *testing.T) {
	const interval = 8 * time.Second
	tests := []struct {
		name     string
		agent    string
		tok      string
		fail     *assignmentstest.Failure
		wantCode string
		wantMsg  string
	}{
		{name: "wrong token", agent: agentID, tok: "tok-wrong", wantCode: "401",
			wantMsg: "Central refused the agent token (401); set central.token to this agent's token from the monitoring config. Probing the last assignments meanwhile"},
		{name: "token of another agent", agent: "us", tok: token, wantCode: "403",
			wantMsg: "Central refused this agent_id for the token (403); the token belongs to another agent, so check agent_id. Probing the last assignments meanwhile"},
		{name: "not a central", agent: agentID, tok: token, fail: &assignmentstest.Failure{Status: 404}, wantCode: "404",
			wantMsg: "Central refused the assignments poll; check central.endpoint. Probing the last assignments meanwhile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
			if tt.fail != nil {
				central.Fail(*tt.fail)
			}
			rec := &recorder{}
			log, logs := observedLogger(t)
			_, step := startPoller(t, central, Options{
				Client: newClient(t, central.URL(), tt.agent, tt.tok), AgentID: tt.agent,
				Interval: interval, Apply: rec.apply, Logger: log,
			})
			assert.Equal(t, interval, step.first(t), "not retried faster than the refresh interval")
			assert.Equal(t, interval, step.poll(t))
			assert.Equal(t, interval, step.poll(t))
			assert.Empty(t, rec.applied())
			assert.Equal(t, []string{tt.wantMsg}, messages(logs, zapcore.ErrorLevel), "logged once per cause")
			errs := logs.FilterMessage(tt.wantMsg).All()
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].ContextMap()["error"], tt.wantCode)
		})
	}
}

func TestPollerHonoursRetryAfter(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	central.Fail(assignmentstest.Failure{Status: 429, RetryAfter: "7", Times: 2})
	rec := &recorder{}
	log, logs := observedLogger(t)
	_, step := startPoller(t, central, Options{Interval: 30 * time.Second, Apply: rec.apply, Logger: log})

	assert.Equal(t, 7*time.Second, step.first(t), "Retry-After is longer than the backoff: it wins")
	assert.Equal(t, 7*time.Second, step.poll(t))
	assert.Empty(t, rec.applied())
	assert.Equal(t, []string{"Central rate-limited the assignments poll (429); waiting as Retry-After asks"}, messages(logs, zapcore.WarnLevel))

	assertRegular(t, 30*time.Second, step.poll(t))
	assert.Len(t, rec.applied(), 1)
}

func TestPollerBacksOffOnServerErrors(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	central.Fail(assignmentstest.Failure{Status: 503})
	log, logs := observedLogger(t)
	_, step := startPoller(t, central, Options{Interval: 8 * time.Second, Apply: (&recorder{}).apply, Logger: log})
	d1, d2, d3 := step.first(t), step.poll(t), step.poll(t)
	assert.LessOrEqual(t, d1, time.Second)
	assert.LessOrEqual(t, d2, 2*time.Second)
	assert.GreaterOrEqual(t, d3, 2*time.Second)
	assert.Equal(t, []string{"Central failed to answer the assignments poll; probing the last assignments and retrying with backoff"},
		messages(logs, zapcore.WarnLevel))
}

func TestPollerRefetchesAVersionItCouldNotApply(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	rec := &recorder{failNext: true}
	log, logs := observedLogger(t)
	p, step := startPoller(t, central, Options{Interval: 8 * time.Second, Apply: rec.apply, Logger: log})
	assert.Equal(t, 8*time.Second, step.first(t))
	assert.Empty(t, p.Status().Checksum, "a version that was not applied is not recorded")
	assert.Equal(t, []string{"Could not apply the assignments from central; probing the previous ones"}, messages(logs, zapcore.ErrorLevel))

	step.poll(t)
	require.Len(t, rec.applied(), 1)
	assert.Equal(t, central.Checksum(), p.Status().Checksum)
	assert.Equal(t, []int{200, 200}, []int{central.Requests()[0].Status, central.Requests()[1].Status})
}

func TestPollerStopEndsTheLoop(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	p, err := NewPoller(Options{Client: newClient(t, central.URL(), agentID, token), Interval: time.Hour, Apply: (&recorder{}).apply})
	require.NoError(t, err)
	p.Stop() // before Start: nothing to stop
	require.NoError(t, p.Start())
	p.Stop() // waiting an hour: returns at once
	p.Stop()
	// goleak in TestMain checks that no goroutine outlived Stop.
}

func TestNewPollerRequiresItsParts(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", agentID, token)
	apply := (&recorder{}).apply
	for _, opts := range []Options{
		{Interval: time.Second, Apply: apply},
		{Client: c, Interval: time.Second},
		{Client: c, Apply: apply},
	} {
		_, err := NewPoller(opts)
		assert.Error(t, err)
	}
}
