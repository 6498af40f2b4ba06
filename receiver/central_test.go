package receiver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/receiver/internal/assignments/assignmentstest"
	"github.com/quorate/quorate/receiver/internal/metadata"
)

const (
	testAgent   = "eu"
	testToken   = "tok-eu-41b7e2-do-not-log"
	testRefresh = 100 * time.Millisecond
)

// upTarget is a real HTTP server on loopback answering 200.
func upTarget(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"status":"UP"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// assigned is an endpoint of group demo probing path on the target.
func assigned(target *httptest.Server, name string) endpoint.Endpoint {
	return endpoint.Endpoint{Name: name, Group: "demo", URL: target.URL + "/" + name,
		Interval: 50 * time.Millisecond, Conditions: []string{"[STATUS] == 200"}}
}

// centralConfig follows central with a 100ms refresh and a cache in a
// temporary directory.
func centralConfig(t *testing.T, central *assignmentstest.Central, token string) *Config {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AgentID = testAgent
	cc := cfg.Central.GetOrInsertDefault()
	cc.Endpoint = central.URL()
	cc.Token = configopaque.String(token)
	cc.RefreshInterval = testRefresh
	cc.CacheFile = filepath.Join(t.TempDir(), "assignments.json")
	require.NoError(t, cfg.Validate())
	return cfg
}

// observed records the receiver's logs and checks, when the test ends, that
// the token never appears in them.
func observed(t *testing.T) (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	t.Cleanup(func() {
		for _, e := range logs.All() {
			assert.NotContains(t, e.Message+" "+fmt.Sprint(e.ContextMap()), testToken, "the token leaked into a log entry")
		}
	})
	return zap.New(core), logs
}

func startAgent(t *testing.T, cfg *Config, log *zap.Logger) (receiver.Logs, *consumertest.LogsSink) {
	sink := new(consumertest.LogsSink)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = log
	set.BuildInfo.Version = "1.2.3"
	r, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	return r, sink
}

// resultsByKey counts the probe results in sink per endpoint key.
func resultsByKey(sink *consumertest.LogsSink) map[string]int {
	out := map[string]int{}
	for _, ld := range sink.AllLogs() {
		ds, err := resultschema.DecodeLogs(ld)
		if err != nil {
			out["decode error: "+err.Error()]++
			continue
		}
		for _, d := range ds {
			out[d.Key]++
		}
	}
	return out
}

// nthLog waits for the nth entry (1-based) with msg.
func nthLog(t *testing.T, logs *observer.ObservedLogs, msg string, n int) observer.LoggedEntry {
	t.Helper()
	require.Eventually(t, func() bool { return logs.FilterMessage(msg).Len() >= n }, patience, 5*time.Millisecond,
		"waiting for log %d of %q", n, msg)
	return logs.FilterMessage(msg).All()[n-1]
}

// keys reads a zap.Strings field of an observed entry.
func keys(e observer.LoggedEntry, field string) []string {
	out := []string{}
	if vs, ok := e.ContextMap()[field].([]any); ok {
		for _, v := range vs {
			out = append(out, v.(string))
		}
	}
	return out
}

func TestAssignedEndpointsAreProbedAndFollowed(t *testing.T) {
	target := upTarget(t)
	a, c := assigned(target, "a"), assigned(target, "c")
	central := assignmentstest.New(t, testAgent, testToken, a, c)
	v1 := central.Checksum()
	log, logs := observed(t)
	_, sink := startAgent(t, centralConfig(t, central, testToken), log)

	first := nthLog(t, logs, "Applied assignments", 1)
	assert.Equal(t, []string{"demo_a", "demo_c"}, keys(first, "started"))
	assert.Equal(t, v1, first.ContextMap()["checksum"])
	require.Eventually(t, func() bool {
		got := resultsByKey(sink)
		return got["demo_a"] >= 2 && got["demo_c"] >= 2
	}, patience, 5*time.Millisecond, "assigned endpoints must be probed")

	// Later polls revalidate with the quoted checksum and get 304.
	require.Eventually(t, func() bool {
		for _, r := range central.Requests() {
			if r.IfNoneMatch == strconv.Quote(v1) && r.Status == http.StatusNotModified {
				return true
			}
		}
		return false
	}, patience, 5*time.Millisecond)
	for _, r := range central.Requests() {
		assert.Equal(t, "Bearer "+testToken, r.Authorization)
		assert.Equal(t, "quorate-agent/1.2.3", r.UserAgent)
		assert.Equal(t, "/api/v1/agents/eu/assignments", r.Path)
	}

	// a removed, b added, c untouched.
	central.SetEndpoints(c, assigned(target, "b"))
	second := nthLog(t, logs, "Applied assignments", 2)
	assert.Equal(t, []string{"demo_b"}, keys(second, "started"))
	assert.Equal(t, []string{"demo_a"}, keys(second, "stopped"))
	assert.Empty(t, keys(second, "restarted"))
	assert.EqualValues(t, 1, second.ContextMap()["unchanged"], "c keeps running undisturbed")
	stoppedAt := resultsByKey(sink)["demo_a"]
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_b"] >= 3 }, patience, 5*time.Millisecond)
	assert.Equal(t, stoppedAt, resultsByKey(sink)["demo_a"], "a removed endpoint is no longer probed")

	// A changed spec restarts only that endpoint.
	c.Conditions = []string{"[STATUS] == 200", "[RESPONSE_TIME] < 5000"}
	central.SetEndpoints(c, assigned(target, "b"))
	third := nthLog(t, logs, "Applied assignments", 3)
	assert.Equal(t, []string{"demo_c"}, keys(third, "restarted"))
	assert.Empty(t, keys(third, "started"))
	assert.Empty(t, keys(third, "stopped"))
	assert.EqualValues(t, 1, third.ContextMap()["unchanged"])
}

func TestAgentKeepsProbingWhileCentralIsDown(t *testing.T) {
	target := upTarget(t)
	central := assignmentstest.New(t, testAgent, testToken, assigned(target, "a"))
	log, logs := observed(t)
	_, sink := startAgent(t, centralConfig(t, central, testToken), log)
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_a"] >= 1 }, patience, 5*time.Millisecond)

	central.Stop()
	down := nthLog(t, logs, "Central is unreachable; probing the last assignments and retrying with backoff", 1)
	assert.Equal(t, zapcore.WarnLevel, down.Level)
	assert.Equal(t, central.Checksum(), down.ContextMap()["checksum"], "the log names what is still probed")
	before := resultsByKey(sink)["demo_a"]
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_a"] >= before+3 }, patience, 5*time.Millisecond,
		"probing must go on while central is down")

	central.Restart()
	nthLog(t, logs, "Central answers again; assignments in sync", 1)
	assert.Equal(t, 1, logs.FilterMessage("Applied assignments").Len(), "nothing changed, nothing to re-apply")
}

func TestAgentRestartedDuringAnOutageProbesTheCache(t *testing.T) {
	target := upTarget(t)
	central := assignmentstest.New(t, testAgent, testToken, assigned(target, "a"))
	cfg := centralConfig(t, central, testToken)
	cache := cfg.Central.Get().CacheFile

	log, logs := observed(t)
	first, _ := startAgent(t, cfg, log)
	nthLog(t, logs, "Applied assignments", 1)
	require.Eventually(t, func() bool { _, err := os.Stat(cache); return err == nil }, patience, 5*time.Millisecond)
	require.NoError(t, first.Shutdown(context.Background()))
	info, err := os.Stat(cache)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	central.Stop()
	again := *cfg // a new config, hence a new receiver, as after a restart
	_, sink := startAgent(t, &again, log)
	nthLog(t, logs, "Probing the cached assignments until central answers", 1)
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_a"] >= 2 }, patience, 5*time.Millisecond,
		"the cached assignments must be probed while central is down")
	b, err := os.ReadFile(cache)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testToken, "the cache never holds the token")
}

func TestWrongTokenIsLoggedAndStaticEndpointsKeepRunning(t *testing.T) {
	target := upTarget(t)
	central := assignmentstest.New(t, testAgent, testToken, assigned(target, "a"))
	cfg := centralConfig(t, central, "tok-of-someone-else")
	cfg.Endpoints = []EndpointConfig{EndpointConfig(assigned(target, "local"))}
	log, logs := observed(t)
	_, sink := startAgent(t, cfg, log)

	refused := nthLog(t, logs, "Central refused the agent token (401); set central.token to this agent's token from the monitoring config. Probing the last assignments meanwhile", 1)
	assert.Equal(t, zapcore.ErrorLevel, refused.Level)
	assert.NotContains(t, fmt.Sprint(refused.ContextMap()), "tok-of-someone-else")
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_local"] >= 2 }, patience, 5*time.Millisecond)
	assert.Zero(t, resultsByKey(sink)["demo_a"], "nothing assigned without a valid token")
	assert.Equal(t, 1, logs.FilterMessage(refused.Message).Len())
}

func TestRateLimitedAgentWaitsForRetryAfter(t *testing.T) {
	target := upTarget(t)
	central := assignmentstest.New(t, testAgent, testToken, assigned(target, "a"))
	central.Fail(assignmentstest.Failure{Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 1})
	log, _ := observed(t)
	_, sink := startAgent(t, centralConfig(t, central, testToken), log)

	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_a"] >= 1 }, patience, 5*time.Millisecond)
	reqs := central.Requests()
	require.GreaterOrEqual(t, len(reqs), 2)
	assert.Equal(t, http.StatusTooManyRequests, reqs[0].Status)
	assert.Equal(t, http.StatusOK, reqs[1].Status)
	assert.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), time.Second,
		"Retry-After: 1 is honoured although the refresh interval is %s", testRefresh)
}

func TestAssignedEndpointsThatCannotBeProbedAreSkippedOnce(t *testing.T) {
	target := upTarget(t)
	good := assigned(target, "good")
	bad := assigned(target, "bad")
	bad.Conditions = []string{"[STATUS] 200"}
	clash := assigned(target, "local")
	clash.URL = target.URL + "/from-central"
	central := assignmentstest.New(t, testAgent, testToken, good, bad, clash)
	cfg := centralConfig(t, central, testToken)
	cfg.Endpoints = []EndpointConfig{EndpointConfig(assigned(target, "local"))}
	log, logs := observed(t)
	_, sink := startAgent(t, cfg, log)

	applied := nthLog(t, logs, "Applied assignments", 1)
	assert.Equal(t, []string{"demo_good"}, keys(applied, "started"), "the rest of the assignments is applied")
	assert.EqualValues(t, 2, applied.ContextMap()["skipped"])
	skips := logs.FilterMessage("Skipping an assigned endpoint this agent cannot probe").All()
	require.Len(t, skips, 2)
	reasons := map[string]string{}
	for _, e := range skips {
		reasons[e.ContextMap()["endpoint"].(string)] = e.ContextMap()["reason"].(string)
	}
	assert.Contains(t, reasons["demo_bad"], `condition "[STATUS] 200"`)
	assert.Contains(t, reasons["demo_local"], "a static endpoint has the same key")

	// A new version that still holds them does not log them again.
	central.SetEndpoints(good, bad, clash, assigned(target, "more"))
	nthLog(t, logs, "Applied assignments", 2)
	assert.Equal(t, 2, logs.FilterMessage("Skipping an assigned endpoint this agent cannot probe").Len())

	require.Eventually(t, func() bool {
		got := resultsByKey(sink)
		return got["demo_good"] >= 1 && got["demo_more"] >= 1 && got["demo_local"] >= 1
	}, patience, 5*time.Millisecond)
	assert.Zero(t, resultsByKey(sink)["demo_bad"])
}

func TestDefaultCacheFileIsPerAgent(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	eu, err := defaultCacheFile("eu")
	require.NoError(t, err)
	us, err := defaultCacheFile("us")
	require.NoError(t, err)
	assert.NotEqual(t, eu, us)
	assert.True(t, strings.HasSuffix(eu, filepath.Join("quorate", "assignments-eu.json")), eu)
}
