package state

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/quorum/internal/monitoring"
)

func TestConfigFromMonitoring(t *testing.T) {
	mc, err := monitoring.Parse([]byte(`
agents:
  - {id: eu, token: eu-token, stale-after: 2m}
  - {id: us, token: us-token}
endpoints:
  - name: api
    group: core
    url: http://127.0.0.1/api
    monitored-by: [eu, us]
    conditions: ["[STATUS] == 200"]
    alerts:
      - {type: slack, agent-quorum: 2, description: down}
      - {type: email, enabled: false}
      - {type: pagerduty, failure-threshold: 5, minimum-reminder-interval: 10m, send-on-resolved: true}
  - name: off
    url: http://127.0.0.1/off
    enabled: false
    monitored-by: [us]
    conditions: ["[STATUS] == 200"]
`))
	if err != nil {
		t.Fatal(err)
	}
	c := ConfigFrom(mc)
	wantAgents := []AgentConfig{{ID: "eu", StaleAfter: 2 * time.Minute}, {ID: "us", StaleAfter: 5 * time.Minute}}
	if !slices.Equal(c.Agents, wantAgents) {
		t.Errorf("agents = %+v", c.Agents)
	}
	if len(c.Endpoints) != 1 {
		t.Fatalf("endpoints = %+v, want only the enabled one", c.Endpoints)
	}
	ep := c.Endpoints[0]
	wantAlerts := []AlertConfig{
		{Index: 0, Type: "slack", Description: "down", FailureThreshold: 3, SuccessThreshold: 2, Quorum: 2},
		{Index: 2, Type: "pagerduty", FailureThreshold: 5, SuccessThreshold: 2, SendOnResolved: true, MinimumReminderInterval: 10 * time.Minute, Quorum: 1},
	}
	if ep.Key != "core_api" || ep.Checksum != mc.EndpointChecksum("core_api") || ep.Checksum == "" ||
		!slices.Equal(ep.Agents, []string{"eu", "us"}) || !slices.Equal(ep.Alerts, wantAlerts) {
		t.Errorf("endpoint = %+v", ep)
	}
	if _, err := New(c); err != nil {
		t.Errorf("machine refused a loaded config: %v", err)
	}
}

func TestConcurrentObservers(t *testing.T) {
	cfg := threeAgents(alert(2))
	m := newMachine(t, cfg)
	var wg sync.WaitGroup
	for _, agent := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				if _, err := m.Observe(Observation{EndpointKey: "api", AgentID: agent, Success: agent == "c", At: t0.Add(time.Duration(i) * time.Second)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 100 {
			m.Tick(t0.Add(time.Duration(i)*time.Second), nil)
			_ = m.Snapshot()
			_ = m.Endpoints()
		}
	}()
	wg.Wait()
	s, _ := m.Endpoint("api")
	if !s.Alerts[0].Firing || s.Agents[0].Failures != 1000 || s.Agents[2].Successes != 1000 {
		t.Errorf("status after concurrent observers = %+v", s)
	}
}
