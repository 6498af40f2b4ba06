package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label names.
const (
	labelEndpoint   = "endpoint_key"
	labelAgent      = "agent_id"
	labelSuccess    = "success"
	labelReason     = "reason"
	labelTransition = "transition"
)

// durationBuckets spans probe latencies from a loopback answer (1ms) to the
// longest timeouts seen in Gatus configs (30s); slower lands in +Inf.
var durationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Metrics is the central's set of product metrics. It is safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	// Per endpoint, from its first enabled alert (see SetEndpoint).
	alertFiring       *prometheus.GaugeVec
	degraded          *prometheus.GaugeVec
	triggeredAgents   *prometheus.GaugeVec
	reportingAgents   *prometheus.GaugeVec
	agentQuorum       *prometheus.GaugeVec
	monitoringAgents  *prometheus.GaugeVec
	cannotReachQuorum *prometheus.GaugeVec
	inMaintenance     *prometheus.GaugeVec
	transitions       *prometheus.CounterVec

	// Per (endpoint, agent).
	agentSuccess      *prometheus.GaugeVec
	agentTriggered    *prometheus.GaugeVec
	certificateExpiry *prometheus.GaugeVec
	results           *prometheus.CounterVec
	duration          *prometheus.HistogramVec

	// Per agent.
	lastSeen *prometheus.GaugeVec
	stale    *prometheus.GaugeVec
	rejected *prometheus.CounterVec

	// byName holds each family in a registry of its own (see Handler).
	byName map[string]*prometheus.Registry

	// pairs maps pairKey to *pair: the hot path's cache, read without mu.
	pairs sync.Map

	// mu guards the indexes below and every creation or removal of a pair,
	// endpoint or agent entry.
	mu        sync.Mutex
	endpoints map[string]*endpointEntry
	agents    map[string]*agentEntry
}

// New returns the metrics registered in a registry of their own.
func New() *Metrics {
	ep := []string{labelEndpoint}
	pair := []string{labelEndpoint, labelAgent}
	agent := []string{labelAgent}
	// Each family also goes into a registry of its own, for scrapes that
	// ask for some families only.
	byName := map[string]*prometheus.Registry{}
	single := func(name string, c prometheus.Collector) {
		r := prometheus.NewRegistry()
		r.MustRegister(c)
		byName[name] = r
	}
	gaugeVec := func(name, help string, labels []string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		single(name, v)
		return v
	}
	counterVec := func(name, help string, labels []string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		single(name, v)
		return v
	}
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		byName: byName,

		alertFiring: gaugeVec("quorate_endpoint_alert_firing",
			"1 while the endpoint's alert fires: at least agent-quorum reporting agents are triggered (outside maintenance).", ep),
		degraded: gaugeVec("quorate_endpoint_degraded",
			"1 while the endpoint is degraded: not firing, at least one but fewer than agent-quorum reporting agents are triggered.", ep),
		triggeredAgents: gaugeVec("quorate_endpoint_triggered_agents",
			"Reporting (not stale) agents triggered for the endpoint's alert.", ep),
		reportingAgents: gaugeVec("quorate_endpoint_reporting_agents",
			"Agents monitoring the endpoint that are not stale.", ep),
		agentQuorum: gaugeVec("quorate_endpoint_agent_quorum",
			"The alert's agent-quorum K: triggered agents needed to fire.", ep),
		monitoringAgents: gaugeVec("quorate_endpoint_monitoring_agents",
			"Agents assigned to the endpoint (monitored-by), M.", ep),
		cannotReachQuorum: gaugeVec("quorate_endpoint_cannot_reach_quorum",
			"1 while fewer agents report than the alert's agent-quorum, so it could not fire.", ep),
		inMaintenance: gaugeVec("quorate_endpoint_in_maintenance",
			"1 while the endpoint is in a maintenance window (firing suppressed, probing goes on).", ep),
		transitions: counterVec("quorate_alert_transitions_total",
			"Quorum transitions of the endpoint's alerts, by kind (fired, resolved, reminder, degraded, ...).",
			[]string{labelEndpoint, labelTransition}),

		agentSuccess: gaugeVec("quorate_endpoint_agent_success",
			"1 if the agent's last result for the endpoint succeeded, 0 if it failed; absent while the agent is stale.", pair),
		agentTriggered: gaugeVec("quorate_endpoint_agent_triggered",
			"1 while the agent is triggered for the endpoint's alert; absent while the agent is stale.", pair),
		certificateExpiry: gaugeVec("quorate_endpoint_certificate_expiry_timestamp_seconds",
			"Unix time at which the leaf certificate in the agent's last result for the endpoint expires; absent when that result saw no certificate and while the agent is stale.", pair),
		results: counterVec("quorate_results_total",
			"Probe results accepted from the agent for the endpoint, by success.",
			[]string{labelEndpoint, labelAgent, labelSuccess}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "quorate_result_duration_seconds",
			Help:    "Probe duration reported by the agent for the endpoint.",
			Buckets: durationBuckets,
		}, pair),

		lastSeen: gaugeVec("quorate_agent_last_seen_timestamp_seconds",
			"Unix time of the agent's last result or request; absent until it is first seen.", agent),
		stale: gaugeVec("quorate_agent_stale",
			"1 while the agent has been silent for longer than its stale-after.", agent),
		rejected: counterVec("quorate_results_rejected_total",
			"Results or requests rejected and never stored, by authenticated agent (empty when unauthenticated) and reason.",
			[]string{labelAgent, labelReason}),

		endpoints: map[string]*endpointEntry{},
		agents:    map[string]*agentEntry{},
	}
	single("quorate_result_duration_seconds", m.duration)
	m.reg.MustRegister(m.all()...)
	// No agent can be named for an unauthenticated request; start its
	// counter at 0 so that increase() sees the first one.
	m.rejected.WithLabelValues("", ReasonUnauthenticated)
	return m
}

func (m *Metrics) all() []prometheus.Collector {
	return []prometheus.Collector{
		m.alertFiring, m.degraded, m.triggeredAgents, m.reportingAgents, m.agentQuorum,
		m.monitoringAgents, m.cannotReachQuorum, m.inMaintenance, m.transitions,
		m.agentSuccess, m.agentTriggered, m.certificateExpiry, m.results, m.duration,
		m.lastSeen, m.stale, m.rejected,
	}
}

// Registry is the registry holding the product metrics (and nothing else).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats. A
// gathering error fails the scrape (HTTP 500) rather than serving a
// partial set that would look like vanished series.
//
// With name[] query parameters (as in Prometheus federation, e.g.
// /metrics?name[]=quorate_results_total) it gathers and serves only those
// families: a tool watching one family does not pay for gathering every
// series of every pair.
func (m *Metrics) Handler() http.Handler {
	opts := promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}
	all := promhttp.HandlerFor(m.reg, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var names []string
		if r.URL != nil {
			names = r.URL.Query()["name[]"]
		}
		if len(names) == 0 {
			all.ServeHTTP(w, r)
			return
		}
		var some prometheus.Gatherers
		for _, name := range names {
			if reg, ok := m.byName[name]; ok {
				some = append(some, reg)
			}
		}
		promhttp.HandlerFor(some, opts).ServeHTTP(w, r)
	})
}
