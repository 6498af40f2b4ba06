package agentexporter

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.uber.org/zap/zapcore"
)

func TestDeliversToOTLPReceiverWithTokenAndAgentID(t *testing.T) {
	addr := freeAddr(t)
	central := startOTLPCentral(t, addr)
	h := newHarness(t, testConfig("http://"+addr))
	h.start()
	h.push(0, 5)

	require.Eventually(t, func() bool { return central.sink.LogRecordCount() == 5 }, eventually, 10*time.Millisecond)
	var got []int
	for i, ld := range central.sink.AllLogs() {
		info := client.FromContext(central.sink.Contexts()[i])
		assert.Equal(t, []string{"Bearer agent-1-token"}, info.Metadata.Get("authorization"))
		for _, rl := range ld.ResourceLogs().All() {
			id, ok := rl.Resource().Attributes().Get(AgentIDAttribute)
			require.True(t, ok)
			assert.Equal(t, "agent-1", id.Str(), "the configured agent_id overwrites another")
			svc, _ := rl.Resource().Attributes().Get("service.name")
			assert.Equal(t, "quorate", svc.Str(), "other attributes are kept")
		}
		got = append(got, bodies(ld)...)
	}
	assert.Equal(t, span(0, 5), got)
	assert.Equal(t, int64(5), h.counter(sentMetric))
	assert.Zero(t, h.counter(droppedMetric))
}

func TestRequestsAreGzippedByDefault(t *testing.T) {
	central := newTestCentral(t, func(int, http.ResponseWriter) {})
	h := newHarness(t, testConfig(central.srv.URL))
	h.start()
	h.push(0, 3)
	require.Eventually(t, func() bool { return len(central.deliveredOK(func(int) bool { return true })) == 3 }, eventually, 10*time.Millisecond)
	for _, r := range central.requests() {
		assert.Equal(t, "gzip", r.encoding)
		assert.Equal(t, "Bearer agent-1-token", r.auth)
	}
}

// TestOutageKeepsOrderAndDeliversEachRecordOnce: central is down while
// results keep coming, then comes back: everything arrives once, in order.
func TestOutageKeepsOrderAndDeliversEachRecordOnce(t *testing.T) {
	addr := freeAddr(t)
	cfg := testConfig("http://" + addr)
	cfg.MaxBatchSize = 7 // several batches to drain
	h := newHarness(t, cfg)
	h.start()

	h.push(0, 50)
	// Central is down: the sender has failed at least twice and the queue
	// holds everything.
	require.Eventually(t, func() bool { return h.counter(failedMetric) >= 2 }, eventually, 5*time.Millisecond)
	h.push(50, 100)
	assert.Equal(t, int64(100), h.gauge(queueMetric))

	central := startOTLPCentral(t, addr)
	require.Eventually(t, func() bool { return central.sink.LogRecordCount() >= 100 }, eventually, 10*time.Millisecond)
	h.push(100, 110)
	require.Eventually(t, func() bool { return central.sink.LogRecordCount() >= 110 }, eventually, 10*time.Millisecond)

	var got []int
	for _, ld := range central.sink.AllLogs() {
		got = append(got, bodies(ld)...)
	}
	assert.Equal(t, span(0, 110), got, "each record once, in order")
	assert.Equal(t, int64(110), h.counter(sentMetric))
	assert.Zero(t, h.counter(droppedMetric))
	assert.Zero(t, h.gauge(queueMetric))
	assert.Equal(t, int64(cfg.QueueSize), h.gauge(capMetric))
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("Cannot deliver results to central").Len(), "one warning per outage")
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("Delivering results to central again").Len())
}

// TestOverflowDropsOldestAndCountsExactly holds the first request open
// (one record in flight) while 24 more arrive for a queue of 10: the 15
// oldest queued ones go, and the drop counter says exactly how many are
// missing at central.
func TestOverflowDropsOldestAndCountsExactly(t *testing.T) {
	gotFirst := make(chan struct{})
	release := make(chan struct{})
	central := newTestCentral(t, func(i int, _ http.ResponseWriter) {
		if i == 0 {
			close(gotFirst)
			<-release
		}
	})
	cfg := testConfig(central.srv.URL)
	cfg.QueueSize = 10
	cfg.MaxBatchSize = 5
	h := newHarness(t, cfg)
	h.start()

	h.push(0, 1)
	<-gotFirst
	h.push(1, 25)
	assert.Equal(t, int64(15), h.counter(droppedMetric))
	assert.Equal(t, int64(10), h.gauge(queueMetric))
	close(release)

	all := func(int) bool { return true }
	require.Eventually(t, func() bool { return len(central.deliveredOK(all)) == 10 }, eventually, 10*time.Millisecond)
	got := central.deliveredOK(all)
	assert.Equal(t, append([]int{0}, span(16, 25)...), got)
	assert.Equal(t, int64(25-len(got)), h.counter(droppedMetric), "dropped = pushed - delivered")
	assert.Equal(t, int64(10), h.counter(sentMetric))
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("queue is full").Len(), "one warning per episode")
}

// TestOverflowDuringOutageConservesRecords checks the bookkeeping while
// the sender retries against a failing central at its own pace: what
// central took arrives in order, once, and the drop counter accounts for
// all the rest.
func TestOverflowDuringOutageConservesRecords(t *testing.T) {
	var up atomic.Bool
	var answeredOK sync.Map // request index -> true
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if !up.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		answeredOK.Store(i, true)
	})
	cfg := testConfig(central.srv.URL)
	cfg.QueueSize = 20
	cfg.MaxBatchSize = 3
	h := newHarness(t, cfg)
	h.start()
	h.push(0, 200)
	up.Store(true)
	h.push(200, 201)

	require.Eventually(t, func() bool {
		return h.gauge(queueMetric) == 0 && h.counter(sentMetric)+h.counter(droppedMetric) == 201
	}, eventually, 10*time.Millisecond)
	got := central.deliveredOK(func(i int) bool { _, ok := answeredOK.Load(i); return ok })
	assert.Equal(t, int64(len(got)), h.counter(sentMetric))
	assert.Equal(t, int64(201-len(got)), h.counter(droppedMetric), "dropped = pushed - delivered")
	assert.LessOrEqual(t, len(got), cfg.QueueSize+1)
	assert.IsIncreasing(t, got)
	assert.Contains(t, got, 200, "the newest result survives")
}

// TestRetryAfterIsHonoured: a 429 with Retry-After makes the sender wait
// what central asked, not its own backoff.
func TestRetryAfterIsHonoured(t *testing.T) {
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if i == 0 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	h := newHarness(t, testConfig(central.srv.URL))
	clock := &fakeClock{}
	h.exp.after = clock.after
	h.start()
	h.push(0, 3)
	require.Eventually(t, func() bool { return h.counter(sentMetric) == 3 }, eventually, 10*time.Millisecond)
	assert.Equal(t, []time.Duration{7 * time.Second}, clock.recorded())
	reqs := central.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, bodies(reqs[0].logs), bodies(reqs[1].logs), "the same batch is retried")
}

// TestRetryAfterOnTheWire observes the real gap at central: the retry
// comes no sooner than the advertised second (a lower bound only).
func TestRetryAfterOnTheWire(t *testing.T) {
	var refusedAt atomic.Pointer[time.Time]
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if i == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			now := time.Now()
			refusedAt.Store(&now)
		}
	})
	h := newHarness(t, testConfig(central.srv.URL))
	h.start()
	h.push(0, 1)
	require.Eventually(t, func() bool { return h.counter(sentMetric) == 1 }, eventually, 10*time.Millisecond)
	reqs := central.requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, reqs[1].at.Sub(*refusedAt.Load()), time.Second)
}

// TestUnauthorizedPausesAndLogsOncePerCause: 401 and 403 are logged once
// per distinct refusal, retried only every max_interval, keep the queue,
// and sending resumes by itself once central accepts the token.
func TestUnauthorizedPausesAndLogsOncePerCause(t *testing.T) {
	var answer atomic.Value // func(http.ResponseWriter)
	set := func(code int, msg string) {
		answer.Store(func(w http.ResponseWriter) {
			if code != 0 {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(code)
				_, _ = w.Write([]byte(msg))
			}
		})
	}
	set(http.StatusUnauthorized, "unknown token")
	central := newTestCentral(t, func(_ int, w http.ResponseWriter) { answer.Load().(func(http.ResponseWriter))(w) })
	cfg := testConfig(central.srv.URL)
	cfg.Retry = RetryConfig{InitialInterval: time.Second, MaxInterval: time.Minute}
	cfg.FlushTimeout = 10 * time.Millisecond // still refused at the end
	h := newHarness(t, cfg)
	clock := &fakeClock{}
	h.exp.after = clock.after
	h.start()
	h.push(0, 4)

	credentialErrors := func() int {
		return h.logs.FilterLevelExact(zapcore.ErrorLevel).FilterMessageSnippet("credentials").Len()
	}
	require.Eventually(t, func() bool { return len(central.requests()) >= 5 }, eventually, time.Millisecond)
	assert.Equal(t, 1, credentialErrors(), "the same refusal is logged once")
	set(http.StatusForbidden, "agent-1 may not report")
	seen := len(central.requests())
	require.Eventually(t, func() bool { return len(central.requests()) >= seen+5 }, eventually, time.Millisecond)
	assert.Equal(t, 2, credentialErrors(), "a new cause is logged once more")
	for _, d := range clock.recorded() {
		assert.Equal(t, time.Minute, d, "refused credentials wait the longest backoff, no spinning")
	}
	msgs := h.logs.FilterMessageSnippet("credentials").All()
	assert.Equal(t, "unknown token", msgs[0].ContextMap()["message"])
	assert.Equal(t, "agent-1 may not report", msgs[1].ContextMap()["message"])
	assert.Equal(t, int64(4), h.gauge(queueMetric), "the queue is kept")
	assert.Zero(t, h.counter(droppedMetric))
	for _, e := range h.logs.All() {
		assert.NotContains(t, e.ContextMap(), "token", "the token is never logged")
	}

	set(0, "")
	h.push(4, 6)
	require.Eventually(t, func() bool { return h.counter(sentMetric) == 6 }, eventually, time.Millisecond)
	n := len(central.requests())
	var delivered []int
	for _, r := range central.requests()[n-2:] {
		delivered = append(delivered, bodies(r.logs)...)
	}
	assert.Equal(t, span(0, 6), delivered)
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("Delivering results to central again").Len())

	// After a success the same cause is news again.
	set(http.StatusUnauthorized, "unknown token")
	h.push(6, 7)
	require.Eventually(t, func() bool { return credentialErrors() == 3 }, eventually, time.Millisecond)
}

// TestPermanentRejectionDropsTheBatchAndGoesOn: a 400 cannot be retried
// into success, so the batch is counted as rejected and the queue moves on.
func TestPermanentRejectionDropsTheBatchAndGoesOn(t *testing.T) {
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if i == 0 {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	cfg := testConfig(central.srv.URL)
	cfg.MaxBatchSize = 2
	h := newHarness(t, cfg)
	h.push(0, 5) // before Start: the first batch is exactly 0 and 1
	h.start()
	require.Eventually(t, func() bool { return h.counter(sentMetric) == 3 }, eventually, 10*time.Millisecond)
	assert.Equal(t, int64(2), h.counter(rejectedMetric))
	assert.Equal(t, span(2, 5), central.deliveredOK(func(i int) bool { return i > 0 }))
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("refused a batch of results for good").Len())
}

func TestPartialSuccessCountsRejectedRecords(t *testing.T) {
	central := newTestCentral(t, func(_ int, w http.ResponseWriter) {
		resp := plogotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedLogRecords(1)
		resp.PartialSuccess().SetErrorMessage("1 result for an unknown endpoint")
		body, err := resp.MarshalProto()
		assert.NoError(t, err)
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(body)
	})
	cfg := testConfig(central.srv.URL)
	h := newHarness(t, cfg)
	h.exp.ConsumeLogs(context.Background(), numbered(0, 3)) //nolint:errcheck // checked through the counters
	h.start()
	require.Eventually(t, func() bool { return h.counter(sentMetric) == 2 }, eventually, 10*time.Millisecond)
	assert.Equal(t, int64(1), h.counter(rejectedMetric))
	warn := h.logs.FilterMessageSnippet("only in part").All()
	require.Len(t, warn, 1)
	assert.Equal(t, "1 result for an unknown endpoint", warn[0].ContextMap()["message"])
}

// TestShutdownFlushesTheQueue: the sender is in a long backoff when
// shutdown begins; shutdown cuts the wait short and delivers everything.
func TestShutdownFlushesTheQueue(t *testing.T) {
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if i == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	cfg := testConfig(central.srv.URL)
	cfg.Retry = RetryConfig{InitialInterval: time.Hour, MaxInterval: time.Hour}
	cfg.FlushTimeout = eventually
	cfg.MaxBatchSize = 10
	h := newHarness(t, cfg)
	h.start()
	h.push(0, 1)
	require.Eventually(t, func() bool { return h.counter(failedMetric) == 1 }, eventually, time.Millisecond)
	h.push(1, 35)

	ctx, cancel := context.WithTimeout(context.Background(), eventually)
	defer cancel()
	require.NoError(t, h.exp.Shutdown(ctx))
	assert.Equal(t, int64(35), h.counter(sentMetric))
	assert.Equal(t, span(0, 35), central.deliveredOK(func(i int) bool { return i > 0 }))
	assert.Zero(t, h.counter(droppedMetric))

	assert.Error(t, h.exp.ConsumeLogs(context.Background(), numbered(35, 2)), "nothing is queued after shutdown")
	assert.Equal(t, int64(2), h.counter(droppedMetric))
}

// TestShutdownWithCentralDownCountsWhatIsLost: shutdown gives up after
// flush_timeout and counts the rest as dropped.
func TestShutdownWithCentralDownCountsWhatIsLost(t *testing.T) {
	cfg := testConfig("http://" + freeAddr(t))
	cfg.FlushTimeout = 50 * time.Millisecond
	h := newHarness(t, cfg)
	h.start()
	h.push(0, 8)
	require.NoError(t, h.exp.Shutdown(context.Background()))
	assert.Equal(t, int64(8), h.counter(droppedMetric))
	assert.Zero(t, h.counter(sentMetric))
	lost := h.logs.FilterMessageSnippet("shut down before central took every result").All()
	require.Len(t, lost, 1)
	assert.EqualValues(t, 8, lost[0].ContextMap()["dropped"])
}

func TestShutdownHonoursTheContextDeadline(t *testing.T) {
	cfg := testConfig("http://" + freeAddr(t))
	cfg.FlushTimeout = time.Hour
	h := newHarness(t, cfg)
	h.start()
	h.push(0, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.NoError(t, h.exp.Shutdown(ctx))
	assert.Equal(t, int64(2), h.counter(droppedMetric))
}

// TestConcurrentProducersConserveRecords: several pipelines feed one
// exporter while central fails every third request. Every record is
// delivered at most once, each producer's records arrive in its order, and
// sent + dropped accounts for every record.
func TestConcurrentProducersConserveRecords(t *testing.T) {
	var answeredOK sync.Map
	var flaky atomic.Bool
	flaky.Store(true)
	central := newTestCentral(t, func(i int, w http.ResponseWriter) {
		if flaky.Load() && i%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		answeredOK.Store(i, true)
	})
	cfg := testConfig(central.srv.URL)
	cfg.QueueSize = 300
	cfg.MaxBatchSize = 50
	cfg.Retry = RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
	h := newHarness(t, cfg)
	h.start()

	const producers, each = 4, 500
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, h.exp.ConsumeLogs(context.Background(), numbered(p*each+i, 1)))
			}
		})
	}
	wg.Wait()
	flaky.Store(false)

	require.Eventually(t, func() bool {
		return h.gauge(queueMetric) == 0 && h.counter(sentMetric)+h.counter(droppedMetric) == producers*each
	}, eventually, 10*time.Millisecond)
	got := central.deliveredOK(func(i int) bool { _, ok := answeredOK.Load(i); return ok })
	assert.Equal(t, int64(len(got)), h.counter(sentMetric))
	seen := map[int]bool{}
	last := map[int]int{}
	for _, r := range got {
		require.False(t, seen[r], "record %d delivered twice", r)
		seen[r] = true
		p := r / each
		if prev, ok := last[p]; ok {
			require.Greater(t, r, prev, "producer %d out of order", p)
		}
		last[p] = r
	}
}
