// Package plugin is the backend of the Quorate data source for Grafana: it
// reads the store the Quorate central writes (internal/store's Reader,
// never writing nor migrating) and answers Grafana's queries, health
// checks and resource calls as grafana-plugin/README.md specifies.
package plugin

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/quorate/quorate/internal/store"
)

// ID is the plugin id of plugin.json.
const ID = "quorate-datasource"

// Datasource is one configured Quorate data source. Grafana creates one
// per data source and settings version, and disposes of it when the
// settings change.
type Datasource struct {
	settings Settings
	// settingsErr makes every call answer with what is wrong in the
	// settings, instead of Grafana's generic plugin error.
	settingsErr error
	logger      log.Logger
	now         func() time.Time

	mu     sync.Mutex
	reader *store.Reader
}

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource is the instance factory Grafana's SDK calls with a data
// source's settings. Bad settings do not fail it: the instance reports
// them on every query and health check.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	d := &Datasource{logger: log.DefaultLogger.With("datasource", s.UID), now: time.Now}
	d.settings, d.settingsErr = ParseSettings(s)
	if d.settingsErr != nil {
		d.logger.Warn("Quorate data source settings are invalid", "error", d.settingsErr.Error())
		return d, nil
	}
	d.logger.Debug("Quorate data source configured", "store", d.settings.String())
	return d, nil
}

// Dispose closes the connection pool; Grafana calls it when the settings
// changed or the data source was deleted.
func (d *Datasource) Dispose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reader != nil {
		d.reader.Close()
		d.reader = nil
	}
}

// store returns the reader, opening it on first use (and again after a
// failure: a SQLite file may appear later).
func (d *Datasource) store(ctx context.Context) (*store.Reader, error) {
	if d.settingsErr != nil {
		return nil, fmt.Errorf("data source settings: %w", d.settingsErr)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reader == nil {
		r, err := store.OpenReader(ctx, d.settings.readerConfig())
		if err != nil {
			return nil, fmt.Errorf("open the Quorate store (%s): %w", d.settings, err)
		}
		d.reader = r
	}
	return d.reader, nil
}

// QueryData answers each query of the request on its own: one bad query
// does not fail the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		resp.Responses[q.RefID] = d.query(ctx, q)
	}
	return resp, nil
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			"data source settings: "+d.settingsErr.Error())
	}
	q, err := ParseQuery(dq)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	r, err := d.store(ctx)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadGateway, backend.ErrorSourceDownstream, err.Error())
	}
	frames, err := run(ctx, r, q, d.refTime(q))
	if err != nil {
		d.logger.Error("Quorate query failed", "refId", q.RefID, "queryType", q.Type, "error", err.Error())
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourceDownstream,
			fmt.Sprintf("queryType %s: %v", q.Type, err))
	}
	return backend.DataResponse{Frames: frames}
}

// refTime is "now" for the states a query derives from time (staleness,
// certificate expiry): the end of the query's time range when that is in
// the past, so that a dashboard looking back, and a test, gets the state
// as of then; otherwise the clock.
func (d *Datasource) refTime(q Query) time.Time {
	now := d.now()
	if !q.To.IsZero() && q.To.Before(now) {
		return q.To
	}
	return now
}

// run executes one checked query.
func run(ctx context.Context, r *store.Reader, q Query, now time.Time) (data.Frames, error) {
	f := store.ReadFilter{EndpointKeys: q.Endpoints, AgentIDs: q.Agents}
	switch q.Type {
	case TypeStatus:
		in := statusInput{now: now}
		var err error
		if in.latest, err = r.LatestResults(ctx, f); err != nil {
			return nil, err
		}
		if in.endpoints, err = r.Endpoints(ctx, q.Endpoints); err != nil {
			return nil, err
		}
		if in.quorums, err = r.EndpointQuorums(ctx, q.Endpoints); err != nil {
			return nil, err
		}
		if in.agents, err = r.Agents(ctx, nil); err != nil {
			return nil, err
		}
		return data.Frames{statusFrame(in)}, nil
	case TypeCurrent:
		in := currentInput{metric: q.Metric, now: now}
		var err error
		switch q.Metric {
		case "agent_success", "certificate_expiry_seconds":
			in.latest, err = r.LatestResults(ctx, f)
		case "agent_stale":
			in.agents, err = r.Agents(ctx, q.Agents)
		default:
			if in.endpoints, err = r.Endpoints(ctx, q.Endpoints); err == nil {
				in.quorums, err = r.EndpointQuorums(ctx, q.Endpoints)
			}
		}
		if err != nil {
			return nil, err
		}
		return data.Frames{currentFrame(in)}, nil
	case TypeResults:
		series, err := r.ResultSeries(ctx, store.SeriesQuery{ReadFilter: f, From: q.From, To: q.To,
			Metric: store.SeriesMetric(q.Metric), MaxPoints: q.MaxDataPoints})
		if err != nil {
			return nil, err
		}
		return resultFrames(q.Metric, series), nil
	case TypeFailures:
		failures, err := r.Failures(ctx, store.FailureQuery{ReadFilter: f, From: q.From, To: q.To, Limit: q.Limit})
		if err != nil {
			return nil, err
		}
		return data.Frames{failuresFrame(failures)}, nil
	case TypeUptime:
		perAgent := q.Per == "agent"
		sums, err := r.Uptime(ctx, store.UptimeQuery{ReadFilter: f, From: q.From, To: q.To, PerAgent: perAgent})
		if err != nil {
			return nil, err
		}
		return data.Frames{uptimeFrame(perAgent, sums)}, nil
	case TypeAgents:
		agents, err := r.Agents(ctx, q.Agents)
		if err != nil {
			return nil, err
		}
		return data.Frames{agentsFrame(agents, now)}, nil
	case TypeAlerts:
		events, err := r.Events(ctx, store.EventQuery{ReadFilter: f, From: q.From, To: q.To, Types: q.EventTypes, Limit: q.Limit})
		if err != nil {
			return nil, err
		}
		return data.Frames{alertsFrame(events)}, nil
	}
	return nil, fmt.Errorf("queryType %q is not handled", q.Type) // ParseQuery let through a type run does not know
}
