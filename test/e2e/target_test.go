package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/demotarget"
)

// target is the demo target of cmd/demotarget on a loopback port, driven
// through its /control endpoint like in make demo, and counting the probes
// each agent sent (by the X-Quorate-Agent header).
type target struct {
	srv *httptest.Server

	mu     sync.Mutex
	hits   map[string]int
	first  map[string]time.Time // each agent's first probe
	failed []probeSeen          // probes answered with an error status
}

// probeSeen is one probe as the target saw it.
type probeSeen struct {
	agent string
	at    time.Time // when the answer was written
}

// statusWriter remembers the status code the demo target answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func newTarget(t testing.TB) *target {
	t.Helper()
	tg := &target{hits: map[string]int{}, first: map[string]time.Time{}}
	h := demotarget.New()
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			h.ServeHTTP(w, r)
			return
		}
		agent := r.Header.Get(demotarget.AgentHeader)
		tg.mu.Lock()
		if tg.hits[agent] == 0 {
			tg.first[agent] = time.Now()
		}
		tg.hits[agent]++
		tg.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status >= 400 {
			tg.mu.Lock()
			tg.failed = append(tg.failed, probeSeen{agent, time.Now()})
			tg.mu.Unlock()
		}
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

// healthURL is what endpoints in the monitoring file probe.
func (tg *target) healthURL() string { return tg.srv.URL + "/health" }

// fail makes /health answer 503 {"status":"DOWN"} to the agents named, and
// 200 to the others; fail() heals it.
func (tg *target) fail(t testing.TB, agents ...string) {
	t.Helper()
	tg.control(t, url.Values{"fail-agents": {strings.Join(agents, ",")}})
}

// failAll makes /health answer 503 to every agent.
func (tg *target) failAll(t testing.TB) {
	t.Helper()
	tg.control(t, url.Values{"fail-all": {"true"}})
}

func (tg *target) control(t testing.TB, q url.Values) {
	t.Helper()
	resp, err := http.Post(tg.srv.URL+"/control?"+q.Encode(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /control?%s: %s", q.Encode(), resp.Status)
	}
}

// probes is how many probes agent has sent so far.
func (tg *target) probes(agent string) int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.hits[agent]
}

// firstProbe is when agent first probed the target; ok is false before.
func (tg *target) firstProbe(agent string) (at time.Time, ok bool) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	at, ok = tg.first[agent]
	return at, ok
}

// failedSince lists, per agent, when the target answered its probes with
// an error since the given time, in order.
func (tg *target) failedSince(since time.Time) map[string][]time.Time {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	out := map[string][]time.Time{}
	for _, p := range tg.failed {
		if !p.at.Before(since) {
			out[p.agent] = append(out[p.agent], p.at)
		}
	}
	return out
}
