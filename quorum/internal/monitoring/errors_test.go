package monitoring

import (
	"strings"
	"testing"
)

// testEnv is the environment the table's configs see.
var testEnv = map[string]string{
	"TOKEN_EU":    "s3cret-eu-token",
	"TOKEN_US":    "s3cret-us-token",
	"EMPTY_TOKEN": "",
}

func lookupIn(env map[string]string) lookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// twoAgents declares eu and us; cases append endpoints below it.
const twoAgents = `
agents:
  - id: eu
    token: ${TOKEN_EU}
  - id: us
    token: ${env:TOKEN_US}
`

const oneEndpoint = `
endpoints:
  - name: api
    url: http://127.0.0.1:8080/health
    monitored-by: [eu, us]
    conditions: ["[STATUS] == 200"]
`

func TestParseErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
		// unwanted must not appear: a follow-on error of the real one.
		unwanted string
	}{
		// YAML and top level.
		{name: "empty file is refused", yaml: "", want: []string{"empty"}},
		{name: "top level list is refused", yaml: "- a\n- b\n", want: []string{"top level must be a mapping"}},
		{name: "duplicate key is refused", yaml: twoAgents + "agents: []\n" + oneEndpoint, want: []string{"agents is defined twice"}},
		{name: "missing endpoints is refused", yaml: twoAgents, want: []string{"endpoints: no endpoints"}},
		{name: "empty endpoints is refused", yaml: twoAgents + "endpoints: []\n", want: []string{"endpoints: no endpoints"}},
		{name: "endpoints not a list is refused", yaml: twoAgents + "endpoints: {name: api}\n", want: []string{"endpoints: expected a list"}},

		// Agents.
		{name: "agents not a list is refused", yaml: "agents: {id: eu}\n" + oneEndpoint, want: []string{"agents: expected a list"}},
		{name: "agent without id is refused", yaml: "agents:\n  - token: x\n" + oneEndpoint, want: []string{"agents[0]: id: is required"}},
		{name: "agent id with capitals and space is refused", yaml: "agents:\n  - id: EU West\n    token: x\n" + oneEndpoint, want: []string{`agents[0] "EU West": id: must be 1 to 63 lowercase`}},
		{name: "agent id starting with a dash is refused", yaml: "agents:\n  - id: -eu\n    token: x\n" + oneEndpoint, want: []string{`agents[0] "-eu": id:`}},
		{name: "agent id longer than 63 is refused", yaml: "agents:\n  - id: " + strings.Repeat("a", 64) + "\n    token: x\n" + oneEndpoint, want: []string{`agents[0] "aaaa`, "id: must be 1 to 63"}},
		{name: "duplicate agent id is refused", yaml: twoAgents + "  - id: eu\n    token: other\n" + oneEndpoint, want: []string{`agents[2] "eu": id: duplicates agents[0]`}},
		{name: "agent without token is refused", yaml: "agents:\n  - id: eu\n" + oneEndpoint, want: []string{`agents[0] "eu": token: is required`, "QUORATE_TOKEN_EU"}},
		{name: "agent with empty token is refused", yaml: "agents:\n  - id: eu\n    token: ''\n" + oneEndpoint, want: []string{`agents[0] "eu": token: is empty`}},
		{name: "token from a set but empty variable is refused", yaml: "agents:\n  - id: eu\n    token: ${EMPTY_TOKEN}\n" + oneEndpoint, want: []string{`agents[0] "eu": token: is empty`}},
		{name: "declared local with empty token is refused", yaml: "agents:\n  - id: local\n    token: ''\n" + oneEndpoint, want: []string{`agents[0] "local": token: is empty`}},
		{name: "token from an unset variable is refused", yaml: "agents:\n  - id: eu\n    token: ${QUORATE_TOKEN_EU}\n" + oneEndpoint, want: []string{"agents[0].token: environment variable QUORATE_TOKEN_EU is not set"}, unwanted: "is empty"},
		{name: "duplicate token is refused without printing it", yaml: twoAgents + "  - id: ap\n    token: ${TOKEN_EU}\n" + oneEndpoint, want: []string{`agents[2] "ap": token duplicates agents[0]'s token`}},
		{name: "zero rate is refused", yaml: "agents:\n  - id: eu\n    token: x\n    rate-per-second: 0\n" + oneEndpoint, want: []string{`agents[0] "eu": rate-per-second: 0 must be a number greater than 0`}},
		{name: "negative rate is refused", yaml: "agents:\n  - id: eu\n    token: x\n    rate-per-second: -5\n" + oneEndpoint, want: []string{`agents[0] "eu": rate-per-second: -5`}},
		{name: "rate that is not a number is refused", yaml: "agents:\n  - id: eu\n    token: x\n    rate-per-second: fast\n" + oneEndpoint, want: []string{`agents[0] "eu": rate-per-second: "fast" is not a number`}},
		{name: "zero stale-after is refused", yaml: "agents:\n  - id: eu\n    token: x\n    stale-after: 0s\n" + oneEndpoint, want: []string{`agents[0] "eu": stale-after: 0s must be greater than 0`}},
		{name: "negative stale-after is refused", yaml: "agents:\n  - id: eu\n    token: x\n    stale-after: -1m\n" + oneEndpoint, want: []string{`agents[0] "eu": stale-after: -1m0s must be greater than 0`}},
		{name: "stale-after without unit is refused", yaml: "agents:\n  - id: eu\n    token: x\n    stale-after: 300\n" + oneEndpoint, want: []string{`agents[0] "eu": stale-after: "300" is not a duration`}},
		{name: "unknown agent key is refused", yaml: "agents:\n  - id: eu\n    tokne: x\n" + oneEndpoint, want: []string{`agents[0] "eu": tokne: unknown key`}},

		// Endpoints.
		{name: "endpoint that is not a mapping is refused", yaml: twoAgents + "endpoints:\n  - api\n", want: []string{"endpoints[0]: expected a mapping"}},
		{name: "unknown agent in monitored-by is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[eu, us]", "[eu, mars]", 1), want: []string{`endpoints[0] "api": monitored-by: unknown agent "mars"`, "declared: eu, us"}},
		{name: "empty monitored-by is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[eu, us]", "[]", 1), want: []string{`endpoints[0] "api": monitored-by: is empty`}},
		{name: "agent listed twice in monitored-by is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[eu, us]", "[eu, eu]", 1), want: []string{`endpoints[0] "api": monitored-by: lists "eu" twice`}},
		{name: "monitored-by that is not a list is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[eu, us]", "{eu: 1}", 1), want: []string{`endpoints[0] "api": monitored-by: expected a list`}},
		{name: "unknown endpoint key is refused", yaml: twoAgents + oneEndpoint + "    urll: x\n", want: []string{`endpoints[0] "api": urll: unknown key`}},
		{name: "unknown nested endpoint key is refused", yaml: twoAgents + oneEndpoint + "    client:\n      timeuot: 5s\n", want: []string{`endpoints[0] "api": client.timeuot: unknown key`}},
		{name: "key in wrong case is refused", yaml: twoAgents + oneEndpoint + "    Interval: 5s\n", want: []string{`endpoints[0] "api": Interval: unknown key`}},
		{name: "interval that is not a duration is refused", yaml: twoAgents + oneEndpoint + "    interval: often\n", want: []string{`endpoints[0] "api": interval: "often" is not a duration`}},
		{name: "conditions given as text are refused", yaml: twoAgents + strings.Replace(oneEndpoint, `conditions: ["[STATUS] == 200"]`, `conditions: "[STATUS] == 200"`, 1), want: []string{`endpoints[0] "api": conditions: expected a list, got text`}},
		{name: "client given as a number is refused", yaml: twoAgents + oneEndpoint + "    client: 5\n", want: []string{`endpoints[0] "api": client: expected a mapping, got text`}},
		{name: "alert given as text is refused", yaml: twoAgents + oneEndpoint + "    alerts: [slack]\n", want: []string{`endpoints[0] "api": alerts[0]: expected a mapping, got text`}},
		{name: "agent given as text is refused", yaml: "agents: [eu]\n" + oneEndpoint, want: []string{`agents[0]: expected a mapping, got text`}},
		{name: "headers given as a list are refused", yaml: twoAgents + oneEndpoint + "    headers: [a, b]\n", want: []string{`endpoints[0] "api": headers: expected a mapping, got a list`}},
		{name: "invalid condition is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[STATUS] == 200", "[STATUS]==200", 1), want: []string{`endpoints[0] "api": conditions[0]: "[STATUS]==200"`, "invalid condition format"}},
		{name: "endpoint without url is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "url: http://127.0.0.1:8080/health", "method: GET", 1), want: []string{`endpoints[0] "api": url is required`}},
		{name: "endpoint without name is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "name: api", "group: core", 1), want: []string{`endpoints[0]: name is required`}},
		{name: "domain expiration with short interval is refused", yaml: twoAgents + strings.Replace(oneEndpoint, "[STATUS] == 200", "[DOMAIN_EXPIRATION] > 720h", 1), want: []string{`endpoints[0] "api": interval: 1m0s is below 5m0s`}},
		{name: "duplicate endpoint key is refused", yaml: twoAgents + oneEndpoint + strings.TrimPrefix(oneEndpoint, "\nendpoints:\n"), want: []string{`endpoints[1] "api": group and name give the key "_api"`, "endpoints[0]"}},
		{name: "unset variable in a header is refused", yaml: twoAgents + oneEndpoint + "    headers:\n      Authorization: Bearer ${API_TOKEN}\n", want: []string{"endpoints[0].headers.Authorization: environment variable API_TOKEN is not set"}},

		// Alerts.
		{name: "alerts that are not a list are refused", yaml: twoAgents + oneEndpoint + "    alerts: {type: slack}\n", want: []string{`endpoints[0] "api": alerts: expected a list`}},
		{name: "agent-quorum above monitored-by is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n      - type: pagerduty\n        agent-quorum: 3\n", want: []string{`endpoints[0] "api": alerts[1].agent-quorum: 3 must be between 1 and 2`}},
		{name: "zero agent-quorum is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        agent-quorum: 0\n", want: []string{`endpoints[0] "api": alerts[0].agent-quorum: 0 must be between 1 and 2`}},
		{name: "agent-quorum above default monitored-by is refused", yaml: "endpoints:\n  - name: api\n    url: http://127.0.0.1\n    conditions: ['[STATUS] == 200']\n    alerts:\n      - type: slack\n        agent-quorum: 2\n", want: []string{`endpoints[0] "api": alerts[0].agent-quorum: 2 must be between 1 and 1`}},
		{name: "agent-quorum inherited from default-alert names its origin", yaml: "alerting:\n  slack:\n    default-alert:\n      agent-quorum: 3\n" + twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n", want: []string{`endpoints[0] "api": alerts[0].agent-quorum: 3 (set by alerting.slack.default-alert) must be between 1 and 2`}},
		{name: "negative failure-threshold is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        failure-threshold: -1\n", want: []string{`endpoints[0] "api": alerts[0].failure-threshold: -1 must be at least 1`}},
		{name: "negative success-threshold is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        success-threshold: -2\n", want: []string{`endpoints[0] "api": alerts[0].success-threshold: -2 must be at least 1`}},
		{name: "reminder interval below 5m is refused as in gatus", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        minimum-reminder-interval: 1m\n", want: []string{`endpoints[0] "api": alerts[0].minimum-reminder-interval: 1m0s must be at least 5m0s`}},
		{name: "description with a quote is refused as in gatus", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        description: 'say \"hi\"'\n", want: []string{`endpoints[0] "api": alerts[0].description: must not contain`}},
		{name: "alert without type is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - failure-threshold: 2\n", want: []string{`endpoints[0] "api": alerts[0].type: is required`}},
		{name: "unknown alert key is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        failure-treshold: 2\n", want: []string{`endpoints[0] "api": alerts[0].failure-treshold: unknown key`}},
		{name: "alert enabled that is not a boolean is refused", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        enabled: maybe\n", want: []string{`endpoints[0] "api": alerts[0].enabled: "maybe" is not a boolean`}},
		{name: "unknown default-alert key is refused", yaml: "alerting:\n  slack:\n    default-alert:\n      treshold: 2\n" + twoAgents + oneEndpoint, want: []string{"alerting.slack.default-alert.treshold: unknown key"}},
		{name: "bad default-alert reminder interval is refused", yaml: "alerting:\n  slack:\n    default-alert:\n      minimum-reminder-interval: 10s\n" + twoAgents + oneEndpoint, want: []string{"alerting.slack.default-alert.minimum-reminder-interval: 10s must be at least 5m0s"}},

		// Maintenance.
		{name: "maintenance start without colon is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '2300'\n  duration: 1h\n", want: []string{`maintenance.start: "2300" must be hh:mm`}},
		{name: "maintenance start past 23:59 is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '24:00'\n  duration: 1h\n", want: []string{`maintenance.start: "24:00"`}},
		{name: "maintenance without duration is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '23:00'\n", want: []string{"maintenance.duration: 0s must be more than 0"}},
		{name: "maintenance longer than a day is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '23:00'\n  duration: 25h\n", want: []string{"maintenance.duration: 25h0m0s"}},
		{name: "maintenance with unknown zone is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '23:00'\n  duration: 1h\n  timezone: Mars/Olympus\n", want: []string{`maintenance.timezone: "Mars/Olympus" is not an IANA time zone`}},
		{name: "maintenance with unknown day is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '23:00'\n  duration: 1h\n  every: [Monday, monday]\n", want: []string{`maintenance.every[1]: "monday" is not a day`}},
		{name: "unknown maintenance key is refused", yaml: twoAgents + oneEndpoint + "maintenance:\n  start: '23:00'\n  duration: 1h\n  on: [Monday]\n", want: []string{"maintenance.on: unknown key"}},
		{name: "bad endpoint maintenance window is refused", yaml: twoAgents + oneEndpoint + "    maintenance-windows:\n      - start: '7:00'\n        duration: 1h\n", want: []string{`endpoints[0] "api": maintenance-windows[0].start: "7:00" must be hh:mm`}},
		{name: "endpoint maintenance windows that are not a list are refused", yaml: twoAgents + oneEndpoint + "    maintenance-windows: {start: '07:00'}\n", want: []string{`endpoints[0] "api": maintenance-windows: expected a list`}},

		// Several problems at once.
		{name: "every problem is reported at once", yaml: "agents:\n  - id: eu\n    rate-per-second: 0\n" + strings.Replace(oneEndpoint, "[eu, us]", "[eu, us]", 1), want: []string{
			`agents[0] "eu": token: is required`,
			`agents[0] "eu": rate-per-second`,
			`endpoints[0] "api": monitored-by: unknown agent "us"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse([]byte(tt.yaml), lookupIn(testEnv))
			if err == nil {
				t.Fatalf("parse succeeded with %d endpoints; want an error containing %q", len(cfg.Endpoints), tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if tt.unwanted != "" && strings.Contains(err.Error(), tt.unwanted) {
				t.Errorf("error contains %q:\n%v", tt.unwanted, err)
			}
			for name, secret := range testEnv {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error prints the value of %s:\n%v", name, err)
				}
			}
		})
	}
}

func TestValidVariantsParse(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{name: "minimal endpoint without agents uses implicit local", yaml: "endpoints:\n  - name: api\n    url: http://127.0.0.1\n    conditions: ['[STATUS] == 200']\n"},
		{name: "declared local without token is accepted", yaml: "agents:\n  - id: local\n    stale-after: 10m\nendpoints:\n  - name: api\n    url: http://127.0.0.1\n    conditions: ['[STATUS] == 200']\n"},
		{name: "disabled maintenance is not checked as in gatus", yaml: twoAgents + oneEndpoint + "maintenance:\n  enabled: false\n  start: nonsense\n"},
		{name: "null monitored-by means local", yaml: "endpoints:\n  - name: api\n    url: http://127.0.0.1\n    monitored-by:\n    conditions: ['[STATUS] == 200']\n"},
		{name: "agent-quorum equal to monitored-by is accepted", yaml: twoAgents + oneEndpoint + "    alerts:\n      - type: slack\n        agent-quorum: 2\n"},
		{name: "unknown top level key is accepted", yaml: twoAgents + oneEndpoint + "announcements: []\n"},
		{name: "alerting that is not a mapping is accepted", yaml: twoAgents + oneEndpoint + "alerting: none\n"},
		{name: "domain expiration with 5m interval is accepted", yaml: twoAgents + strings.Replace(oneEndpoint, "[STATUS] == 200", "[DOMAIN_EXPIRATION] > 720h", 1) + "    interval: 5m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parse([]byte(tt.yaml), lookupIn(testEnv)); err != nil {
				t.Fatalf("parse: %v", err)
			}
		})
	}
}
