package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/internal/store/testpg"
)

// monitoringYAML has three agents on core/api with agent-quorum 2 and two
// agents on web (quorum 1) with a daily maintenance window 09:00-10:00 UTC.
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
    maintenance-windows:
      - start: "09:00"
        duration: 1h
    alerts:
      - type: pagerduty
        failure-threshold: 1
        success-threshold: 1
  - name: quiet
    url: http://127.0.0.1:1/quiet
    conditions: ["[STATUS] == 200"]
    monitored-by: [ap]
ui:
  title: pasted from Gatus
`

const (
	keyAPI   = "core_api"
	keyWeb   = "_web"
	keyQuiet = "_quiet"
)

// t0 is outside web's maintenance window (09:00-10:00 UTC).
var t0 = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

type driverCase struct {
	name   string
	config func(t *testing.T) store.Config
}

var driverCases = []driverCase{
	{name: store.DriverSQLite, config: func(t *testing.T) store.Config {
		c := store.DefaultConfig()
		c.Path = filepath.Join(t.TempDir(), "quorate.db")
		return c
	}},
	{name: store.DriverPostgres, config: func(t *testing.T) store.Config {
		c := store.DefaultConfig()
		c.Driver, c.Path, c.DSN = store.DriverPostgres, "", configopaque.String(testpg.DSN(t))
		return c
	}},
}

func forEachDriver(t *testing.T, test func(t *testing.T, dc driverCase)) {
	for _, dc := range driverCases {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			test(t, dc)
		})
	}
}

// clock is the engine's settable clock.
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

// recorder is a Sink keeping every transition.
type recorder struct {
	mu   sync.Mutex
	seen []Transition
	read int
}

func (r *recorder) sink(_ context.Context, ts []Transition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, ts...)
}

// next returns "kind endpoint/agent" of the transitions since the last call.
func (r *recorder) next() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, tr := range r.seen[r.read:] {
		s := tr.Kind.String()
		if tr.EndpointKey != "" {
			s += " " + tr.EndpointKey
		}
		if tr.AgentID != "" {
			s += " " + tr.AgentID
		}
		out = append(out, s)
	}
	r.read = len(r.seen)
	return out
}

// harness runs an engine on one database and monitoring file, and can
// restart it on the same ones.
type harness struct {
	t     *testing.T
	path  string
	scfg  store.Config
	clock *clock
	rec   *recorder
	eng   *Engine
}

func newHarness(t *testing.T, dc driverCase) *harness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "monitoring.yaml")
	if err := os.WriteFile(path, []byte(monitoringYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, path: path, scfg: dc.config(t), clock: &clock{now: t0}}
	h.open()
	t.Cleanup(func() {
		if h.eng != nil {
			_ = h.eng.Close(context.Background())
		}
	})
	return h
}

func (h *harness) open() {
	h.t.Helper()
	eng, err := Open(context.Background(), Options{MonitoringFile: h.path, Storage: h.scfg, Now: h.clock.Now})
	if err != nil {
		h.t.Fatalf("open engine: %v", err)
	}
	h.eng = eng
	h.rec = &recorder{}
	eng.Subscribe(h.rec.sink)
}

// restart closes the engine and opens a new one on the same store.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.eng.Close(context.Background()); err != nil {
		h.t.Fatalf("close engine: %v", err)
	}
	h.eng = nil
	h.open()
}

// at moves the clock.
func (h *harness) at(t time.Time) *harness {
	h.clock.Set(t)
	return h
}

// send ingests one result of agent for key and fails the test on an error.
func (h *harness) send(agent, key string, success bool) IngestResult {
	h.t.Helper()
	res, err := h.eng.Ingest(context.Background(), agent, []resultschema.Decoded{decoded(agent, key, success, h.clock.Now())})
	if err != nil {
		h.t.Fatalf("ingest: %v", err)
	}
	return res
}

// round sends one result from each agent, in order.
func (h *harness) round(key string, outcomes map[string]bool, agents ...string) {
	h.t.Helper()
	for _, a := range agents {
		if res := h.send(a, key, outcomes[a]); res.Accepted != 1 {
			h.t.Fatalf("%s on %s rejected: %v", a, key, res.Reasons)
		}
	}
}

func (h *harness) tick(t time.Time) {
	h.t.Helper()
	if err := h.eng.Tick(context.Background(), t); err != nil {
		h.t.Fatalf("tick: %v", err)
	}
}

func (h *harness) expect(want ...string) {
	h.t.Helper()
	got := h.rec.next()
	if !slices.Equal(got, want) {
		h.t.Fatalf("transitions:\n got %q\nwant %q", got, want)
	}
}

func decoded(agent, key string, success bool, at time.Time) resultschema.Decoded {
	name := key
	return resultschema.Decoded{
		AgentID:       agent,
		SchemaVersion: resultschema.Version,
		Key:           key,
		Name:          name,
		Type:          endpoint.TypeHTTP,
		Result: result.Result{
			Timestamp:  at,
			Duration:   12 * time.Millisecond,
			HTTPStatus: 200,
			Success:    success,
			ConditionResults: []result.ConditionResult{
				{Condition: "[STATUS] == 200", Success: success},
			},
		},
		Observed: at,
	}
}

func (h *harness) countResults(f store.ResultFilter) int64 {
	h.t.Helper()
	if err := h.eng.Store().Flush(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	n, err := h.eng.Store().CountResults(context.Background(), f)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) events(types ...store.EventType) []store.Event {
	h.t.Helper()
	evs, err := h.eng.Store().ListEvents(context.Background(), store.EventFilter{Types: types})
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}
