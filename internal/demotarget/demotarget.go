// Package demotarget is an HTTP health endpoint whose answer can be switched
// per agent at run time, so demos and end-to-end tests can make one vantage
// point see an outage while the others do not.
package demotarget

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// AgentHeader is the header probes use to name their agent.
const AgentHeader = "X-Quorate-Agent"

// Handler serves GET /health and POST /control.
type Handler struct {
	mu         sync.RWMutex
	failAgents map[string]bool
	failAll    bool
}

// New returns a handler that answers 200 {"status":"UP"} to everyone.
func New() *Handler { return &Handler{failAgents: map[string]bool{}} }

// SetFailing makes /health answer 503 to the given agents, or to all.
func (h *Handler) SetFailing(agents []string, all bool) {
	m := make(map[string]bool, len(agents))
	for _, a := range agents {
		m[a] = true
	}
	h.mu.Lock()
	h.failAgents, h.failAll = m, all
	h.mu.Unlock()
}

func (h *Handler) failing(agent string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.failAll || h.failAgents[agent]
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/health":
		w.Header().Set("Content-Type", "application/json")
		if h.failing(r.Header.Get(AgentHeader)) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"DOWN","checks":{"db":"DOWN"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"UP","checks":{"db":"UP"}}`))
	case "/control":
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		all, _ := strconv.ParseBool(r.URL.Query().Get("fail-all"))
		var agents []string
		for _, a := range strings.Split(r.URL.Query().Get("fail-agents"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				agents = append(agents, a)
			}
		}
		h.SetFailing(agents, all)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
