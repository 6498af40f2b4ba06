package api

import (
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/quorum/internal/auth"
)

// AssignmentsResponse is the body of a 200 on the assignments route.
type AssignmentsResponse struct {
	AgentID  string `json:"agent_id"`
	Checksum string `json:"checksum"`
	// Endpoints are sorted by endpoint key; never null.
	Endpoints []endpoint.Endpoint `json:"endpoints"`
}

// WWW-Authenticate challenges (RFC 6750 section 3): no error code when
// no bearer credentials came, invalid_token when they are unknown.
const (
	challengeMissing = `Bearer realm="quorate"`
	challengeInvalid = `Bearer realm="quorate", error="invalid_token"`
)

func (h *handler) assignments(w http.ResponseWriter, r *http.Request) {
	requested := r.PathValue("agentId")
	token, ok := auth.BearerToken(r.Header)
	if !ok {
		h.unauthenticated(w, r, challengeMissing, "missing_token")
		return
	}
	caller, ok := h.auth.Identify(token)
	if !ok {
		h.unauthenticated(w, r, challengeInvalid, "unknown_token")
		return
	}
	allowed, retryAfter := h.auth.Allow(caller, h.now())
	if !allowed {
		if retryAfter <= 0 {
			// The agent vanished in a reload between Identify and Allow.
			h.unauthenticated(w, r, challengeInvalid, "unknown_agent")
			return
		}
		h.logger.Debug("Agent API request rate-limited", zap.String("agent_id", caller), zap.Duration("retry_after", retryAfter))
		w.Header().Set("Retry-After", strconv.Itoa(auth.RetryAfterSeconds(retryAfter)))
		h.writeError(w, http.StatusTooManyRequests, "rate limited: agent "+caller+" exceeded its rate-per-second; retry after the Retry-After delay")
		return
	}
	if requested != caller {
		// The same answer whether or not the requested agent exists.
		h.logger.Debug("Agent API request for another agent's assignments",
			zap.String("agent_id", caller), zap.String("requested_agent_id", requested), zap.String("remote_addr", r.RemoteAddr))
		h.writeError(w, http.StatusForbidden, "forbidden: a token only reads its own agent's assignments")
		return
	}

	cfg := h.src.Config()
	if cfg == nil {
		h.unavailable(w, "monitoring config not loaded yet")
		return
	}
	if _, known := cfg.Agent(caller); !known {
		// The authenticator and the config disagree while a reload is
		// being applied; the next poll sees them in step.
		h.unavailable(w, "monitoring config is being reloaded")
		return
	}
	sum := cfg.AssignmentsChecksum(caller)
	hdr := w.Header()
	hdr.Set("ETag", etag(sum))
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Vary", "Authorization")
	if noneMatch(r.Header.Values("If-None-Match"), sum) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	endpoints := cfg.Assignments(caller)
	if endpoints == nil {
		endpoints = []endpoint.Endpoint{}
	}
	h.writeJSON(w, http.StatusOK, AssignmentsResponse{AgentID: caller, Checksum: sum, Endpoints: endpoints})
}

func (h *handler) unauthenticated(w http.ResponseWriter, r *http.Request, challenge, reason string) {
	// The token is never logged, only why it was refused.
	h.logger.Debug("Agent API request unauthenticated", zap.String("reason", reason), zap.String("remote_addr", r.RemoteAddr))
	w.Header().Set("WWW-Authenticate", challenge)
	h.writeError(w, http.StatusUnauthorized, "unauthenticated: send the agent's token as Authorization: Bearer <token>")
}

func (h *handler) unavailable(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", "1")
	h.writeError(w, http.StatusServiceUnavailable, msg)
}
