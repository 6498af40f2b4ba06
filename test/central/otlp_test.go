package central

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestRejectedResultsAreCountedAndNeverStored(t *testing.T) {
	c := startCentral(t)

	steps := []struct {
		name  string
		token string
		ld    []probe
		want  int
	}{
		{"own result is accepted", "central-test-eu", []probe{{"eu", "core_api", true}}, http.StatusOK},
		{"another agent's id in the record", "central-test-eu", []probe{{"us", "core_api", false}}, http.StatusForbidden},
		// Dropped and counted, but answered 200: assignments change under agents'
		// feet, and a refusal would stall the agent's queue behind this batch.
		{"an endpoint the agent is not assigned", "central-test-eu", []probe{{"eu", "_us-only", false}}, http.StatusOK},
		{"an unknown token", "central-test-mars", []probe{{"eu", "core_api", false}}, http.StatusUnauthorized},
		{"no token", "", []probe{{"eu", "core_api", false}}, http.StatusUnauthorized},
	}
	for _, s := range steps {
		if got := post(t, c, s.token, results(s.ld...)).StatusCode; got != s.want {
			t.Errorf("%s: status %d, want %d", s.name, got, s.want)
		}
	}

	// flood may send one request per 1000 s: the first passes, the rest
	// are answered 429 with Retry-After before their bodies are read.
	accepted, limited := 0, 0
	for range 10 {
		resp := post(t, c, "central-test-flood", results(probe{"flood", "_flooded", true}))
		switch resp.StatusCode {
		case http.StatusOK:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("429 with Retry-After %q, want whole seconds >= 1", resp.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("flood: status %d", resp.StatusCode)
		}
	}
	if accepted != 1 || limited != 9 {
		t.Fatalf("flood: %d accepted, %d limited; want 1 and 9", accepted, limited)
	}

	metrics := scrape(t, c.metrics)
	for _, want := range []string{
		`quorate_results_rejected_total{agent_id="eu",reason="agent_mismatch"} 1`,
		`quorate_results_rejected_total{agent_id="eu",reason="not_assigned"} 1`,
		`quorate_results_rejected_total{agent_id="flood",reason="rate_limited"} 9`,
		`quorate_results_rejected_total{agent_id="",reason="unauthenticated"} 2`,
		`quorate_results_total{agent_id="eu",endpoint_key="core_api",success="true"} 1`,
		`quorate_results_total{agent_id="flood",endpoint_key="_flooded",success="true"} 1`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, `quorate_results_total{agent_id="us",endpoint_key="core_api",success="false"} 1`) {
		t.Error("the result eu sent in us's name was counted as a result of us")
	}

	// Only accepted results reach the exporters.
	got := recorded(c.sink)
	want := []string{"quorate.probe.result core_api", "quorate.probe.result _flooded"}
	if !slices.Equal(got, want) {
		t.Errorf("exported %q, want %q", got, want)
	}

	c.stop() // flushes the store
	for _, row := range []struct {
		where string
		args  []any
		want  int
	}{
		{"1 = 1", nil, 2},
		{"r.agent_id = ?", []any{"us"}, 0},
		{"e.endpoint_key = ?", []any{"_us-only"}, 0},
		{"r.agent_id = ?", []any{"flood"}, 1},
		{"r.agent_id = ? AND e.endpoint_key = ?", []any{"eu", "core_api"}, 1},
	} {
		if n := countRows(t, c.db, row.where, row.args...); n != row.want {
			t.Errorf("rows where %s %v: %d, want %d", row.where, row.args, n, row.want)
		}
	}
}

func TestQuorumFiresAndResolvesOverTheWire(t *testing.T) {
	c := startCentral(t)
	for _, s := range []struct {
		token string
		agent string
		ok    bool
	}{
		{"central-test-eu", "eu", false},
		{"central-test-us", "us", false}, // 2 of 2 triggered: fired
		{"central-test-eu", "eu", false},
		{"central-test-us", "us", true}, // below quorum: resolved
	} {
		if got := post(t, c, s.token, results(probe{s.agent, "core_api", s.ok})).StatusCode; got != http.StatusOK {
			t.Fatalf("%s: status %d", s.agent, got)
		}
	}
	var transitions []string
	for _, r := range recorded(c.sink) {
		if strings.HasPrefix(r, "quorate.quorum.transition") {
			transitions = append(transitions, strings.TrimPrefix(r, "quorate.quorum.transition core_api "))
		}
	}
	want := []string{"agent_triggered eu", "degraded", "agent_triggered us", "degraded_cleared", "fired",
		"agent_cleared us", "resolved", "degraded"}
	if !slices.Equal(transitions, want) {
		t.Fatalf("transitions %q, want %q", transitions, want)
	}
	metrics := scrape(t, c.metrics)
	for _, w := range []string{
		`quorate_endpoint_alert_firing{endpoint_key="core_api"} 0`,
		`quorate_endpoint_degraded{endpoint_key="core_api"} 1`,
		`quorate_alert_transitions_total{endpoint_key="core_api",transition="fired"} 1`,
		`quorate_alert_transitions_total{endpoint_key="core_api",transition="resolved"} 1`,
	} {
		if !strings.Contains(metrics, w+"\n") {
			t.Errorf("metrics lack %s", w)
		}
	}
}
