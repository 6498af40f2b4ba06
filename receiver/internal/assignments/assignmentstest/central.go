// Package assignmentstest is a central for tests: a real HTTP server on
// loopback that serves one agent's assignments under the central's contract
// (quorum/internal/api): bearer token or 401, own agent or 403, ETag and
// If-None-Match or 304, 429 with Retry-After on demand. The central's own
// handler lives in an internal package the receiver cannot import.
package assignmentstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// Request is what the central saw of one request.
type Request struct {
	At            time.Time
	Path          string
	Authorization string
	IfNoneMatch   string
	UserAgent     string
	Status        int
}

// Failure is a forced answer to the next requests.
type Failure struct {
	Status     int
	RetryAfter string // Retry-After header, empty for none
	Times      int    // how many requests get it; 0 means until Clear
}

// Central serves one agent's assignments.
type Central struct {
	AgentID string
	Token   string

	t    testing.TB
	addr string

	mu        sync.Mutex
	srv       *httptest.Server
	endpoints []endpoint.Endpoint
	checksum  string
	failures  []Failure
	requests  []Request
}

// New starts a central on 127.0.0.1 serving endpoints to agentID, who must
// send token. It is closed when the test ends.
func New(t testing.TB, agentID, token string, endpoints ...endpoint.Endpoint) *Central {
	c := &Central{AgentID: agentID, Token: token, t: t}
	c.SetEndpoints(endpoints...)
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	c.addr = c.srv.Listener.Addr().String()
	t.Cleanup(c.Stop)
	return c
}

// URL is the base URL agents are configured with.
func (c *Central) URL() string { return "http://" + c.addr }

// SetEndpoints replaces the assignments and returns their checksum.
func (c *Central) SetEndpoints(endpoints ...endpoint.Endpoint) string {
	if endpoints == nil {
		endpoints = []endpoint.Endpoint{}
	}
	b, err := json.Marshal(endpoints)
	if err != nil {
		c.t.Fatalf("assignmentstest: encoding endpoints: %v", err)
	}
	sum := sha256.Sum256(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endpoints = endpoints
	c.checksum = hex.EncodeToString(sum[:])
	return c.checksum
}

// Checksum of the current assignments.
func (c *Central) Checksum() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checksum
}

// Fail makes the next requests (after those already queued) get f instead
// of the assignments.
func (c *Central) Fail(f Failure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, f)
}

// Clear ends every forced failure.
func (c *Central) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = nil
}

// Requests is every request so far, in order.
func (c *Central) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// Stop closes the server: connections are refused until Restart.
func (c *Central) Stop() {
	c.mu.Lock()
	srv := c.srv
	c.srv = nil
	c.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Restart listens again on the same address.
func (c *Central) Restart() {
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		c.t.Fatalf("assignmentstest: listening again on %s: %v", c.addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	c.mu.Lock()
	c.srv = srv
	c.mu.Unlock()
}

func (c *Central) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := Request{At: time.Now(), Path: r.URL.Path, Authorization: r.Header.Get("Authorization"),
		IfNoneMatch: r.Header.Get("If-None-Match"), UserAgent: r.Header.Get("User-Agent")}
	req.Status = c.answer(w, r)
	c.requests = append(c.requests, req)
}

// answer writes the response and returns its status; c.mu is held.
func (c *Central) answer(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet {
		return writeError(w, http.StatusMethodNotAllowed, "use GET")
	}
	agent, ok := strings.CutPrefix(r.URL.Path, "/api/v1/agents/")
	agent, ok2 := strings.CutSuffix(agent, "/assignments")
	if !ok || !ok2 || strings.Contains(agent, "/") {
		return writeError(w, http.StatusNotFound, "not found")
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token != c.Token {
		w.Header().Set("WWW-Authenticate", `Bearer realm="quorate", error="invalid_token"`)
		return writeError(w, http.StatusUnauthorized, "unauthenticated: send the agent's token as Authorization: Bearer <token>")
	}
	if len(c.failures) > 0 {
		f := &c.failures[0]
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				defer func() { c.failures = c.failures[1:] }()
			}
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		return writeError(w, f.Status, "forced failure")
	}
	if agent != c.AgentID {
		return writeError(w, http.StatusForbidden, "forbidden: a token only reads its own agent's assignments")
	}
	w.Header().Set("ETag", `"`+c.checksum+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	if noneMatch(r.Header.Values("If-None-Match"), c.checksum) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	body, _ := json.Marshal(map[string]any{"agent_id": c.AgentID, "checksum": c.checksum, "endpoints": c.endpoints})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}

// noneMatch is the central's If-None-Match comparison: weak, quoted or
// not, in a list, or *.
func noneMatch(values []string, checksum string) bool {
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || strings.Trim(tag, `"`) == checksum {
				return true
			}
		}
	}
	return false
}

func writeError(w http.ResponseWriter, status int, msg string) int {
	body, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}
