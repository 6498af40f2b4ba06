package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/quorate/quorate/quorum/internal/state"
)

func TestAgentsListing(t *testing.T) {
	cfg := parseConfig(t, baseYAML)
	api := startAPI(t, cfg, time.Hour)
	seen := time.Date(2026, 3, 1, 11, 59, 30, 0, time.FixedZone("CET", 3600))
	api.src.agents = []state.AgentStatus{
		{ID: "eu", LastSeen: seen, StaleAfter: 5 * time.Minute},
		{ID: "us", LastSeen: seen.Add(-time.Hour), Stale: true, StaleAfter: 90 * time.Second},
		// Removed from the config, still in the machine: not listed.
		{ID: "ghost", LastSeen: seen, StaleAfter: time.Minute},
		// idle was never seen and the machine does not know it yet.
	}

	// The listing is open: no Authorization header.
	r := api.do(t, http.MethodGet, AgentsPath, "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("Content-Type %q Cache-Control %q", r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
	}
	checkNoTokens(t, r)

	var got []map[string]any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body is not a JSON list: %v\n%s", err, r.body)
	}
	want := []map[string]any{
		{"id": "eu", "name": "Frankfurt", "last_seen": "2026-03-01T10:59:30Z", "stale": false, "stale_after": "5m0s"},
		{"id": "idle", "name": "idle", "last_seen": nil, "stale": false, "stale_after": "5m0s"},
		{"id": "us", "name": "us", "last_seen": "2026-03-01T09:59:30Z", "stale": true, "stale_after": "1m30s"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}
}

func TestAgentsListingWithoutStatuses(t *testing.T) {
	// Before the machine has seen anything, every agent of the config is
	// listed as never seen with the config's stale-after.
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	r := api.do(t, http.MethodGet, AgentsPath, "")
	var got []AgentResponse
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, a := range got {
		if a.LastSeen != nil || a.Stale || a.StaleAfter != "5m0s" {
			t.Errorf("agent %s = %+v, want never seen, not stale, 5m0s", a.ID, a)
		}
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"eu", "idle", "us"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}
