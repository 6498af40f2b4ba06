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

// bodies are one agent's request bodies, encoded once before the run so
// that the generator spends its CPU on sending, not on building.
type bodies struct {
	bulk [][]byte
	// marker is a bulk body whose last result is for the marker endpoint.
	marker []byte
	// perBody is the number of results in every body.
	perBody int
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
	encode := func(withMarker bool) ([]byte, error) {
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
		return plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	}
	for range spec.pool {
		b, err := encode(false)
		if err != nil {
			return bodies{}, fmt.Errorf("encode a body of agent %s: %w", spec.agent, err)
		}
		out.bulk = append(out.bulk, b)
	}
	b, err := encode(true)
	if err != nil {
		return bodies{}, fmt.Errorf("encode the marker body of agent %s: %w", spec.agent, err)
	}
	out.marker = b
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
