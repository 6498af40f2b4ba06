package monitoring

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGatusConfigLoadsAsIs(t *testing.T) {
	// The alerting providers reference variables that are not set here:
	// Quorate does not use them, so they must not be required.
	for _, name := range []string{"SLACK_WEBHOOK_URL", "PAGERDUTY_INTEGRATION_KEY", "BACKUP_PUSH_TOKEN"} {
		if _, set := os.LookupEnv(name); set {
			t.Skipf("%s is set in this environment", name)
		}
	}
	cfg, err := Load("testdata/gatus.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	wantUnused := []string{
		"alerting.discord", "alerting.pagerduty", "alerting.slack",
		"concurrency", "connectivity", "endpoints.alerts.provider-override",
		"external-endpoints", "metrics", "security", "skip-invalid-config-update",
		"storage", "suites", "ui", "web", "x-defaults",
	}
	if !slices.Equal(cfg.Unused, wantUnused) {
		t.Errorf("Unused =\n%q\nwant\n%q", cfg.Unused, wantUnused)
	}

	if len(cfg.Endpoints) != 6 {
		t.Fatalf("got %d endpoints, want 6", len(cfg.Endpoints))
	}
	if len(cfg.Agents) != 1 || cfg.Agents[0].ID != LocalAgentID || !cfg.Agents[0].Implicit || !cfg.Agents[0].InProcess {
		t.Errorf("agents = %+v, want only the implicit in-process local agent", cfg.Agents)
	}

	web, ok := cfg.Endpoint("core_website")
	if !ok {
		t.Fatal("core_website not found")
	}
	if web.Interval != 30*time.Second || web.Client == nil || web.Client.Timeout != 5*time.Second {
		t.Errorf("merge key (<<) not applied: interval %s client %+v", web.Interval, web.Client)
	}
	if !slices.Equal(web.MonitoredBy, []string{LocalAgentID}) {
		t.Errorf("monitored-by = %v, want [local]", web.MonitoredBy)
	}
	wantAlerts := []Alert{
		// slack inherits its provider's default-alert, as in Gatus.
		{Type: "slack", Enabled: true, FailureThreshold: 5, SuccessThreshold: 3, SendOnResolved: true, Description: "health check failed", AgentQuorum: 1},
		// pagerduty keeps its own values and inherits the reminder interval.
		{Type: "pagerduty", Enabled: true, FailureThreshold: 3, SuccessThreshold: 2, SendOnResolved: true, MinimumReminderInterval: 30 * time.Minute, AgentQuorum: 1},
	}
	if !slices.Equal(web.Alerts, wantAlerts) {
		t.Errorf("alerts =\n%+v\nwant\n%+v", web.Alerts, wantAlerts)
	}
	if len(web.MaintenanceWindows) != 1 || web.MaintenanceWindows[0].Start != "02:00" {
		t.Errorf("maintenance windows = %+v", web.MaintenanceWindows)
	}

	api, _ := cfg.Endpoint("core_api")
	if api.Alerts[0].Enabled || api.Headers["Content-Type"] != "application/json" {
		t.Errorf("api: alert enabled %v, headers %v", api.Alerts[0].Enabled, api.Headers)
	}
	if cfg.Maintenance == nil || cfg.Maintenance.Timezone != "Europe/Amsterdam" {
		t.Errorf("global maintenance = %+v", cfg.Maintenance)
	}
	// The disabled gateway is not assigned to anyone.
	if cfg.IsAssigned(LocalAgentID, "_gateway") || !cfg.IsAssigned(LocalAgentID, "core_api") {
		t.Error("assignment of disabled/enabled endpoints is wrong")
	}
}

func TestAgentsAndDefaults(t *testing.T) {
	yaml := `
agents:
  - id: eu-west
    name: Frankfurt
    token: ${TOKEN_EU}
    rate-per-second: 12.5
  - id: us
    token: ${env:TOKEN_US}
    stale-after: 90s
  - id: idle
    token: idle-token
endpoints:
  - name: fast
    url: http://127.0.0.1/fast
    interval: 30s
    monitored-by: [eu-west, us]
    conditions: ["[STATUS] == 200"]
  - name: slow
    url: http://127.0.0.1/slow
    interval: 10m
    monitored-by: [eu-west]
    conditions: ["[STATUS] == 200"]
  - name: hourly
    url: http://127.0.0.1/hourly
    interval: 1h
    monitored-by: [us]
    conditions: ["[STATUS] == 200"]
`
	cfg, err := parse([]byte(yaml), lookupIn(testEnv))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id         string
		name       string
		token      string
		rate       float64
		staleAfter time.Duration
	}{
		// 3 x 30s is below the 5m floor.
		{id: "eu-west", name: "Frankfurt", token: testEnv["TOKEN_EU"], rate: 12.5, staleAfter: 5 * time.Minute},
		{id: "us", name: "us", token: testEnv["TOKEN_US"], rate: DefaultRatePerSecond, staleAfter: 90 * time.Second},
		// No endpoints: the floor.
		{id: "idle", name: "idle", token: "idle-token", rate: DefaultRatePerSecond, staleAfter: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a, ok := cfg.Agent(tt.id)
			if !ok {
				t.Fatal("agent not found")
			}
			if a.Name != tt.name || string(a.Token) != tt.token || a.RatePerSecond != tt.rate || a.StaleAfter != tt.staleAfter || a.InProcess || a.Implicit {
				t.Errorf("got name %q rate %v stale-after %s in-process %v implicit %v (token match %v)",
					a.Name, a.RatePerSecond, a.StaleAfter, a.InProcess, a.Implicit, string(a.Token) == tt.token)
			}
			if printed := fmt.Sprintf("%v %+v %#v %s", *a, *a, *a, a.Token); strings.Contains(printed, tt.token) {
				t.Error("printing the agent shows its token")
			}
		})
	}
	if _, ok := cfg.Agent(LocalAgentID); ok {
		t.Error("local was defined although no endpoint uses it")
	}
}

func TestStaleAfterDefaultFollowsTheShortestInterval(t *testing.T) {
	yaml := `
agents:
  - id: eu
    token: t
endpoints:
  - {name: a, url: http://127.0.0.1/a, interval: 4m, monitored-by: [eu], conditions: ["[STATUS] == 200"]}
  - {name: b, url: http://127.0.0.1/b, interval: 1h, monitored-by: [eu], conditions: ["[STATUS] == 200"]}
  - {name: c, url: http://127.0.0.1/c, interval: 1s, enabled: false, monitored-by: [eu], conditions: ["[STATUS] == 200"]}
`
	cfg, err := parse([]byte(yaml), lookupIn(testEnv))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Agent("eu")
	if a.StaleAfter != 12*time.Minute {
		t.Errorf("stale-after = %s, want 12m (3 x the shortest enabled interval)", a.StaleAfter)
	}
}

func TestImplicitLocalAgent(t *testing.T) {
	tests := []struct {
		name         string
		yaml         string
		wantLocal    bool
		wantImplicit bool
		wantInProc   bool
	}{
		{
			name:      "defined when an endpoint leaves monitored-by out",
			yaml:      twoAgents + "endpoints:\n  - {name: api, url: http://127.0.0.1, conditions: ['[STATUS] == 200']}\n",
			wantLocal: true, wantImplicit: true, wantInProc: true,
		},
		{
			name:      "defined when an endpoint lists local explicitly",
			yaml:      twoAgents + "endpoints:\n  - {name: api, url: http://127.0.0.1, monitored-by: [local, eu], conditions: ['[STATUS] == 200']}\n",
			wantLocal: true, wantImplicit: true, wantInProc: true,
		},
		{
			name: "not defined when every endpoint names other agents",
			yaml: twoAgents + oneEndpoint,
		},
		{
			name:      "declared local with a token is a remote agent",
			yaml:      "agents:\n  - {id: local, token: t}\nendpoints:\n  - {name: api, url: http://127.0.0.1, conditions: ['[STATUS] == 200']}\n",
			wantLocal: true,
		},
		{
			name:      "declared local without a token is in-process",
			yaml:      "agents:\n  - {id: local}\nendpoints:\n  - {name: api, url: http://127.0.0.1, conditions: ['[STATUS] == 200']}\n",
			wantLocal: true, wantInProc: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse([]byte(tt.yaml), lookupIn(testEnv))
			if err != nil {
				t.Fatal(err)
			}
			a, ok := cfg.Agent(LocalAgentID)
			if ok != tt.wantLocal {
				t.Fatalf("local defined = %v, want %v", ok, tt.wantLocal)
			}
			if ok && (a.Implicit != tt.wantImplicit || a.InProcess != tt.wantInProc) {
				t.Errorf("implicit %v in-process %v, want %v %v", a.Implicit, a.InProcess, tt.wantImplicit, tt.wantInProc)
			}
		})
	}
}

func TestEnvironmentExpansion(t *testing.T) {
	env := map[string]string{"HOST": "127.0.0.1", "PORT": "8080", "TOKEN": "abc"}
	tests := []struct {
		in, want string
		missing  []string
	}{
		{in: "http://${HOST}:${PORT}/", want: "http://127.0.0.1:8080/"},
		{in: "${env:TOKEN}", want: "abc"},
		{in: "Bearer ${TOKEN}${TOKEN}", want: "Bearer abcabc"},
		{in: "literal $${HOST} stays", want: "literal ${HOST} stays"},
		{in: "$HOST without braces stays", want: "$HOST without braces stays"},
		{in: "graphql ${ not a ref", want: "graphql ${ not a ref"},
		{in: "${1BAD} and ${a-b} stay", want: "${1BAD} and ${a-b} stay"},
		{in: "${MISSING} and ${env:MISSING} once", want: "${MISSING} and ${env:MISSING} once", missing: []string{"MISSING"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, missing := expandString(tt.in, lookupIn(env))
			if got != tt.want || !slices.Equal(missing, tt.missing) {
				t.Errorf("got %q missing %v, want %q missing %v", got, missing, tt.want, tt.missing)
			}
		})
	}
}

func TestExpandedValuesAreValuesNotYAML(t *testing.T) {
	// A variable whose value looks like YAML must not change the structure.
	env := map[string]string{"BODY": "a: b\n- c", "TOKEN": "0123"}
	yaml := "agents:\n  - {id: eu, token: '${TOKEN}'}\nendpoints:\n  - {name: api, url: http://127.0.0.1, body: '${BODY}', monitored-by: [eu], conditions: ['[STATUS] == 200']}\n"
	cfg, err := parse([]byte(yaml), lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := cfg.Endpoint("_api")
	a, _ := cfg.Agent("eu")
	if ep.Body != env["BODY"] || string(a.Token) != "0123" {
		t.Errorf("body %q token-is-text %v", ep.Body, string(a.Token) == "0123")
	}
}

func TestScalarsKeepTheirText(t *testing.T) {
	yaml := "endpoints:\n  - name: 1.10\n    url: http://127.0.0.1\n    headers: {X-Version: 010, X-On: yes}\n    conditions: ['[STATUS] == 200']\n"
	cfg, err := parse([]byte(yaml), lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	ep := cfg.Endpoints[0]
	if ep.Name != "1.10" || ep.Headers["X-Version"] != "010" || ep.Headers["X-On"] != "yes" {
		t.Errorf("name %q headers %v: scalars were reinterpreted", ep.Name, ep.Headers)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitoring.yaml")
	if err := os.WriteFile(path, []byte("endpoints: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name %s", err, path)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("a missing file loaded")
	}
}
