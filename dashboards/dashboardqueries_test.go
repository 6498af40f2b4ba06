package dashboards

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dashboardQuery is one PromQL expression found in a dashboard.
type dashboardQuery struct {
	where string // JSON path, for messages
	expr  string // as written, with Grafana variables
	label string // for label_values(metric, label): the label asked for
}

// collectExprs walks any JSON value and returns every string under an
// "expr" key: panel targets, nested rows, annotations, whatever the layout.
func collectExprs(v any, path string) []dashboardQuery {
	var out []dashboardQuery
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if s, ok := child.(string); ok && k == "expr" {
				out = append(out, dashboardQuery{where: path + ".expr", expr: s})
				continue
			}
			out = append(out, collectExprs(child, path+"."+k)...)
		}
	case []any:
		for i, child := range v {
			out = append(out, collectExprs(child, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

var (
	labelValuesCall = regexp.MustCompile(`(?s)^\s*label_values\((.*)\)\s*$`)
	queryResultCall = regexp.MustCompile(`(?s)^\s*query_result\((.*)\)\s*$`)
	labelName       = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// variableQuery turns a Prometheus template variable's query (Grafana's
// label_values(...) and query_result(...) syntax, not PromQL) into the
// PromQL it runs.
func variableQuery(where, q string) (dashboardQuery, error) {
	if m := queryResultCall.FindStringSubmatch(q); m != nil {
		return dashboardQuery{where: where, expr: m[1]}, nil
	}
	m := labelValuesCall.FindStringSubmatch(q)
	if m == nil {
		return dashboardQuery{}, fmt.Errorf("%s: query %q: want label_values(metric, label) or query_result(expr)", where, q)
	}
	args := m[1]
	// The label is after the last comma outside braces and strings.
	cut := -1
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case '"', '\'', '`':
			i = skipString(args, i) - 1
		case '{':
			i = matching(args, i, '{', '}')
		case ',':
			cut = i
		}
	}
	if cut < 0 {
		return dashboardQuery{}, fmt.Errorf("%s: %q: label_values(label) over every metric is too broad; name a metric", where, q)
	}
	selector, label := strings.TrimSpace(args[:cut]), strings.TrimSpace(args[cut+1:])
	if !labelName.MatchString(label) {
		return dashboardQuery{}, fmt.Errorf("%s: %q: %q is not a label name", where, q, label)
	}
	return dashboardQuery{where: where, expr: selector, label: label}, nil
}

func TestVariableQueryReadsGrafanaSyntax(t *testing.T) {
	tests := []struct {
		query   string
		expr    string
		label   string
		wantErr bool
	}{
		{query: `label_values(quorate_results_total, endpoint_key)`, expr: `quorate_results_total`, label: "endpoint_key"},
		{query: `label_values(quorate_results_total{endpoint_key=~"a,b"}, agent_id)`, expr: `quorate_results_total{endpoint_key=~"a,b"}`, label: "agent_id"},
		{query: `query_result(topk(5, quorate_agent_stale))`, expr: `topk(5, quorate_agent_stale)`},
		{query: `label_values(agent_id)`, wantErr: true},
		{query: `label_values(quorate_results_total, agent-id)`, wantErr: true},
		{query: `metrics(quorate_.*)`, wantErr: true},
	}
	for _, tt := range tests {
		got, err := variableQuery("q", tt.query)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.query, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && (got.expr != tt.expr || got.label != tt.label) {
			t.Errorf("%s: expr %q label %q, want %q %q", tt.query, got.expr, got.label, tt.expr, tt.label)
		}
	}
}

// dashboardQueries returns every PromQL expression of a dashboard file:
// all "expr" strings and the queries of its query variables.
func dashboardQueries(t *testing.T, path string) []dashboardQuery {
	t.Helper()
	var raw any
	readJSON(t, path, &raw)
	queries := collectExprs(raw, "$")
	d := loadDashboard(t, path)
	for i, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		where := fmt.Sprintf("$.templating.list[%d] (%s)", i, v.Name)
		var q string
		switch query := v.Query.(type) {
		case string:
			q = query
		case map[string]any:
			q, _ = query["query"].(string)
		}
		if q == "" {
			t.Errorf("%s: query variable without a query", where)
			continue
		}
		if v.Definition != "" && v.Definition != q {
			t.Errorf("%s: definition %q differs from query %q", where, v.Definition, q)
		}
		vq, err := variableQuery(where, q)
		if err != nil {
			t.Error(err)
			continue
		}
		queries = append(queries, vq)
	}
	if len(queries) == 0 {
		t.Fatalf("%s: no PromQL found", path)
	}
	return queries
}

// sampleValues stand in for Grafana's variables: the dashboards' own (as
// Grafana formats a multi-value selection for a regex matcher) and the
// built-in ones they use.
var sampleValues = map[string]string{
	"datasource":      "quorate-prometheus",
	"endpoint_key":    "(core_api|core_db)",
	"agent_id":        "(eu|us)",
	"__rate_interval": "1m",
	"__interval":      "30s",
	"__range":         "6h",
}

// grafanaVariable matches $name, ${name}, ${name:format} and [[name]].
var grafanaVariable = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]`)

// substitute replaces Grafana variables with sample values; declared is
// the dashboard's variable names. It reports variables that are neither
// declared nor built-in, since Grafana would leave them as text.
func substitute(expr string, declared []string) (string, error) {
	var errs []string
	out := grafanaVariable.ReplaceAllStringFunc(expr, func(ref string) string {
		m := grafanaVariable.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		value, known := sampleValues[name]
		switch {
		case !strings.HasPrefix(name, "__") && !slices.Contains(declared, name):
			errs = append(errs, fmt.Sprintf("%s is not a variable of the dashboard", ref))
		case !known:
			errs = append(errs, fmt.Sprintf("%s has no sample value in this test (add one to sampleValues)", ref))
		}
		return value
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

func TestSubstituteFillsGrafanaVariables(t *testing.T) {
	declared := []string{"datasource", "endpoint_key", "agent_id"}
	tests := []struct {
		expr    string
		want    string
		wantErr bool
	}{
		{`rate(x{endpoint_key=~"$endpoint_key"}[$__rate_interval])`, `rate(x{endpoint_key=~"(core_api|core_db)"}[1m])`, false},
		{`x{agent_id=~"${agent_id:regex}"}[$__range]`, `x{agent_id=~"(eu|us)"}[6h]`, false},
		{`x{agent_id=~"[[agent_id]]"}`, `x{agent_id=~"(eu|us)"}`, false},
		{`x{team="$team"}`, "", true},
		{`x[$__range_s]`, "", true},
	}
	for _, tt := range tests {
		got, err := substitute(tt.expr, declared)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("substitute(%q) = %q, %v; want %q, error %v", tt.expr, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestDashboardQueriesParse sends every PromQL expression of every
// dashboard, variables filled in, through Prometheus's parser.
func TestDashboardQueriesParse(t *testing.T) {
	for _, path := range prometheusDashboards(t) {
		d := loadDashboard(t, path)
		var declared []string
		for _, v := range d.Templating.List {
			declared = append(declared, v.Name)
		}
		exprs := map[string]string{}
		for _, q := range dashboardQueries(t, path) {
			expr, err := substitute(q.expr, declared)
			if err != nil {
				t.Errorf("%s %s: %v", path, q.where, err)
				continue
			}
			exprs[path+" "+q.where] = expr
		}
		checkPromQLParses(t, exprs)
	}
}

var legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// TestDashboardMetricsAreDocumented keeps the dashboards on docs/metrics.md:
// every metric they query is documented, every label they match, group
// by or show in a legend is one the metrics carry, and label_values asks
// for a label of the metric it names.
func TestDashboardMetricsAreDocumented(t *testing.T) {
	documented := documentedMetrics(t)
	labels := documentedLabels(documented)
	for _, path := range prometheusDashboards(t) {
		for _, q := range dashboardQueries(t, path) {
			refs := scanPromQL(q.expr)
			if len(refs.metrics) == 0 && !strings.Contains(q.expr, "__name__") {
				t.Errorf("%s %s: %q selects no metric", path, q.where, q.expr)
			}
			for _, m := range refs.metrics {
				if _, ok := documented[m]; !ok {
					t.Errorf("%s %s: metric %s is not in %s", path, q.where, m, metricsDoc)
				}
			}
			for _, l := range refs.labels {
				if !labels[l] {
					t.Errorf("%s %s: label %q is on no metric in %s", path, q.where, l, metricsDoc)
				}
			}
			if q.label != "" {
				for _, m := range refs.metrics {
					if doc, ok := documented[m]; ok && !slices.Contains(doc.labels, q.label) {
						t.Errorf("%s %s: label_values asks for %q, but %s has labels %v", path, q.where, q.label, m, doc.labels)
					}
				}
			}
		}
		d := loadDashboard(t, path)
		var formats []string
		for _, p := range allPanels(d.Panels) {
			for _, q := range p.Targets {
				formats = append(formats, q.LegendFormat)
			}
		}
		for _, a := range d.Annotations.List {
			formats = append(formats, a.TitleFormat)
		}
		for _, f := range formats {
			for _, m := range legendLabel.FindAllStringSubmatch(f, -1) {
				if !labels[m[1]] {
					t.Errorf("%s: legend %q shows label %q, which no metric in %s has", path, f, m[1], metricsDoc)
				}
			}
		}
	}
}
