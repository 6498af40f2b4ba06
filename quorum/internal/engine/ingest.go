package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/quorate/quorate/internal/result"
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
// Accepted results are fed to the quorum in order and counted in the
// metrics; then they, their transitions and the quorum state those left
// are written in one transaction, shared with the batches of other agents
// that arrived meanwhile (see committer), and only then are the
// transitions sent to the sinks and does Ingest return.
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
	rows := e.getRows(len(results))
	defer func() { e.putRows(rows) }()
	var (
		events  []state.Event
		touched []pairKey
		maint   []string // endpoints whose maintenance gauge is out of date
	)
	maintShown := e.maintCount.Load() > 0
	for i := range results {
		d := &results[i]
		reason := check(mc, agentID, d)
		if reason == "" && d.Unknown {
			// An offline agent's failure says nothing about the target: it
			// must count toward quorum neither as failing nor as healthy.
			res.Unknown++
			continue
		}
		var inMaint bool
		if reason == "" {
			inMaint = mc.InMaintenance(d.Key, now)
			evs, err := e.machine.Observe(state.Observation{
				EndpointKey:   d.Key,
				AgentID:       agentID,
				Success:       d.Result.Success,
				At:            now,
				InMaintenance: inMaint,
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
		e.metrics.ObserveResult(d.Key, agentID, metricsResult(&d.Result))
		if len(touched) == 0 || touched[len(touched)-1].endpoint != d.Key {
			touched = append(touched, pairKey{d.Key, agentID})
		}
		if inMaint || maintShown {
			if _, shown := e.maintShown.Load(d.Key); shown != inMaint {
				maint = append(maint, d.Key)
			}
		}
	}
	if res.Accepted == 0 {
		return res, nil
	}

	e.markRuns(touched, agentID, now)
	if len(events) > 0 {
		e.markEvents(mc, events)
		e.metrics.ObserveEvents(events)
	}
	e.updateMetrics(mc, events, maint, agentID)
	// Written before the agent hears 200: an acknowledged result must survive
	// a crash of the central (the agent drops what was acknowledged).
	err := e.commits.submit(ctx, &commit{results: rows, events: storeEvents(events), state: len(events) > 0})
	e.deliver(ctx, mc, events, err)
	if err != nil {
		return res, fmt.Errorf("store %d results: %w", len(rows), err)
	}
	return res, nil
}

// rowsPool holds the slices Ingest builds its store rows in: the committer
// is done with them when Ingest returns, and a request's rows are hundreds
// of kilobytes that would otherwise be garbage at once.
var rowsPool sync.Pool

func (e *Engine) getRows(n int) []store.Result {
	if p, ok := rowsPool.Get().(*[]store.Result); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]store.Result, 0, n)
}

func (e *Engine) putRows(rows []store.Result) {
	rows = rows[:cap(rows)]
	clear(rows) // drop the references to the results' strings and slices
	rows = rows[:0]
	rowsPool.Put(&rows)
}

// metricsResult is what the metrics take from a result: the certificate's
// expiry is the probe's time plus the time it had left.
func metricsResult(r *result.Result) metrics.Result {
	m := metrics.Result{Success: r.Success, Duration: r.Duration}
	if r.CertificateExpiration != 0 {
		m.CertificateExpiry = r.Timestamp.Add(r.CertificateExpiration)
	}
	return m
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

// updateMetrics refreshes the gauges that a batch of agentID may have
// changed: those of the endpoints with transitions (every endpoint of the
// agent when it came back from stale), of the endpoints in maint, and of
// the agent. The gauges of other endpoints did not change; every tick
// refreshes them all anyway.
func (e *Engine) updateMetrics(mc *monitoring.Config, events []state.Event, maint []string, agentID string) {
	var keys []string
	for _, ev := range events {
		if ev.EndpointKey != "" {
			keys = append(keys, ev.EndpointKey)
			continue
		}
		for i := range mc.Endpoints {
			if mc.Endpoints[i].Monitors(ev.AgentID) {
				keys = append(keys, mc.Endpoints[i].Key())
			}
		}
	}
	keys = append(keys, maint...)
	slices.Sort(keys)
	for _, key := range slices.Compact(keys) {
		if st, ok := e.machine.Endpoint(key); ok {
			e.setEndpointMetrics(st)
		}
	}
	e.setAgentMetrics(agentID)
}

// setEndpointMetrics sets the endpoint's gauges and remembers whether its
// maintenance gauge shows 1.
func (e *Engine) setEndpointMetrics(st state.EndpointStatus) {
	e.metrics.SetEndpoint(st)
	if st.InMaintenance {
		if _, loaded := e.maintShown.LoadOrStore(st.Key, struct{}{}); !loaded {
			e.maintCount.Add(1)
		}
	} else if _, loaded := e.maintShown.LoadAndDelete(st.Key); loaded {
		e.maintCount.Add(-1)
	}
}

// setAgentMetrics sets one agent's liveness gauges.
func (e *Engine) setAgentMetrics(agentID string) {
	for _, a := range e.machine.Agents() {
		if a.ID == agentID {
			e.metrics.SetAgent(a)
		}
	}
}
