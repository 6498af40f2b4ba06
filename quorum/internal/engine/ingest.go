package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/metrics"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// Rejection reasons, as counted in quorate_results_rejected_total.
const (
	ReasonAgentMismatch   = metrics.ReasonAgentMismatch
	ReasonNotAssigned     = metrics.ReasonNotAssigned
	ReasonUnknownEndpoint = metrics.ReasonUnknownEndpoint
	ReasonMalformed       = metrics.ReasonMalformed
	ReasonUnauthenticated = metrics.ReasonUnauthenticated
	ReasonRateLimited     = metrics.ReasonRateLimited
)

// IngestResult says what became of each result of a batch.
type IngestResult struct {
	Accepted int
	// Rejected counts rejected results by reason.
	Rejected map[string]int
	// Reasons holds, per input result, why it was rejected; "" when accepted.
	Reasons []string
	// Unknown counts accepted results the agent marked unknown (it was offline
	// by its own connectivity check): neither stored nor judged.
	Unknown int
}

// Ingest takes the results of one batch sent by an authenticated agent.
// It trusts nothing in them but the agent id given here: a result whose own
// agent id differs (agent_mismatch), whose endpoint is unknown
// (unknown_endpoint) or not assigned to the agent (not_assigned) is
// rejected, counted per agent and reason, and neither stored nor observed.
// Accepted results are queued for the store, counted in the metrics and fed
// to the quorum in order; their transitions are saved and sent to the sinks
// before Ingest returns.
//
// The time of each observation is the engine's clock at arrival, not the
// agent's timestamp (which is stored with the result): agents' clocks are
// not trusted to order the quorum.
//
// An error means the accepted results could not be stored
// (ctx ended or the engine closed); they were observed nonetheless.
func (e *Engine) Ingest(ctx context.Context, agentID string, results []resultschema.Decoded) (IngestResult, error) {
	res := IngestResult{Reasons: make([]string, len(results))}
	if e.closed.Load() {
		return res, ErrClosed
	}
	mc := e.Config()
	now := e.now()
	var (
		rows    []store.Result
		events  []state.Event
		touched []pairKey
	)
	for i := range results {
		d := &results[i]
		reason := check(mc, agentID, d)
		if reason == "" && d.Unknown {
			// An offline agent's failure says nothing about the target: it
			// must count toward quorum neither as failing nor as healthy.
			res.Unknown++
			continue
		}
		if reason == "" {
			evs, err := e.machine.Observe(state.Observation{
				EndpointKey:   d.Key,
				AgentID:       agentID,
				Success:       d.Result.Success,
				At:            now,
				InMaintenance: mc.InMaintenance(d.Key, now),
			})
			switch {
			case errors.Is(err, state.ErrUnknownEndpoint):
				reason = ReasonUnknownEndpoint // removed by a reload meanwhile
			case err != nil:
				reason = ReasonNotAssigned
			default:
				events = append(events, evs...)
			}
		}
		if reason != "" {
			res.Reasons[i] = reason
			if res.Rejected == nil {
				res.Rejected = map[string]int{}
			}
			res.Rejected[reason]++
			e.metrics.Rejected(agentID, reason)
			continue
		}
		res.Accepted++
		e.failures.record(d.Key, agentID, &d.Result)
		ep, _ := mc.Endpoint(d.Key)
		rows = append(rows, store.Result{
			EndpointKey:   d.Key,
			EndpointName:  ep.Name,
			EndpointGroup: ep.Group,
			AgentID:       agentID,
			Result:        d.Result,
		})
		e.metrics.ObserveResult(d.Key, agentID, d.Result.Success, d.Result.Duration)
		if len(touched) == 0 || touched[len(touched)-1].endpoint != d.Key {
			touched = append(touched, pairKey{d.Key, agentID})
		}
	}
	if res.Accepted == 0 {
		return res, nil
	}

	e.markRuns(touched, agentID, now)
	e.handleEvents(ctx, mc, events)
	e.updateMetrics(touched, agentID)
	// Written before the agent hears 200: an acknowledged result must survive
	// a crash of the central (the agent drops what was acknowledged).
	if err := e.store.WriteResults(ctx, rows); err != nil {
		return res, fmt.Errorf("store %d results: %w", len(rows), err)
	}
	return res, nil
}

// check is why a result of agentID must be rejected, or "".
func check(mc *monitoring.Config, agentID string, d *resultschema.Decoded) string {
	switch {
	case d.AgentID != agentID:
		return ReasonAgentMismatch
	case !mc.IsAssigned(agentID, d.Key):
		if _, ok := mc.Endpoint(d.Key); !ok {
			return ReasonUnknownEndpoint
		}
		return ReasonNotAssigned
	}
	return ""
}

// Reject counts results rejected before they reached Ingest (for example
// records that do not decode), n at a time.
func (e *Engine) Reject(agentID, reason string, n int) {
	for range n {
		e.metrics.Rejected(agentID, reason)
	}
}

// updateMetrics refreshes the gauges of the endpoints a batch touched and
// of its agent.
func (e *Engine) updateMetrics(touched []pairKey, agentID string) {
	done := map[string]bool{}
	for _, k := range touched {
		if done[k.endpoint] {
			continue
		}
		done[k.endpoint] = true
		if st, ok := e.machine.Endpoint(k.endpoint); ok {
			e.metrics.SetEndpoint(st)
		}
	}
	for _, a := range e.machine.Agents() {
		if a.ID == agentID {
			e.metrics.SetAgent(a)
		}
	}
}
