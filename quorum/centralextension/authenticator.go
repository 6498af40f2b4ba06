package centralextension

import (
	"context"
	"errors"

	"github.com/quorate/quorate/quorum/internal/engine"
)

var errNotRunning = errors.New("quorate_central is not running")

// Authenticate maps the bearer token to its agent and puts the agent into
// client.Info.Auth (engine.AgentAuth), where the quorum processor reads it.
// A request over the agent's rate is authenticated and marked; the
// middleware (or the processor) answers it with 429.
func (c *central) Authenticate(ctx context.Context, sources map[string][]string) (context.Context, error) {
	eng := c.Engine()
	if eng == nil {
		return ctx, errNotRunning
	}
	a, err := eng.Authenticate(sources)
	if err != nil {
		return ctx, err
	}
	return engine.NewContext(ctx, a), nil
}
