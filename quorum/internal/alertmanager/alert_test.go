package alertmanager

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestIncidentRendering(t *testing.T) {
	base := incident{
		endpointKey: "core_api", endpointName: "api", endpointGroup: "core",
		alertIndex: 1, alertType: "slack", sendOnResolved: true,
		firedAt:   time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC),
		triggered: 2, quorum: 2, monitors: 3,
		triggeredAgents: []string{"eu-west", "us"},
		failures:        [][]string{{"connection refused", "[CONNECTED] == true"}, nil},
	}
	tests := []struct {
		name     string
		change   func(in *incident)
		resolved bool
		want     map[string]string
	}{
		{
			name: "firing names the triggered agents and what the ones with a failure saw",
			want: map[string]string{
				"summary":          "core/api: 2 of 3 agents failing (agent-quorum 2)",
				"triggered_agents": "eu-west,us",
				"quorum":           "2/3",
				"failures":         "eu-west: connection refused; [CONNECTED] == true",
			},
		},
		{
			name:     "resolved says recovered and lists who is still triggered",
			change:   func(in *incident) { in.triggered, in.triggeredAgents, in.failures = 0, nil, nil },
			resolved: true,
			want: map[string]string{
				"summary": "core/api: recovered, 0 of 3 agents failing (agent-quorum 2)",
				"quorum":  "2/3",
			},
		},
		{
			name: "description and stale agents when there are some; no group, no slash",
			change: func(in *incident) {
				in.endpointGroup, in.description, in.staleAgents = "", "pay the bills", []string{"ap"}
				in.failures = nil
			},
			want: map[string]string{
				"summary":          "api: 2 of 3 agents failing (agent-quorum 2)",
				"description":      "pay the bills",
				"triggered_agents": "eu-west,us",
				"stale_agents":     "ap",
				"quorum":           "2/3",
			},
		},
		{
			name:     "an alert whose endpoint left the config says so",
			change:   func(in *incident) { *in = incident{endpointName: "api", endpointGroup: "core", removed: true} },
			resolved: true,
			want:     map[string]string{"summary": "core/api: no longer in the monitoring config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			if tt.change != nil {
				tt.change(&in)
			}
			assert.Equal(t, tt.want, in.annotations(tt.resolved))
		})
	}
}

func TestLabelsAreTheIdentityAndLeaveEmptyValuesOut(t *testing.T) {
	in := incident{endpointKey: "_web", endpointName: "web", alertIndex: 0, alertType: "pagerduty"}
	assert.Equal(t, map[string]string{
		"alertname": "QuorateQuorumFiring", "endpoint_key": "_web", "endpoint_name": "web",
		"alert_type": "pagerduty", "alert_index": "0", "send_on_resolved": "false", "team": "sre",
	}, in.labels(map[string]string{"team": "sre"}))
}

func TestFailuresAreBounded(t *testing.T) {
	long := strings.Repeat("é", 300) // two bytes each: the cut must not split one
	in := incident{
		triggeredAgents: []string{"eu"},
		failures:        [][]string{{long, "b", "c", "d", "e", "f", "g"}},
	}
	got := in.failureText()
	first := strings.SplitN(strings.TrimPrefix(got, "eu: "), "; ", 2)[0]
	assert.LessOrEqual(t, len(first), maxFailureLen)
	assert.True(t, utf8.ValidString(first))
	assert.True(t, strings.HasSuffix(first, "…"))
	assert.True(t, strings.HasSuffix(got, "; e; and 2 more"), got)
}
