package engine

import (
	"sync"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/quorum/internal/state"
)

// failureLog keeps what each agent last saw failing on each endpoint, so an
// alert can say why each triggered agent is failing. Only memory: it is
// detail for people, refilled by the next failed result after a restart.
type failureLog struct {
	mu   sync.Mutex
	last map[pairKey][]string
}

// record keeps the errors and failed conditions of a failed result; a
// successful one leaves the last failure in place (an agent can stay
// triggered through successes below the success-threshold).
func (f *failureLog) record(endpointKey, agentID string, r *result.Result) {
	if r.Success {
		return
	}
	what := append([]string(nil), r.Errors...)
	for _, c := range r.ConditionResults {
		if !c.Success {
			what = append(what, c.Condition)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil {
		f.last = map[pairKey][]string{}
	}
	f.last[pairKey{endpointKey, agentID}] = what
}

func (f *failureLog) get(endpointKey, agentID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last[pairKey{endpointKey, agentID}]
}

// LastFailure is what the agent's latest failed result for the endpoint
// reported: its errors, then its failed conditions as Gatus prints them
// (e.g. "[STATUS] (503) == 200"). Nil when none was seen since start. The
// slice must not be modified.
func (e *Engine) LastFailure(endpointKey, agentID string) []string {
	return e.failures.get(endpointKey, agentID)
}

// Endpoint is one endpoint's quorum status, for a sink that wants the
// per-agent detail of a transition.
func (e *Engine) Endpoint(key string) (state.EndpointStatus, bool) {
	return e.machine.Endpoint(key)
}
