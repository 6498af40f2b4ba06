package main

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/quorate/quorate/internal/resultschema"
)

// The central rejects what does not decode, so every body must decode into
// results of its agent, the marker body ending with the marker endpoint.
func TestBodiesDecodeAsProbeResultsOfTheirAgent(t *testing.T) {
	bulk, marker := benchEndpoints(7)
	b, err := buildBodies(bodySpec{agent: "agent-03", endpoints: bulk, perBody: 5, pool: 3, failRatio: 0.3, seed: 3}, marker)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.bulk) != 3 || b.perBody != 5 {
		t.Fatalf("%d bulk bodies of %d results, want 3 of 5", len(b.bulk), b.perBody)
	}
	var keys []string
	failed := 0
	markerBody, err := b.markerBody(42)
	if err != nil {
		t.Fatal(err)
	}
	var markerExpiry time.Time
	for i, body := range append(append([][]byte{}, b.bulk...), markerBody) {
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		results, err := resultschema.DecodeLogs(req.Logs())
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		if len(results) != 5 {
			t.Fatalf("body %d: %d results, want 5", i, len(results))
		}
		for _, r := range results {
			if r.AgentID != "agent-03" {
				t.Errorf("body %d: agent %q, want agent-03", i, r.AgentID)
			}
			if len(r.Result.ConditionResults) != 2 {
				t.Errorf("body %d: %d condition results, want 2 (verify counts on it)", i, len(r.Result.ConditionResults))
			}
			if !r.Result.Success {
				failed++
			}
			if r.Result.CertificateExpiration != 0 {
				if r.Key != markerKey() {
					t.Errorf("bulk result of %s reports a certificate", r.Key)
				}
				markerExpiry = r.Result.Timestamp.Add(r.Result.CertificateExpiration)
			}
			keys = append(keys, r.Key)
		}
	}
	// Bulk bodies walk the endpoints in order across bodies.
	for i, want := range []string{"bench_ep-00001", "bench_ep-00002", "bench_ep-00007", "bench_ep-00001"} {
		if got := keys[[]int{0, 1, 6, 7}[i]]; got != want {
			t.Errorf("result %d: key %q, want %q", []int{0, 1, 6, 7}[i], got, want)
		}
	}
	if last := keys[len(keys)-1]; last != markerKey() {
		t.Errorf("the marker body ends with %q, want %q", last, markerKey())
	}
	if d := markerExpiry.Sub(markerEpoch.Add(42 * time.Second)); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("marker 42 reports a certificate expiring at %s, want %s", markerExpiry, markerEpoch.Add(42*time.Second))
	}
	if failed == 0 || failed == len(keys) {
		t.Errorf("%d of %d results failed, want some but not all", failed, len(keys))
	}
}

func TestBuildBodiesRefusesBodiesWithoutRoomForAMarker(t *testing.T) {
	bulk, marker := benchEndpoints(2)
	for _, spec := range []bodySpec{
		{agent: "a", endpoints: bulk, perBody: 1, pool: 1},
		{agent: "a", endpoints: nil, perBody: 5, pool: 1},
		{agent: "a", endpoints: bulk, perBody: 5, pool: 0},
	} {
		if _, err := buildBodies(spec, marker); err == nil {
			t.Errorf("%d per body, %d endpoints, %d bodies: no error", spec.perBody, len(spec.endpoints), spec.pool)
		}
	}
}
