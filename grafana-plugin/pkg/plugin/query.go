package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/quorate/quorate/internal/store"
)

// Query types (README: Queries).
const (
	TypeStatus   = "status"
	TypeCurrent  = "current"
	TypeResults  = "results"
	TypeFailures = "failures"
	TypeUptime   = "uptime"
	TypeAgents   = "agents"
	TypeAlerts   = "alerts"
)

// QueryTypes are the query types in the README's order.
var QueryTypes = []string{TypeStatus, TypeCurrent, TypeResults, TypeFailures, TypeUptime, TypeAgents, TypeAlerts}

// Metrics of `current` and `results`, defaults first.
var (
	CurrentMetrics = []string{"firing", "degraded", "cannot_reach_quorum", "triggered_agents", "reporting_agents",
		"agent_success", "certificate_expiry_seconds", "agent_stale"}
	ResultMetrics = []string{string(store.SeriesDurationMS), string(store.SeriesSuccess)}
	// UptimePer are the values of `per`, default first.
	UptimePer = []string{"endpoint", "agent"}
	// EventTypes are the event types `eventTypes` accepts: those the central
	// writes, then Gatus's (in databases upgraded from Gatus).
	EventTypes = []store.EventType{
		store.EventFired, store.EventResolved, store.EventReminder, store.EventDegraded, store.EventDegradedCleared,
		store.EventAgentStale, store.EventAgentBack, store.EventAgentTriggered, store.EventAgentCleared,
		store.EventGatusStart, store.EventGatusHealthy, store.EventGatusUnhealthy,
	}
)

// Limits of `limit`.
const (
	DefaultFailuresLimit = 100
	DefaultAlertsLimit   = 1000
	MaxLimit             = 10000
)

// Query is one parsed and checked query.
type Query struct {
	RefID string
	Type  string
	// Endpoints and Agents are nil for all.
	Endpoints  []string
	Agents     []string
	Metric     string
	Per        string
	EventTypes []store.EventType
	Limit      int
	From, To   time.Time
	// MaxDataPoints bounds the points of a `results` series (0: no bound).
	MaxDataPoints int
}

// queryJSON is a query as the frontend sends it. Lists and numbers are
// taken as JSON strings or as JSON lists and numbers.
type queryJSON struct {
	QueryType  string          `json:"queryType"`
	Endpoint   json.RawMessage `json:"endpoint"`
	Agent      json.RawMessage `json:"agent"`
	Metric     string          `json:"metric"`
	Per        string          `json:"per"`
	EventTypes json.RawMessage `json:"eventTypes"`
	Limit      json.RawMessage `json:"limit"`
}

// ParseQuery reads a query and checks the fields its type uses; the error
// names the field and what it accepts. Fields the type does not use are
// ignored.
func ParseQuery(dq backend.DataQuery) (Query, error) {
	var m queryJSON
	if err := json.Unmarshal(dq.JSON, &m); err != nil {
		return Query{}, fmt.Errorf("query: not valid JSON (%v); send an object such as {\"queryType\": \"status\"}", err)
	}
	q := Query{RefID: dq.RefID, Type: strings.TrimSpace(m.QueryType), From: dq.TimeRange.From, To: dq.TimeRange.To, MaxDataPoints: int(dq.MaxDataPoints)}
	if q.Type == "" {
		q.Type = strings.TrimSpace(dq.QueryType)
	}
	if !slices.Contains(QueryTypes, q.Type) {
		if q.Type == "" {
			return Query{}, fmt.Errorf("queryType: required; use one of %s", strings.Join(QueryTypes, ", "))
		}
		return Query{}, fmt.Errorf("queryType: %q is not supported; use one of %s", q.Type, strings.Join(QueryTypes, ", "))
	}
	var err error
	var errs []error
	if q.Type != TypeAgents {
		if q.Endpoints, err = parseList("endpoint", m.Endpoint); err != nil {
			errs = append(errs, err)
		}
	}
	if q.Agents, err = parseList("agent", m.Agent); err != nil {
		errs = append(errs, err)
	}
	switch q.Type {
	case TypeCurrent:
		q.Metric, err = oneOf("metric", m.Metric, CurrentMetrics)
	case TypeResults:
		q.Metric, err = oneOf("metric", m.Metric, ResultMetrics)
	case TypeUptime:
		q.Per, err = oneOf("per", m.Per, UptimePer)
	case TypeFailures:
		q.Limit, err = parseCount("limit", m.Limit, DefaultFailuresLimit, MaxLimit)
	case TypeAlerts:
		q.Limit, err = parseCount("limit", m.Limit, DefaultAlertsLimit, MaxLimit)
		if err == nil {
			q.EventTypes, err = parseEventTypes(m.EventTypes)
		}
	}
	if err != nil {
		errs = append(errs, err)
	}
	switch q.Type {
	case TypeResults, TypeFailures, TypeUptime, TypeAlerts:
		if q.From.IsZero() || q.To.IsZero() {
			errs = append(errs, fmt.Errorf("timeRange: required by queryType %s", q.Type))
		} else if q.To.Before(q.From) {
			errs = append(errs, fmt.Errorf("timeRange: ends (%s) before it starts (%s)", q.To.UTC().Format(time.RFC3339), q.From.UTC().Format(time.RFC3339)))
		}
	}
	if len(errs) > 0 {
		return Query{}, errors.Join(errs...)
	}
	return q, nil
}

// parseList reads a comma-separated string (or a JSON list of strings);
// empty, or any item "*", means all (nil).
func parseList(field string, raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []string
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		items = strings.Split(s, ",")
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: %s is neither a comma-separated string nor a list of strings", field, raw)
	}
	var out []string
	for _, it := range items {
		it = strings.TrimSpace(it)
		switch {
		case it == "*":
			return nil, nil
		case it != "" && !slices.Contains(out, it):
			out = append(out, it)
		}
	}
	return out, nil
}

// oneOf checks v against allowed; empty is the first allowed value.
func oneOf(field, v string, allowed []string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, v) {
		return "", fmt.Errorf("%s: %q is not supported; use one of %s (default %s)", field, v, strings.Join(allowed, ", "), allowed[0])
	}
	return v, nil
}

// parseEventTypes reads event types (case-insensitive); none means all.
func parseEventTypes(raw json.RawMessage) ([]store.EventType, error) {
	items, err := parseList("eventTypes", raw)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	names := make([]string, len(EventTypes))
	for i, t := range EventTypes {
		names[i] = string(t)
	}
	var out []store.EventType
	for _, it := range items {
		t := store.EventType(strings.ToUpper(it))
		if !slices.Contains(EventTypes, t) {
			return nil, fmt.Errorf("eventTypes: %q is not an event type; use some of %s, or leave it empty for all", it, strings.Join(names, ", "))
		}
		out = append(out, t)
	}
	return out, nil
}
