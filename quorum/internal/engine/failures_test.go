package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
)

func TestLastFailureKeepsWhatTheLatestFailedResultReported(t *testing.T) {
	h := newHarness(t, driverCases[0])
	ingest := func(agent string, r result.Result) {
		t.Helper()
		d := decoded(agent, keyAPI, r.Success, t0)
		d.Result = r
		if _, err := h.eng.Ingest(context.Background(), agent, []resultschema.Decoded{d}); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.eng.LastFailure(keyAPI, "eu"); got != nil {
		t.Fatalf("before any result: %q, want nil", got)
	}
	ingest("eu", result.Result{
		Errors: []string{"dial tcp 127.0.0.1:1: connection refused"},
		ConditionResults: []result.ConditionResult{
			{Condition: "[CONNECTED] == true"},
			{Condition: "[RESPONSE_TIME] (0) < 300", Success: true},
		},
	})
	want := []string{"dial tcp 127.0.0.1:1: connection refused", "[CONNECTED] == true"}
	if got := h.eng.LastFailure(keyAPI, "eu"); !slices.Equal(got, want) {
		t.Fatalf("after a failure: %q, want %q", got, want)
	}
	// A success keeps it: the agent may still be triggered.
	ingest("eu", result.Result{Success: true, ConditionResults: []result.ConditionResult{{Condition: "[CONNECTED] == true", Success: true}}})
	if got := h.eng.LastFailure(keyAPI, "eu"); !slices.Equal(got, want) {
		t.Fatalf("after a success: %q, want %q", got, want)
	}
	if got := h.eng.LastFailure(keyAPI, "us"); got != nil {
		t.Fatalf("another agent: %q, want nil", got)
	}
	st, ok := h.eng.Endpoint(keyAPI)
	if !ok || st.Key != keyAPI || len(st.Agents) != 3 {
		t.Fatalf("Endpoint(%q) = %+v, %v; want its status with 3 agents", keyAPI, st, ok)
	}
	if _, ok := h.eng.Endpoint("nope"); ok {
		t.Fatal("Endpoint of an unknown key reported ok")
	}
}
