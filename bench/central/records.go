package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
)

// markerEpoch is the certificate expiry of marker 0: marker n reports a
// certificate expiring n seconds later, so the central's
// quorate_endpoint_certificate_expiry_timestamp_seconds of the marker
// endpoint says which marker it has taken in last.
var markerEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// bodies are one agent's request bodies, encoded once before the run so
// that the generator spends its CPU on sending, not on building.
type bodies struct {
	bulk [][]byte
	// markerLogs is a bulk body whose last result, markerRecord, is for the
	// marker endpoint; markerBody stamps and encodes it.
	markerLogs   plog.Logs
	markerRecord plog.LogRecord
	// perBody is the number of results in every body.
	perBody int
}

// markerBody encodes the marker body carrying marker n. Only bulk results
// have no certificate, so the central exports the certificate expiry of the
// marker endpoint only: a handful of series, cheap to scrape.
func (b *bodies) markerBody(n int64) ([]byte, error) {
	expiry := markerEpoch.Add(time.Duration(n) * time.Second)
	b.markerRecord.Attributes().PutDouble(resultschema.AttrCertificateExpiresIn,
		expiry.Sub(b.markerRecord.Timestamp().AsTime()).Seconds())
	return plogotlp.NewExportRequestFromLogs(b.markerLogs).MarshalProto()
}

// bodySpec says what to build for one agent.
type bodySpec struct {
	agent     string
	endpoints []*endpoint.Endpoint // the bulk endpoints, in config order
	perBody   int
	pool      int     // distinct bulk bodies
	failRatio float64 // share of failed results
	seed      uint64
}

// benchEndpoints are the bulk endpoints of the monitoring file and its
// marker endpoint.
func benchEndpoints(n int) (bulk []*endpoint.Endpoint, marker *endpoint.Endpoint) {
	bulk = make([]*endpoint.Endpoint, n)
	for j := range bulk {
		name := endpointName(j)
		bulk[j] = &endpoint.Endpoint{Name: name, Group: group, URL: targetURL(name)}
	}
	return bulk, &endpoint.Endpoint{Name: markerName, Group: group, URL: targetURL(markerName)}
}

// buildBodies encodes spec.pool bulk bodies that walk through the endpoints
// in order (body k starts where body k-1 ended, so every pair sees its own
// sequence of successes and failures) and one marker body.
func buildBodies(spec bodySpec, marker *endpoint.Endpoint) (bodies, error) {
	if spec.perBody < 2 || len(spec.endpoints) == 0 || spec.pool < 1 {
		return bodies{}, fmt.Errorf("build bodies: %d results per body, %d endpoints and %d bodies: need at least 2, 1 and 1",
			spec.perBody, len(spec.endpoints), spec.pool)
	}
	rng := rand.New(rand.NewPCG(spec.seed, uint64(len(spec.agent))))
	out := bodies{perBody: spec.perBody}
	next := 0
	build := func(withMarker bool) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		resultschema.SetResource(rl.Resource(), spec.agent)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("github.com/quorate/quorate/bench/central")
		sl.LogRecords().EnsureCapacity(spec.perBody)
		now := time.Now()
		for i := range spec.perBody {
			if withMarker && i == spec.perBody-1 {
				resultschema.AppendLogRecord(sl, marker, endpoint.TypeHTTP, fakeResult(rng, now, false), now)
				continue
			}
			ep := spec.endpoints[next%len(spec.endpoints)]
			next++
			resultschema.AppendLogRecord(sl, ep, endpoint.TypeHTTP, fakeResult(rng, now, rng.Float64() < spec.failRatio), now)
		}
		return ld
	}
	for range spec.pool {
		b, err := plogotlp.NewExportRequestFromLogs(build(false)).MarshalProto()
		if err != nil {
			return bodies{}, fmt.Errorf("encode a body of agent %s: %w", spec.agent, err)
		}
		out.bulk = append(out.bulk, b)
	}
	out.markerLogs = build(true)
	lrs := out.markerLogs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	out.markerRecord = lrs.At(lrs.Len() - 1)
	if _, err := out.markerBody(0); err != nil {
		return bodies{}, fmt.Errorf("encode the marker body of agent %s: %w", spec.agent, err)
	}
	return out, nil
}

// fakeResult is what an HTTP probe of a loopback target with the conditions
// of the monitoring file would report: a success, or a failure that is
// either an HTTP 503 or a refused connection.
func fakeResult(rng *rand.Rand, now time.Time, failed bool) *result.Result {
	d := time.Duration(5+rng.IntN(200)) * time.Millisecond
	r := &result.Result{
		Timestamp: now.Add(-d - time.Second),
		Duration:  d,
		IP:        "127.0.0.1",
		Connected: true,
		Timings: result.Timings{
			Connect:   d / 10,
			FirstByte: d * 8 / 10,
		},
	}
	switch {
	case !failed:
		r.HTTPStatus = 200
		r.Success = true
		r.ConditionResults = []result.ConditionResult{
			{Condition: "[STATUS] == 200", Success: true},
			{Condition: "[RESPONSE_TIME] < 300", Success: true},
		}
	case rng.IntN(2) == 0:
		r.HTTPStatus = 503
		r.ConditionResults = []result.ConditionResult{
			{Condition: "[STATUS] (503) == 200", Success: false},
			{Condition: "[RESPONSE_TIME] < 300", Success: true},
		}
	default:
		r.Connected = false
		r.Timings = result.Timings{}
		r.Errors = []string{"dial tcp 127.0.0.1:18080: connect: connection refused"}
		r.ConditionResults = []result.ConditionResult{
			{Condition: "[STATUS] (0) == 200", Success: false},
			{Condition: "[RESPONSE_TIME] < 300", Success: true},
		}
	}
	return r
}
