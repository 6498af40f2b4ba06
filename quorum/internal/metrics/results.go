package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// pairKey names one (endpoint, agent) pair.
type pairKey struct{ endpoint, agent string }

// pair caches the children of one (endpoint, agent) pair so that the hot
// path needs no label lookup.
type pair struct {
	key      pairKey
	ok       prometheus.Counter
	failed   prometheus.Counter
	duration prometheus.Observer

	// mu guards success, certificate and dead: those series are removed
	// while the agent is stale and created again by its next result, and
	// that must not race with a result arriving at the same moment.
	mu          sync.Mutex
	success     prometheus.Gauge // nil while the series is absent
	certificate prometheus.Gauge // nil while the series is absent
	dead        bool             // dropped from the cache: never create series again

	// triggered is guarded by Metrics.mu (only SetEndpoint, SetAgent and
	// Forget touch it); nil while the series is absent.
	triggered prometheus.Gauge
}

// Result is what the metrics take from one accepted result.
type Result struct {
	Success  bool
	Duration time.Duration
	// CertificateExpiry is when the leaf certificate the probe saw
	// expires; zero when it saw none.
	CertificateExpiry time.Time
}

// ObserveResult counts one accepted result of agentID for endpointKey and
// sets the pair's last-result gauges. Call it only for results that passed
// authentication and assignment checks, so the pair is an assigned one.
func (m *Metrics) ObserveResult(endpointKey, agentID string, r Result) {
	p := m.pair(endpointKey, agentID)
	v := 0.0
	if r.Success {
		p.ok.Inc()
		v = 1
	} else {
		p.failed.Inc()
	}
	p.duration.Observe(max(r.Duration, 0).Seconds())

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead {
		return
	}
	if p.success == nil {
		p.success = m.agentSuccess.WithLabelValues(endpointKey, agentID)
	}
	p.success.Set(v)
	switch {
	case !r.CertificateExpiry.IsZero():
		if p.certificate == nil {
			p.certificate = m.certificateExpiry.WithLabelValues(endpointKey, agentID)
		}
		p.certificate.Set(unixSeconds(r.CertificateExpiry))
	case p.certificate != nil:
		// The latest result saw no certificate: the last one's expiry
		// says nothing about what the endpoint presents now.
		m.certificateExpiry.DeleteLabelValues(endpointKey, agentID)
		p.certificate = nil
	}
}

// unixSeconds is t as fractional Unix seconds.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// pair returns the cached pair, creating it on first use.
func (m *Metrics) pair(endpointKey, agentID string) *pair {
	if v, ok := m.pairs.Load(pairKey{endpointKey, agentID}); ok {
		return v.(*pair)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pairLocked(endpointKey, agentID)
}

// pairLocked returns the pair, creating its series (results at 0 for both
// outcomes, so that rate() of failures is 0 rather than absent) and
// indexing it by endpoint and agent. m.mu must be held.
func (m *Metrics) pairLocked(endpointKey, agentID string) *pair {
	k := pairKey{endpointKey, agentID}
	if v, ok := m.pairs.Load(k); ok {
		return v.(*pair)
	}
	p := &pair{
		key:      k,
		ok:       m.results.WithLabelValues(endpointKey, agentID, "true"),
		failed:   m.results.WithLabelValues(endpointKey, agentID, "false"),
		duration: m.duration.WithLabelValues(endpointKey, agentID),
	}
	m.endpointLocked(endpointKey).pairs[agentID] = p
	m.agentLocked(agentID).pairs[endpointKey] = p
	m.pairs.Store(k, p)
	return p
}

// dropPairLocked removes every series of the pair and the pair from the
// cache and indexes. m.mu must be held.
func (m *Metrics) dropPairLocked(p *pair) {
	m.pairs.Delete(p.key)
	if e := m.endpoints[p.key.endpoint]; e != nil {
		delete(e.pairs, p.key.agent)
	}
	if a := m.agents[p.key.agent]; a != nil {
		delete(a.pairs, p.key.endpoint)
	}
	p.mu.Lock()
	p.dead = true
	p.success, p.certificate = nil, nil
	p.mu.Unlock()
	p.triggered = nil
	ek, aid := p.key.endpoint, p.key.agent
	m.agentSuccess.DeleteLabelValues(ek, aid)
	m.certificateExpiry.DeleteLabelValues(ek, aid)
	m.agentTriggered.DeleteLabelValues(ek, aid)
	m.results.DeleteLabelValues(ek, aid, "true")
	m.results.DeleteLabelValues(ek, aid, "false")
	m.duration.DeleteLabelValues(ek, aid)
}

// hideUnknownLocked removes the pair's success, certificate and triggered
// series while its agent is stale: their last values say nothing about
// now. m.mu must be held.
func (m *Metrics) hideUnknownLocked(p *pair) {
	p.mu.Lock()
	if p.success != nil {
		m.agentSuccess.DeleteLabelValues(p.key.endpoint, p.key.agent)
		p.success = nil
	}
	if p.certificate != nil {
		m.certificateExpiry.DeleteLabelValues(p.key.endpoint, p.key.agent)
		p.certificate = nil
	}
	p.mu.Unlock()
	m.hideTriggeredLocked(p)
}

func (m *Metrics) hideTriggeredLocked(p *pair) {
	if p.triggered != nil {
		m.agentTriggered.DeleteLabelValues(p.key.endpoint, p.key.agent)
		p.triggered = nil
	}
}

// Rejection reasons for Rejected.
const (
	ReasonAgentMismatch   = "agent_mismatch"   // the record names another agent than the token
	ReasonNotAssigned     = "not_assigned"     // the endpoint is not assigned to the agent
	ReasonRateLimited     = "rate_limited"     // the agent's token bucket was empty
	ReasonUnauthenticated = "unauthenticated"  // no or unknown token (agentID is "")
	ReasonMalformed       = "malformed"        // the record lacks or mistypes a required attribute
	ReasonUnknownEndpoint = "unknown_endpoint" // no endpoint has the record's key
	// ReasonOther is counted for any other reason, to keep the label's
	// values a closed set.
	ReasonOther = "other"
)

var reasons = map[string]bool{
	ReasonAgentMismatch: true, ReasonNotAssigned: true, ReasonRateLimited: true,
	ReasonUnauthenticated: true, ReasonMalformed: true, ReasonUnknownEndpoint: true,
}

// agentReasons are started at 0 for every known agent; unauthenticated is
// not among them because a request that names an agent is authenticated.
var agentReasons = []string{
	ReasonAgentMismatch, ReasonNotAssigned, ReasonRateLimited, ReasonMalformed, ReasonUnknownEndpoint,
}

// Rejected counts a result or request that was refused. agentID must be
// the authenticated agent (never a value taken from the request, which
// would let a client create series at will) or "" when there is none.
// A reason outside the Reason constants is counted as ReasonOther.
func (m *Metrics) Rejected(agentID, reason string) {
	if !reasons[reason] {
		reason = ReasonOther
	}
	m.rejected.WithLabelValues(agentID, reason).Inc()
}
