package monitoring

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/quorate/quorate/internal/endpoint"
)

const checksumBase = `
agents:
  - {id: eu, token: "${TOKEN_EU}"}
  - {id: us, token: "${TOKEN_US}"}
  - {id: idle, token: idle-token}
endpoints:
  - name: zeta
    url: http://127.0.0.1/zeta
    headers: {B: "2", A: "1", C: "3"}
    monitored-by: [eu, us]
    conditions: ["[STATUS] == 200"]
    alerts:
      - type: slack
        agent-quorum: 2
    maintenance-windows:
      - {start: "02:00", duration: 1h}
  - name: alpha
    url: http://127.0.0.1/alpha
    monitored-by: [eu]
    conditions: ["[STATUS] == 200"]
  - name: off
    url: http://127.0.0.1/off
    enabled: false
    monitored-by: [us]
    conditions: ["[STATUS] == 200"]
`

func mustParse(t *testing.T, yaml string) *Config {
	t.Helper()
	cfg, err := parse([]byte(yaml), lookupIn(testEnv))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}

func TestAssignmentsAreSlimAndOrdered(t *testing.T) {
	cfg := mustParse(t, checksumBase)
	eu := cfg.Assignments("eu")
	if len(eu) != 2 || eu[0].Key() != "_alpha" || eu[1].Key() != "_zeta" {
		t.Fatalf("eu's assignments = %v, want _alpha then _zeta", keys(eu))
	}
	if us := cfg.Assignments("us"); len(us) != 1 || us[0].Key() != "_zeta" {
		t.Errorf("us's assignments = %v, want only _zeta (off is disabled)", keys(us))
	}
	if idle := cfg.Assignments("idle"); idle == nil || len(idle) != 0 {
		t.Errorf("idle's assignments = %v, want an empty list", idle)
	}
	if cfg.Assignments("nobody") != nil || cfg.AssignmentsChecksum("nobody") != "" {
		t.Error("an unknown agent has assignments")
	}
	body, err := json.Marshal(eu)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"alert", "slack", "quorum", "maintenance", "monitored-by", testEnv["TOKEN_EU"], "02:00"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("assignment JSON contains %q: %s", leak, body)
		}
	}
	if !cfg.IsAssigned("eu", "_zeta") || cfg.IsAssigned("eu", "_off") || cfg.IsAssigned("us", "_alpha") || cfg.IsAssigned("nobody", "_zeta") {
		t.Error("IsAssigned disagrees with monitored-by and enabled")
	}
}

func keys(list []endpoint.Endpoint) []string {
	out := make([]string, len(list))
	for i := range list {
		out[i] = list[i].Key()
	}
	return out
}

func TestChecksumsAreStableAcrossReloads(t *testing.T) {
	first := mustParse(t, checksumBase)
	for range 20 { // map iteration order differs between runs
		again := mustParse(t, checksumBase)
		for _, id := range []string{"eu", "us", "idle"} {
			if first.AssignmentsChecksum(id) != again.AssignmentsChecksum(id) || first.AssignmentsChecksum(id) == "" {
				t.Fatalf("assignments checksum of %s changed without a config change", id)
			}
		}
		for _, key := range []string{"_zeta", "_alpha", "_off"} {
			if first.EndpointChecksum(key) != again.EndpointChecksum(key) || first.EndpointChecksum(key) == "" {
				t.Fatalf("endpoint checksum of %s changed without a config change", key)
			}
		}
	}
	if len(first.AssignmentsChecksum("eu")) != 64 {
		t.Errorf("checksum %q is not hex SHA-256", first.AssignmentsChecksum("eu"))
	}
}

func TestChecksumsFollowChanges(t *testing.T) {
	base := mustParse(t, checksumBase)
	tests := []struct {
		name            string
		from, to        string
		endpointChanges bool // of _zeta
		euChanges       bool
		usChanges       bool
	}{
		{name: "condition change", from: `conditions: ["[STATUS] == 200"]
    alerts:`, to: `conditions: ["[STATUS] == 201"]
    alerts:`, endpointChanges: true, euChanges: true, usChanges: true},
		{name: "alert threshold change", from: "agent-quorum: 2", to: "agent-quorum: 2\n        failure-threshold: 4", endpointChanges: true},
		{name: "agent-quorum change", from: "agent-quorum: 2", to: "agent-quorum: 1", endpointChanges: true},
		{name: "monitored-by change", from: "monitored-by: [eu, us]", to: "monitored-by: [eu, us, idle]", endpointChanges: true},
		{name: "monitored-by drops an agent", from: "monitored-by: [eu, us]\n    conditions: [\"[STATUS] == 200\"]\n    alerts:\n      - type: slack\n        agent-quorum: 2", to: "monitored-by: [us]\n    conditions: [\"[STATUS] == 200\"]\n    alerts:\n      - type: slack", endpointChanges: true, euChanges: true},
		{name: "monitored-by reorder", from: "monitored-by: [eu, us]", to: "monitored-by: [us, eu]"},
		{name: "maintenance window change", from: `{start: "02:00", duration: 1h}`, to: `{start: "03:00", duration: 2h}`},
		{name: "header order", from: `{B: "2", A: "1", C: "3"}`, to: `{C: "3", A: "1", B: "2"}`},
		{name: "other endpoint only for eu", from: "url: http://127.0.0.1/alpha", to: "url: http://127.0.0.1/alpha2", euChanges: true},
		{name: "token change", from: `"${TOKEN_EU}"`, to: "other-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(checksumBase, tt.from) {
				t.Fatalf("base config lacks %q", tt.from)
			}
			changed := mustParse(t, strings.Replace(checksumBase, tt.from, tt.to, 1))
			if got := changed.EndpointChecksum("_zeta") != base.EndpointChecksum("_zeta"); got != tt.endpointChanges {
				t.Errorf("endpoint checksum changed = %v, want %v", got, tt.endpointChanges)
			}
			if got := changed.AssignmentsChecksum("eu") != base.AssignmentsChecksum("eu"); got != tt.euChanges {
				t.Errorf("eu's assignments checksum changed = %v, want %v", got, tt.euChanges)
			}
			if got := changed.AssignmentsChecksum("us") != base.AssignmentsChecksum("us"); got != tt.usChanges {
				t.Errorf("us's assignments checksum changed = %v, want %v", got, tt.usChanges)
			}
		})
	}
}
