package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/quorate/quorate/quorum/internal/auth"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// Tokens of the test configs; no response may contain any of them.
var testTokens = []string{"tok-eu-5f1c2a", "tok-us-93be07", "tok-idle-44d1"}

// baseYAML has two probing agents, an agent without endpoints, alerts and
// maintenance windows that must never reach an agent, and a disabled
// endpoint.
const baseYAML = `
agents:
  - id: eu
    name: Frankfurt
    token: tok-eu-5f1c2a
    rate-per-second: 1
  - id: us
    token: tok-us-93be07
    rate-per-second: 1
  - id: idle
    token: tok-idle-44d1
maintenance:
  start: "23:00"
  duration: 1h
endpoints:
  - name: health
    group: core
    url: http://127.0.0.1:8080/health
    interval: 30s
    monitored-by: [us, eu]
    headers:
      Accept: application/json
    conditions: ["[STATUS] == 200", "[RESPONSE_TIME] < 300"]
    alerts:
      - type: slack
        agent-quorum: 2
        description: core health
    maintenance-windows:
      - start: "02:00"
        duration: 30m
  - name: web
    url: http://127.0.0.1:8080/
    monitored-by: [eu]
    conditions: ["[STATUS] == 200"]
  - name: paused
    url: http://127.0.0.1:8080/paused
    enabled: false
    monitored-by: [eu]
    conditions: ["[STATUS] == 200"]
  - name: us-only
    url: http://127.0.0.1:8080/us
    monitored-by: [us]
    conditions: ["[STATUS] == 200"]
`

func parseConfig(t *testing.T, yaml string) *monitoring.Config {
	t.Helper()
	cfg, err := monitoring.Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("monitoring.Parse: %v", err)
	}
	return cfg
}

// fakeSource serves a config and agent statuses the test controls.
type fakeSource struct {
	mu     sync.Mutex
	cfg    *monitoring.Config
	agents []state.AgentStatus
}

func (s *fakeSource) Config() *monitoring.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

func (s *fakeSource) Agents() []state.AgentStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.agents
}

func (s *fakeSource) setConfig(cfg *monitoring.Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = cfg
}

// stepClock returns a later time on every call, step apart, so that rate
// limits refill between requests exactly when the test wants.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

type testAPI struct {
	url  string
	src  *fakeSource
	auth *auth.Authenticator
}

// startAPI serves the API for cfg on a loopback port. step is how far the
// limiter's clock moves per request: an hour keeps every bucket full, zero
// freezes time so buckets never refill.
func startAPI(t *testing.T, cfg *monitoring.Config, step time.Duration) *testAPI {
	t.Helper()
	src := &fakeSource{cfg: cfg}
	a := auth.New(cfg)
	clock := &stepClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), step: step}
	srv := httptest.NewServer(newHandler(src, a, zaptest.NewLogger(t), clock.now))
	t.Cleanup(srv.Close)
	return &testAPI{url: srv.URL, src: src, auth: a}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with optional Authorization and extra headers.
func (api *testAPI) do(t *testing.T, method, path, authorization string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, api.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s %s: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

func bearer(token string) string { return "Bearer " + token }

// checkJSONError asserts a JSON error body with a non-empty message.
func checkJSONError(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var e ErrorResponse
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Errorf("body %s is not a JSON error (%v)", r.body, err)
	}
	checkNoTokens(t, r)
}

// checkNoTokens asserts no agent token appears in the body or headers.
func checkNoTokens(t *testing.T, r response) {
	t.Helper()
	for _, tok := range testTokens {
		if strings.Contains(string(r.body), tok) {
			t.Errorf("body contains an agent token")
		}
		for name, values := range r.header {
			for _, v := range values {
				if strings.Contains(v, tok) {
					t.Errorf("header %s contains an agent token", name)
				}
			}
		}
	}
}

// jsonKeys collects every object key anywhere in a decoded JSON value.
func jsonKeys(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			into[k] = true
			jsonKeys(child, into)
		}
	case []any:
		for _, child := range v {
			jsonKeys(child, into)
		}
	}
}
