package dashboards

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// rule is one recording or alerting rule of a Prometheus rule file.
type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type ruleGroup struct {
	Name  string `yaml:"name"`
	Rules []rule `yaml:"rules"`
}

// ruleUnitTests is the part of a promtool test file the coverage checks read.
type ruleUnitTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name      string `yaml:"name"`
		AlertTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
		ExprTest []struct {
			Expr       string `yaml:"expr"`
			ExpSamples []any  `yaml:"exp_samples"`
		} `yaml:"promql_expr_test"`
	} `yaml:"tests"`
}

// requiredAlerts are the alerts issue 5 asks for.
var requiredAlerts = []string{
	"QuorateEndpointQuorumFiring",
	"QuorateEndpointDegraded",
	"QuorateEndpointCannotReachQuorum",
	"QuorateAgentStale",
	"QuorateCertificateExpiringSoon",
}

var severities = []string{"critical", "warning", "info"}

// recordName follows Prometheus's level:metric:operations convention.
var recordName = regexp.MustCompile(`^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$`)

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadRules(t *testing.T) []rule {
	t.Helper()
	var file struct {
		Groups []ruleGroup `yaml:"groups"`
	}
	readYAML(t, rulesFile, &file)
	var rules []rule
	for _, g := range file.Groups {
		rules = append(rules, g.Rules...)
	}
	if len(rules) == 0 {
		t.Fatalf("%s: no rules", rulesFile)
	}
	return rules
}

func TestRulesPassPromtoolCheck(t *testing.T) {
	out := runPromtool(t, "prometheus", "check", "rules", "--lint=all", "--lint-fatal", "quorate-rules.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check rules did not report success:\n%s", out)
	}
}

// TestRulesUnitTestsPass runs the promtool unit tests, which evaluate every
// alert through fire and resolve and every recording rule's value.
func TestRulesUnitTestsPass(t *testing.T) {
	runPromtool(t, "prometheus", "test", "rules", "quorate-rules.test.yml")
}

func TestPrometheusExampleConfigPassesPromtool(t *testing.T) {
	runPromtool(t, "prometheus", "check", "config", "--lint=all", "--lint-fatal", "prometheus.example.yml")
}

func TestAlertsHaveForSeverityAndTemplatedAnnotations(t *testing.T) {
	rules := loadRules(t)
	var alerts []string
	for _, r := range rules {
		if r.Alert == "" {
			continue
		}
		alerts = append(alerts, r.Alert)
		t.Run(r.Alert, func(t *testing.T) {
			if d, err := model.ParseDuration(r.For); err != nil || d <= 0 {
				t.Errorf("for: %q: want a positive duration (err %v)", r.For, err)
			}
			if !slices.Contains(severities, r.Labels["severity"]) {
				t.Errorf("labels.severity = %q, want one of %v", r.Labels["severity"], severities)
			}
			for _, name := range []string{"summary", "description"} {
				a := r.Annotations[name]
				if !strings.Contains(a, "{{ $labels.") && !strings.Contains(a, "{{ $value") {
					t.Errorf("annotations.%s = %q: want it to name the endpoint or agent with {{ $labels.<label> }}", name, a)
				}
			}
		})
	}
	for _, want := range requiredAlerts {
		if !slices.Contains(alerts, want) {
			t.Errorf("%s has no alert %s", rulesFile, want)
		}
	}
}

func TestRecordingRuleNamesFollowConvention(t *testing.T) {
	for _, r := range loadRules(t) {
		if r.Record != "" && !recordName.MatchString(r.Record) {
			t.Errorf("record %q: want level:metric:operations (Prometheus's naming convention)", r.Record)
		}
	}
}

// TestEveryAlertIsTestedFiringThenResolved requires, for every alert, a
// unit test in which it fires at one eval time and is gone at a later one.
func TestEveryAlertIsTestedFiringThenResolved(t *testing.T) {
	var tests ruleUnitTests
	readYAML(t, rulesTestFile, &tests)
	type step struct {
		at     time.Duration
		firing bool
	}
	// firedThenResolved[alert] is true once some test shows both.
	firedThenResolved := map[string]bool{}
	for _, tc := range tests.Tests {
		steps := map[string][]step{}
		for _, a := range tc.AlertTest {
			at, err := model.ParseDuration(a.EvalTime)
			if err != nil {
				t.Fatalf("test %q: eval_time %q: %v", tc.Name, a.EvalTime, err)
			}
			steps[a.Alertname] = append(steps[a.Alertname], step{time.Duration(at), len(a.ExpAlerts) > 0})
		}
		for alert, s := range steps {
			sort.Slice(s, func(i, j int) bool { return s[i].at < s[j].at })
			for i, fired := range s {
				if fired.firing && slices.ContainsFunc(s[i+1:], func(later step) bool { return !later.firing }) {
					firedThenResolved[alert] = true
				}
			}
		}
	}
	for _, r := range loadRules(t) {
		if r.Alert != "" && !firedThenResolved[r.Alert] {
			t.Errorf("alert %s: no test in %s shows it firing and then resolved", r.Alert, rulesTestFile)
		}
	}
}

func TestEveryRecordingRuleHasItsValueTested(t *testing.T) {
	var tests ruleUnitTests
	readYAML(t, rulesTestFile, &tests)
	for _, r := range loadRules(t) {
		if r.Record == "" {
			continue
		}
		tested := false
		for _, tc := range tests.Tests {
			for _, e := range tc.ExprTest {
				if slices.Contains(scanPromQL(e.Expr).metrics, r.Record) && len(e.ExpSamples) > 0 {
					tested = true
				}
			}
		}
		if !tested {
			t.Errorf("record %s: no promql_expr_test in %s expects samples of it", r.Record, rulesTestFile)
		}
	}
}

// annotationQuery finds the PromQL format strings that annotation templates
// pass to query, e.g. printf "quorate_endpoint_agent_quorum{endpoint_key=%q}".
var annotationQuery = regexp.MustCompile(`printf\s+("(?:[^"\\]|\\.)*")`)

// ruleExpressions returns every PromQL expression of the rule file by a
// name for messages: rule expressions and the queries of their annotations,
// with %q filled in.
func ruleExpressions(t *testing.T) map[string]string {
	t.Helper()
	exprs := map[string]string{}
	for _, r := range loadRules(t) {
		name := r.Record + r.Alert
		exprs[name] = r.Expr
		for key, text := range r.Annotations {
			for i, m := range annotationQuery.FindAllStringSubmatch(text, -1) {
				format, err := strconv.Unquote(m[1])
				if err != nil {
					t.Fatalf("%s annotations.%s: %s: %v", name, key, m[1], err)
				}
				exprs[fmt.Sprintf("%s annotations.%s query %d", name, key, i+1)] = strings.ReplaceAll(format, "%q", `"core_api"`)
			}
		}
	}
	return exprs
}

// TestRuleMetricsAreDocumented keeps the rules on the central's metrics:
// every metric is in docs/metrics.md or recorded by the rules themselves;
// every label is one the metrics carry.
func TestRuleMetricsAreDocumented(t *testing.T) {
	documented := documentedMetrics(t)
	labels := documentedLabels(documented)
	recorded := map[string]bool{}
	for _, r := range loadRules(t) {
		if r.Record != "" {
			recorded[r.Record] = true
		}
	}
	for name, expr := range ruleExpressions(t) {
		refs := scanPromQL(expr)
		for _, m := range refs.metrics {
			if _, ok := documented[m]; !ok && !recorded[m] {
				t.Errorf("%s uses %s, which is not in %s", name, m, metricsDoc)
			}
		}
		for _, l := range refs.labels {
			if !labels[l] {
				t.Errorf("%s uses label %q, which no metric in %s has", name, l, metricsDoc)
			}
		}
	}
}

func TestAnnotationQueriesParse(t *testing.T) {
	exprs := map[string]string{}
	for name, expr := range ruleExpressions(t) {
		if strings.Contains(name, " query ") {
			exprs[name] = expr
		}
	}
	if len(exprs) == 0 {
		t.Fatal("found no annotation queries; has the template style changed?")
	}
	checkPromQLParses(t, exprs)
}
