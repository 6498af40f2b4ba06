package api

import (
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/quorum/internal/auth"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// Routes of the API, as http.ServeMux patterns.
const (
	AgentsPath      = "/api/v1/agents"
	AssignmentsPath = "/api/v1/agents/{agentId}/assignments"
)

// Source is what the API reads: the current monitoring config and the
// agents' liveness (the quorum state machine).
type Source interface {
	Config() *monitoring.Config
	Agents() []state.AgentStatus
}

type handler struct {
	src    Source
	auth   *auth.Authenticator
	logger *zap.Logger
	now    func() time.Time
}

// NewHandler returns the agent-facing API. The Authenticator must be kept
// in step with src's config (Update on reload). A nil logger logs nothing.
func NewHandler(src Source, a *auth.Authenticator, logger *zap.Logger) http.Handler {
	return newHandler(src, a, logger, time.Now)
}

// newHandler takes the clock of the rate limiter, for tests.
func newHandler(src Source, a *auth.Authenticator, logger *zap.Logger, now func() time.Time) http.Handler {
	if logger == nil {
		logger = zap.NewNop()
	}
	h := &handler{src: src, auth: a, logger: logger, now: now}
	mux := http.NewServeMux()
	// Patterns carry no method so that other methods reach readOnly and get
	// a JSON 405 rather than the mux's plain-text one.
	mux.Handle(AssignmentsPath, h.readOnly(h.assignments))
	mux.Handle(AgentsPath, h.readOnly(h.agents))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, http.StatusNotFound, "not found: the API serves GET "+AgentsPath+" and GET "+AssignmentsPath)
	})
	return mux
}

var allowedMethods = []string{http.MethodGet, http.MethodHead}

// readOnly answers 405 to every method but GET and HEAD.
func (h *handler) readOnly(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", strings.Join(allowedMethods, ", "))
			h.writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use GET")
			return
		}
		next(w, r)
	})
}
