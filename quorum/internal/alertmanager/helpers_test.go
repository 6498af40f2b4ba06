package alertmanager

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/engine"
)

// monitoringYAML: core/api is watched by three agents with agent-quorum 2
// and send-on-resolved; web by two with agent-quorum 1 and no
// send-on-resolved.
const monitoringYAML = `
agents:
  - {id: eu, token: tok-eu, stale-after: 10m}
  - {id: us, token: tok-us, stale-after: 10m}
  - {id: ap, token: tok-ap, stale-after: 10m}
endpoints:
  - name: api
    group: core
    url: http://127.0.0.1:1/health
    interval: 1m
    conditions: ["[STATUS] == 200"]
    monitored-by: [eu, us, ap]
    alerts:
      - type: slack
        description: core API is down
        failure-threshold: 2
        success-threshold: 2
        send-on-resolved: true
        minimum-reminder-interval: 5m
        agent-quorum: 2
  - name: web
    url: http://127.0.0.1:1/
    interval: 1m
    conditions: ["[STATUS] == 200"]
    monitored-by: [eu, us]
    alerts:
      - type: pagerduty
        failure-threshold: 1
        success-threshold: 1
`

const (
	keyAPI = "core_api"
	keyWeb = "_web"
)

var (
	t0       = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	allAgent = []string{"eu", "us", "ap"}
	allOK    = map[string]bool{"eu": true, "us": true, "ap": true}
	euFails  = map[string]bool{"eu": false, "us": true, "ap": true}
	twoFail  = map[string]bool{"eu": false, "us": false, "ap": true}
)

// clock is an engine clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// rig is an engine on a temporary SQLite database and monitoring file.
type rig struct {
	t     *testing.T
	path  string
	db    string
	clock *clock // nil: the wall clock
	eng   *engine.Engine
}

func newRig(t *testing.T, fakeClock bool) *rig {
	t.Helper()
	dir := t.TempDir()
	r := &rig{t: t, path: filepath.Join(dir, "monitoring.yaml"), db: filepath.Join(dir, "quorate.db")}
	if fakeClock {
		r.clock = &clock{now: t0}
	}
	if err := os.WriteFile(r.path, []byte(monitoringYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	r.open()
	t.Cleanup(func() {
		if r.eng != nil {
			_ = r.eng.Close(context.Background())
		}
	})
	return r
}

func (r *rig) open() {
	r.t.Helper()
	sc := store.DefaultConfig()
	sc.Path = r.db
	opts := engine.Options{MonitoringFile: r.path, Storage: sc, ReloadDebounce: 10 * time.Millisecond}
	if r.clock != nil {
		opts.Now = r.clock.Now
	}
	eng, err := engine.Open(context.Background(), opts)
	if err != nil {
		r.t.Fatalf("open engine: %v", err)
	}
	r.eng = eng
}

func (r *rig) restart() {
	r.t.Helper()
	if err := r.eng.Close(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.open()
}

func (r *rig) at(t time.Time) *rig {
	r.clock.Set(t)
	return r
}

// round sends one result per agent for key, failing where outcomes says so.
func (r *rig) round(key string, outcomes map[string]bool, agents ...string) {
	r.t.Helper()
	for _, a := range agents {
		d := decoded(a, key, outcomes[a], r.eng.Now())
		res, err := r.eng.Ingest(context.Background(), a, []resultschema.Decoded{d})
		if err != nil || res.Accepted != 1 {
			r.t.Fatalf("ingest %s on %s: %v %v", a, key, err, res.Reasons)
		}
	}
}

func decoded(agent, key string, success bool, at time.Time) resultschema.Decoded {
	status := 200
	cond := "[STATUS] == 200"
	if !success {
		status = 503
		cond = "[STATUS] (503) == 200"
	}
	return resultschema.Decoded{
		AgentID:       agent,
		SchemaVersion: resultschema.Version,
		Key:           key,
		Name:          key,
		Type:          endpoint.TypeHTTP,
		Result: result.Result{
			Timestamp:        at,
			Duration:         12 * time.Millisecond,
			HTTPStatus:       status,
			Success:          success,
			ConditionResults: []result.ConditionResult{{Condition: cond, Success: success}},
		},
		Observed: at,
	}
}

// fakeAM is an HTTP server that takes Alertmanager's POST /api/v2/alerts
// and keeps every batch, answering with the queued status codes first.
type fakeAM struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	posts   [][]Alert
	answers []int
	// hold, when set, is waited on before answering.
	hold chan struct{}
	// arrived is signalled when a post arrives, posted once it was answered.
	arrived chan struct{}
	posted  chan struct{}
}

func newFakeAM(t *testing.T) *fakeAM {
	f := &fakeAM{t: t, arrived: make(chan struct{}, 1000), posted: make(chan struct{}, 1000)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != AlertsPath || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want POST "+AlertsPath+" with JSON", http.StatusNotFound)
		return
	}
	var alerts []Alert
	if err := json.NewDecoder(r.Body).Decode(&alerts); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	hold := f.hold
	code := http.StatusOK
	if len(f.answers) > 0 {
		code, f.answers = f.answers[0], f.answers[1:]
	}
	f.posts = append(f.posts, alerts)
	f.mu.Unlock()
	f.arrived <- struct{}{}
	if hold != nil {
		<-hold
	}
	w.WriteHeader(code)
	f.posted <- struct{}{}
}

func (f *fakeAM) answer(codes ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, codes...)
}

// take returns the batches received since the last call.
func (f *fakeAM) take() [][]Alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.posts
	f.posts = nil
	return p
}

// waitPosts waits for n more answered posts.
func (f *fakeAM) waitPosts(n int) {
	f.t.Helper()
	waitSignals(f.t, f.posted, n, "answered posts")
}

// waitArrived waits for n more posts to arrive, answered or not.
func (f *fakeAM) waitArrived(n int) {
	f.t.Helper()
	waitSignals(f.t, f.arrived, n, "arrived posts")
}

// waitSignals takes n signals from ch; the deadline only bounds a broken
// run.
func waitSignals(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for i := range n {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("got %d of %d %s", i, n, what)
		}
	}
}

// waitFor polls cond until it holds; the deadline only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o600)
}

// newNotifier makes a notifier on the rig's engine posting to url, not
// started: tests call deliver and reconcile themselves unless they start it.
func newNotifier(t *testing.T, r *rig, url string, opts Options) *Notifier {
	t.Helper()
	c, err := NewClient(http.DefaultClient, url)
	if err != nil {
		t.Fatal(err)
	}
	opts.Client, opts.Source = c, r.eng
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.eng.Subscribe(n.Sink)
	t.Cleanup(func() { _ = n.Shutdown(context.Background()) })
	return n
}

// deliver posts what is pending, synchronously.
func deliver(t *testing.T, n *Notifier) {
	t.Helper()
	if err := n.deliver(context.Background()); err != nil {
		t.Fatalf("deliver: %v", err)
	}
}

// flatten is every alert of every batch.
func flatten(posts [][]Alert) []Alert {
	var out []Alert
	for _, p := range posts {
		out = append(out, p...)
	}
	return out
}
