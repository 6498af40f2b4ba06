package plugin

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/quorate/quorate/internal/store"
)

// Field and label names are the contract with the dashboards (README:
// Frames); change them only with the README.

// Agent states of the status frame.
const (
	StateUp     = "up"
	StateDown   = "down"
	StateStale  = "stale"
	StateNoData = "no data"
)

// Quorum states of the status frame.
const (
	QuorumOK       = "ok"
	QuorumDegraded = "degraded"
	QuorumFiring   = "firing"
)

// Labels of numeric answers: one alert instance per endpoint or agent.
const (
	LabelEndpoint = "endpoint_key"
	LabelAgent    = "agent_id"
)

// typeVersion is the data plane contract version of numeric-wide and
// time series multi frames.
var typeVersion = data.FrameTypeVersion{0, 1}

func tableMeta() *data.FrameMeta { return &data.FrameMeta{PreferredVisualization: data.VisTypeTable} }

func numericWideMeta() *data.FrameMeta {
	return &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: typeVersion}
}

func timeSeriesMultiMeta() *data.FrameMeta {
	return &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: typeVersion}
}

func ptr[T any](v T) *T { return &v }

func boolNumber(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func joinErrors(errs []string) string { return strings.Join(errs, "; ") }

// statusInput is what the status frame joins.
type statusInput struct {
	endpoints []store.Endpoint
	latest    []store.LatestResult
	quorums   []store.QuorumState
	agents    []store.Agent
	now       time.Time
}

// agentState is the state of an agent on an endpoint: stale first (its
// verdict is unknown, as the central counts it), then its latest result.
func agentState(a store.Agent, known bool, r store.LatestResult, now time.Time) string {
	switch {
	case !known || a.StaleAt(now):
		return StateStale
	case !r.HasResult:
		return StateNoData
	case r.Success:
		return StateUp
	}
	return StateDown
}

// quorumState names the state of an endpoint's first enabled alert.
func quorumState(q store.QuorumState, ok bool) string {
	switch {
	case ok && q.Firing:
		return QuorumFiring
	case ok && q.Degraded:
		return QuorumDegraded
	}
	return QuorumOK
}

func statusFrame(in statusInput) *data.Frame {
	eps := map[string]store.Endpoint{}
	for _, e := range in.endpoints {
		eps[e.Key] = e
	}
	quorums := map[string]store.QuorumState{}
	for _, q := range in.quorums {
		quorums[q.EndpointKey] = q
	}
	agents := map[string]store.Agent{}
	for _, a := range in.agents {
		agents[a.ID] = a
	}
	f := data.NewFrame("status",
		data.NewField("endpoint_key", nil, []string{}),
		data.NewField("endpoint_name", nil, []string{}),
		data.NewField("endpoint_group", nil, []string{}),
		data.NewField("agent_id", nil, []string{}),
		data.NewField("agent_state", nil, []string{}),
		data.NewField("success", nil, []*int64{}),
		data.NewField("status", nil, []*int64{}),
		data.NewField("duration_ms", nil, []*float64{}).SetConfig(&data.FieldConfig{Unit: "ms"}),
		data.NewField("errors", nil, []string{}),
		data.NewField("timestamp", nil, []*time.Time{}),
		data.NewField("quorum_state", nil, []string{}),
		data.NewField("triggered_agents", nil, []*int64{}),
		data.NewField("reporting_agents", nil, []*int64{}),
		data.NewField("agent_quorum", nil, []*int64{}),
		data.NewField("monitors", nil, []*int64{}),
	)
	f.Meta = tableMeta()
	for _, r := range in.latest {
		e := eps[r.EndpointKey]
		a, known := agents[r.AgentID]
		q, hasQuorum := quorums[r.EndpointKey]
		var success, status *int64
		var duration *float64
		var ts *time.Time
		if r.HasResult {
			success, status = ptr(boolNumber(r.Success)), ptr(int64(r.HTTPStatus))
			duration, ts = ptr(ms(r.Duration)), ptr(r.Timestamp)
		}
		var triggered, reporting, quorum, monitors *int64
		if hasQuorum {
			triggered, reporting = ptr(int64(q.TriggeredCount)), ptr(int64(q.ReportingCount))
			quorum, monitors = ptr(int64(q.AgentQuorum)), ptr(int64(q.MonitorsCount))
		}
		f.AppendRow(r.EndpointKey, e.Name, e.Group, r.AgentID, agentState(a, known, r, in.now),
			success, status, duration, joinErrors(r.Errors), ts,
			quorumState(q, hasQuorum), triggered, reporting, quorum, monitors)
	}
	return f
}

// numericWideFrame builds a numeric-wide frame: one number field per
// series, all in one row.
type numericWideFrame struct{ f *data.Frame }

func newNumericWide(name string) *numericWideFrame {
	f := data.NewFrame(name)
	f.Meta = numericWideMeta()
	return &numericWideFrame{f: f}
}

func (n *numericWideFrame) add(field string, labels data.Labels, v float64, cfg *data.FieldConfig) {
	fl := data.NewField(field, labels, []float64{v})
	if cfg != nil {
		fl.SetConfig(cfg)
	}
	n.f.Fields = append(n.f.Fields, fl)
}

// currentInput is what the `current` metrics read.
type currentInput struct {
	metric    string
	endpoints []store.Endpoint
	quorums   []store.QuorumState
	latest    []store.LatestResult
	agents    []store.Agent
	now       time.Time
}

func currentFrame(in currentInput) *data.Frame {
	n := newNumericWide("current")
	quorums := map[string]store.QuorumState{}
	for _, q := range in.quorums {
		quorums[q.EndpointKey] = q
	}
	switch in.metric {
	case "firing", "degraded", "triggered_agents":
		// The central stores a quorum row for every enabled alert from its
		// start; an endpoint without one has no enabled alert (or the store
		// was written by an older central): not firing, not degraded, none
		// triggered. Every endpoint gets a series, so an alert rule sees 0
		// rather than no data.
		for _, e := range in.endpoints {
			q := quorums[e.Key]
			v := map[string]float64{"firing": float64(boolNumber(q.Firing)), "degraded": float64(boolNumber(q.Degraded)),
				"triggered_agents": float64(q.TriggeredCount)}[in.metric]
			n.add(in.metric, data.Labels{LabelEndpoint: e.Key}, v, nil)
		}
	case "reporting_agents", "cannot_reach_quorum":
		// These need K and the reporting count: only endpoints with a
		// stored quorum row have them.
		for _, q := range in.quorums {
			v := float64(q.ReportingCount)
			if in.metric == "cannot_reach_quorum" {
				v = float64(boolNumber(q.ReportingCount < q.AgentQuorum))
			}
			n.add(in.metric, data.Labels{LabelEndpoint: q.EndpointKey}, v, nil)
		}
	case "agent_success":
		for _, r := range in.latest {
			if r.HasResult {
				n.add(in.metric, data.Labels{LabelEndpoint: r.EndpointKey, LabelAgent: r.AgentID}, float64(boolNumber(r.Success)), nil)
			}
		}
	case "certificate_expiry_seconds":
		for _, r := range in.latest {
			if r.HasResult && r.CertificateExpiration > 0 {
				expires := r.Timestamp.Add(r.CertificateExpiration)
				n.add(in.metric, data.Labels{LabelEndpoint: r.EndpointKey, LabelAgent: r.AgentID},
					expires.Sub(in.now).Seconds(), &data.FieldConfig{Unit: "s"})
			}
		}
	case "agent_stale":
		for _, a := range in.agents {
			n.add(in.metric, data.Labels{LabelAgent: a.ID}, float64(boolNumber(a.StaleAt(in.now))), nil)
		}
	}
	return n.f
}

// resultFrames is one time series frame per (endpoint, agent).
func resultFrames(metric string, series []store.Series) data.Frames {
	if len(series) == 0 {
		f := data.NewFrame("")
		f.Meta = timeSeriesMultiMeta()
		return data.Frames{f}
	}
	var cfg *data.FieldConfig
	if metric == string(store.SeriesDurationMS) {
		cfg = &data.FieldConfig{Unit: "ms"}
	}
	frames := make(data.Frames, 0, len(series))
	for _, s := range series {
		times := make([]time.Time, len(s.Points))
		values := make([]float64, len(s.Points))
		for i, p := range s.Points {
			times[i], values[i] = p.Time, p.Value
		}
		v := data.NewField(metric, data.Labels{LabelEndpoint: s.EndpointKey, LabelAgent: s.AgentID}, values)
		if cfg != nil {
			v.SetConfig(cfg)
		}
		f := data.NewFrame("", data.NewField("time", nil, times), v)
		f.Meta = timeSeriesMultiMeta()
		frames = append(frames, f)
	}
	return frames
}

func failuresFrame(failures []store.FailedResult) *data.Frame {
	f := data.NewFrame("failures",
		data.NewField("timestamp", nil, []time.Time{}),
		data.NewField("endpoint_key", nil, []string{}),
		data.NewField("agent_id", nil, []string{}),
		data.NewField("status", nil, []int64{}),
		data.NewField("duration_ms", nil, []float64{}).SetConfig(&data.FieldConfig{Unit: "ms"}),
		data.NewField("errors", nil, []string{}),
		data.NewField("failed_conditions", nil, []string{}),
	)
	f.Meta = tableMeta()
	for _, r := range failures {
		f.AppendRow(r.Timestamp, r.EndpointKey, r.AgentID, int64(r.HTTPStatus), ms(r.Duration),
			joinErrors(r.Errors), joinErrors(r.FailedConditions))
	}
	return f
}

func uptimeFrame(perAgent bool, sums []store.UptimeSummary) *data.Frame {
	n := newNumericWide("uptime")
	for _, u := range sums {
		labels := data.Labels{LabelEndpoint: u.EndpointKey}
		if perAgent {
			labels[LabelAgent] = u.AgentID
		}
		n.add("uptime", labels, float64(u.Successful)/float64(u.Total), &data.FieldConfig{Unit: "percentunit"})
		n.add("avg_duration_ms", labels.Copy(), ms(u.TotalResponseTime)/float64(u.Total), &data.FieldConfig{Unit: "ms"})
	}
	return n.f
}

func agentsFrame(agents []store.Agent, now time.Time) *data.Frame {
	f := data.NewFrame("agents",
		data.NewField("agent_id", nil, []string{}),
		data.NewField("agent_name", nil, []string{}),
		data.NewField("last_seen", nil, []*time.Time{}),
		data.NewField("stale_after_s", nil, []float64{}).SetConfig(&data.FieldConfig{Unit: "s"}),
		data.NewField("state", nil, []string{}),
		data.NewField("stale", nil, []int64{}),
	)
	f.Meta = tableMeta()
	for _, a := range agents {
		var seen *time.Time
		if !a.LastSeen.IsZero() {
			seen = ptr(a.LastSeen)
		}
		stale := a.StaleAt(now)
		state := "Healthy"
		if stale {
			state = "Stale"
		}
		f.AppendRow(a.ID, a.Name, seen, a.StaleAfter.Seconds(), state, boolNumber(stale))
	}
	return f
}

func alertsFrame(events []store.Event) *data.Frame {
	f := data.NewFrame("alerts",
		data.NewField("time", nil, []time.Time{}),
		data.NewField("type", nil, []string{}),
		data.NewField("endpoint_key", nil, []string{}),
		data.NewField("agent_id", nil, []string{}),
		data.NewField("details", nil, []string{}),
	)
	f.Meta = tableMeta()
	for _, e := range events {
		f.AppendRow(e.Time, string(e.Type), e.EndpointKey, e.AgentID, canonicalJSON(e.Details))
	}
	return f
}

// canonicalJSON re-encodes details with sorted keys and no spaces, so
// that both drivers (PostgreSQL's jsonb reorders keys) show the same text;
// "{}" when there are none.
func canonicalJSON(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "{}"
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return string(raw)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return string(raw)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
