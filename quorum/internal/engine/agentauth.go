package engine

import (
	"context"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/client"

	"github.com/quorate/quorate/quorum/internal/auth"
)

// AttrAgentID is the attribute of the client.AuthData that names the
// authenticated agent.
const AttrAgentID = "quorate.agent.id"

// AgentAuth is the client.AuthData the central's authenticator puts into a
// request's context: which agent the bearer token belongs to and whether
// the request is over the agent's rate. Its fields are unexported, so no
// other component can forge one; the quorum processor trusts nothing else.
type AgentAuth struct {
	agentID    string
	retryAfter time.Duration
}

var _ client.AuthData = (*AgentAuth)(nil)

// GetAttribute returns the agent id for AttrAgentID, else nil.
func (a *AgentAuth) GetAttribute(name string) any {
	if name == AttrAgentID {
		return a.agentID
	}
	return nil
}

// GetAttributeNames lists the attributes: the agent id only (never the token).
func (a *AgentAuth) GetAttributeNames() []string { return []string{AttrAgentID} }

// AgentID is the authenticated agent.
func (a *AgentAuth) AgentID() string { return a.agentID }

// RateLimited reports whether the request exceeded the agent's rate, and
// when to retry.
func (a *AgentAuth) RateLimited() (bool, time.Duration) { return a.retryAfter > 0, a.retryAfter }

// Authenticate maps the request's bearer token to its agent and takes one
// request from the agent's bucket. sources are the request headers (HTTP)
// or metadata (gRPC, lower-case keys). A missing or unknown token is
// auth.ErrUnauthenticated and is counted; a request over the rate is
// authenticated but marked RateLimited, because only the HTTP middleware
// can answer 429 with Retry-After (an authenticator's error is always a
// 401).
func (e *Engine) Authenticate(sources map[string][]string) (*AgentAuth, error) {
	if e.closed.Load() {
		return nil, ErrClosed
	}
	var h http.Header
	for k, v := range sources {
		if strings.EqualFold(k, "Authorization") {
			h = http.Header{"Authorization": v}
			break
		}
	}
	token, ok := auth.BearerToken(h)
	var agentID string
	if ok {
		agentID, ok = e.auth.Identify(token)
	}
	if !ok {
		e.metrics.Rejected("", ReasonUnauthenticated)
		return nil, auth.ErrUnauthenticated
	}
	a := &AgentAuth{agentID: agentID}
	if allowed, retryAfter := e.auth.Allow(agentID, e.now()); !allowed {
		a.retryAfter = max(retryAfter, time.Nanosecond)
	}
	return a, nil
}

// NewContext returns ctx with a's agent as the client's authentication.
func NewContext(ctx context.Context, a *AgentAuth) context.Context {
	info := client.FromContext(ctx)
	info.Auth = a
	return client.NewContext(ctx, info)
}

// FromContext returns the agent the central's authenticator identified for
// the request, if any.
func FromContext(ctx context.Context) (*AgentAuth, bool) {
	a, ok := client.FromContext(ctx).Auth.(*AgentAuth)
	return a, ok && a != nil
}
