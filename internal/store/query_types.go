package store

import "time"

// ReadFilter selects endpoints by key and agents by id; an empty list
// matches all. Keys and ids that do not exist match nothing.
type ReadFilter struct {
	EndpointKeys []string
	AgentIDs     []string
}

// LatestResult is the newest result of one (endpoint, agent) pair. A pair
// is listed when the agent has results for the endpoint, a run under the
// endpoint's current configuration, or is assigned to it (endpoint_agents,
// from monitored-by); HasResult is false when it never reported or its
// results were all pruned.
type LatestResult struct {
	EndpointKey string
	AgentID     string
	HasResult   bool
	Timestamp   time.Time
	Success     bool
	HTTPStatus  int
	Duration    time.Duration
	Errors      []string
	// CertificateExpiration is the time the certificate had left when the
	// result was taken; zero when none was seen.
	CertificateExpiration time.Duration
}

// SeriesMetric is the number a result series carries.
type SeriesMetric string

// Series metrics.
const (
	SeriesDurationMS SeriesMetric = "duration_ms"
	SeriesSuccess    SeriesMetric = "success" // 1 or 0
)

// SeriesQuery selects results between From and To (both inclusive) as one
// series per (endpoint, agent).
type SeriesQuery struct {
	ReadFilter
	From, To time.Time
	Metric   SeriesMetric
	// MaxPoints: a series with more results is averaged into MaxPoints
	// equal time buckets from From; 0 keeps every point.
	MaxPoints int
}

// Series is the points of one (endpoint, agent), oldest first.
type Series struct {
	EndpointKey string
	AgentID     string
	Points      []SeriesPoint
}

// SeriesPoint is one result, or the average of one time bucket (Time is
// the bucket's start).
type SeriesPoint struct {
	Time  time.Time
	Value float64
}

// FailureQuery selects failed results between From and To (inclusive),
// the newest Limit first.
type FailureQuery struct {
	ReadFilter
	From, To time.Time
	Limit    int
}

// FailedResult is one failed result with the conditions that failed.
type FailedResult struct {
	EndpointKey      string
	AgentID          string
	Timestamp        time.Time
	HTTPStatus       int
	Duration         time.Duration
	Errors           []string
	FailedConditions []string
}

// UptimeQuery sums the hourly uptime buckets that overlap [From, To], per
// endpoint or, with PerAgent, per endpoint and agent. An agent filter
// counts only those agents' results, also per endpoint.
type UptimeQuery struct {
	ReadFilter
	From, To time.Time
	PerAgent bool
}

// UptimeSummary is the sum of the buckets of one endpoint (AgentID empty)
// or of one endpoint and agent.
type UptimeSummary struct {
	EndpointKey       string
	AgentID           string
	Total             int64
	Successful        int64
	TotalResponseTime time.Duration
}

// EventQuery selects events between From and To (inclusive), the newest
// Limit first. With endpoint keys only events of those endpoints match,
// with agent ids only events of those agents.
type EventQuery struct {
	ReadFilter
	From, To time.Time
	Types    []EventType
	Limit    int
}
