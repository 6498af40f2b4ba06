package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/expr"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

const (
	pluginDatasourceProv = "provisioning/datasources/quorate.yaml"
	pluginDashboardProv  = "provisioning/dashboards/quorate-plugin.yaml"
	alertRulesProv       = "provisioning/alerting/quorate-rules.yaml"
	// The environment variable Grafana expands into the password.
	passwordVariable = "${QUORATE_PG_PASSWORD}"
)

// readYAMLStrict decodes YAML into v, rejecting fields v does not have:
// Grafana ignores unknown provisioning keys, so a typo would pass unseen.
func readYAMLStrict(t *testing.T, name string, b []byte, v any) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

type pluginDatasourceEntry struct {
	Name           string            `yaml:"name"`
	Type           string            `yaml:"type"`
	UID            string            `yaml:"uid"`
	Access         string            `yaml:"access"`
	IsDefault      bool              `yaml:"isDefault"`
	Editable       bool              `yaml:"editable"`
	JSONData       map[string]any    `yaml:"jsonData"`
	SecureJSONData map[string]string `yaml:"secureJsonData"`
}

var settingRow = regexp.MustCompile("(?m)^\\| `(\\w+)` \\| (jsonData|secureJsonData) \\|")

// pluginSettings reads the Settings table of the plugin's README: key ->
// jsonData or secureJsonData.
func pluginSettings(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(pluginReadme)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range settingRow.FindAllStringSubmatch(section(t, string(b), "## Settings"), -1) {
		out[m[1]] = m[2]
	}
	if len(out) < 5 || out["driver"] != "jsonData" || out["password"] != "secureJsonData" {
		t.Fatalf("%s: read settings %v; has the Settings table changed?", pluginReadme, out)
	}
	return out
}

func checkPluginDatasource(t *testing.T, where string, ds pluginDatasourceEntry, settings map[string]string) {
	t.Helper()
	if ds.Type != pluginDatasource.Type || ds.UID != pluginDatasource.UID {
		t.Errorf("%s: type %q uid %q; the dashboards and alert rules want %+v", where, ds.Type, ds.UID, pluginDatasource)
	}
	if ds.Name == "" || ds.Access != "proxy" || ds.IsDefault {
		t.Errorf("%s: name %q access %q isDefault %v: want a name, proxy access and not the default", where, ds.Name, ds.Access, ds.IsDefault)
	}
	for k := range ds.JSONData {
		if settings[k] != "jsonData" {
			t.Errorf("%s: jsonData.%s is not a jsonData setting of %s", where, k, pluginReadme)
		}
	}
	for k, v := range ds.SecureJSONData {
		if settings[k] != "secureJsonData" {
			t.Errorf("%s: secureJsonData.%s is not a secureJsonData setting of %s", where, k, pluginReadme)
		}
		if k == "password" && v != passwordVariable {
			t.Errorf("%s: secureJsonData.password must be %s, expanded by Grafana from its environment, never a literal", where, passwordVariable)
		}
	}
	switch ds.JSONData["driver"] {
	case "postgres":
		for _, k := range []string{"host", "database", "user"} {
			if s, _ := ds.JSONData[k].(string); s == "" {
				t.Errorf("%s: driver postgres needs jsonData.%s", where, k)
			}
		}
		if mode := ds.JSONData["sslMode"]; !slices.Contains([]any{"disable", "require", "verify-ca", "verify-full"}, mode) {
			t.Errorf("%s: jsonData.sslMode %v is not disable, require, verify-ca or verify-full", where, mode)
		}
		if ds.SecureJSONData["password"] == "" {
			t.Errorf("%s: no secureJsonData.password", where)
		}
	case "sqlite":
		if p, _ := ds.JSONData["path"].(string); !path.IsAbs(p) {
			t.Errorf("%s: jsonData.path %q: want the absolute path of the central's database file", where, p)
		}
	default:
		t.Errorf("%s: jsonData.driver %v, want postgres or sqlite", where, ds.JSONData["driver"])
	}
}

func TestPluginDatasourceProvisioning(t *testing.T) {
	settings := pluginSettings(t)
	b, err := os.ReadFile(pluginDatasourceProv)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		APIVersion  int                     `yaml:"apiVersion"`
		Datasources []pluginDatasourceEntry `yaml:"datasources"`
	}
	readYAMLStrict(t, pluginDatasourceProv, b, &p)
	if p.APIVersion != 1 || len(p.Datasources) != 1 {
		t.Fatalf("apiVersion %d, %d datasources: want 1 and the one plugin datasource", p.APIVersion, len(p.Datasources))
	}
	checkPluginDatasource(t, pluginDatasourceProv, p.Datasources[0], settings)
	if p.Datasources[0].JSONData["driver"] != "postgres" {
		t.Errorf("the active example should be PostgreSQL, with SQLite commented out")
	}

	// The commented SQLite variant must work once uncommented.
	sqlite := commentedBlock(string(b), "  # - name: Quorate")
	if sqlite == "" {
		t.Fatalf("%s: no commented SQLite variant starting with %q", pluginDatasourceProv, "# - name:")
	}
	var variant []pluginDatasourceEntry
	readYAMLStrict(t, pluginDatasourceProv+" (SQLite variant)", []byte(sqlite), &variant)
	if len(variant) != 1 {
		t.Fatalf("SQLite variant: %d datasources", len(variant))
	}
	checkPluginDatasource(t, pluginDatasourceProv+" (SQLite variant)", variant[0], settings)
	if variant[0].JSONData["driver"] != "sqlite" {
		t.Errorf("the commented variant has driver %v, want sqlite", variant[0].JSONData["driver"])
	}
}

// commentedBlock returns the YAML commented out from the line starting
// with start to the next line that is not a comment, uncommented.
func commentedBlock(doc, start string) string {
	i := strings.Index(doc, "\n"+start)
	if i < 0 {
		return ""
	}
	var out []string
	for _, line := range strings.Split(doc[i+1:], "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if !strings.HasPrefix(trimmed, "#") {
			break
		}
		indent := len(line) - len(trimmed)
		body := strings.TrimPrefix(strings.TrimPrefix(trimmed, "#"), " ")
		out = append(out, strings.Repeat(" ", indent)+body)
	}
	return strings.Join(out, "\n")
}

func TestPluginDashboardProvisioning(t *testing.T) {
	var prom, plugin dashboardProvisioning
	readYAML(t, dashboardProv, &prom)
	readYAML(t, pluginDashboardProv, &plugin)
	if plugin.APIVersion != 1 || len(plugin.Providers) != 1 {
		t.Fatalf("%s: apiVersion %d, %d providers: want 1 and one", pluginDashboardProv, plugin.APIVersion, len(plugin.Providers))
	}
	pr := plugin.Providers[0]
	if pr.Type != "file" || !path.IsAbs(pr.Options.Path) {
		t.Errorf("%s: type %q path %q: want a file provider with an absolute path", pluginDashboardProv, pr.Type, pr.Options.Path)
	}
	for _, other := range prom.Providers {
		// Grafana refuses two providers of one name, and provisions a
		// dashboard twice when two providers read its folder.
		if other.Name == pr.Name {
			t.Errorf("provider name %q is also used in %s", pr.Name, dashboardProv)
		}
		if rel, ok := strings.CutPrefix(pr.Options.Path+"/", other.Options.Path+"/"); ok || strings.HasPrefix(other.Options.Path+"/", pr.Options.Path+"/") {
			t.Errorf("provider paths %s and %s overlap (%q)", pr.Options.Path, other.Options.Path, rel)
		}
	}
	// The provider file must name every plugin dashboard it is for.
	b, err := os.ReadFile(pluginDashboardProv)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range pluginDashboards(t) {
		if !strings.Contains(string(b), path.Base(d.path)) {
			t.Errorf("%s does not tell to copy %s", pluginDashboardProv, path.Base(d.path))
		}
	}
}

// The Grafana alert rule file provisioning format (apiVersion 1), as far
// as these rules use it.
type alertRuleFile struct {
	APIVersion int              `yaml:"apiVersion"`
	Groups     []alertRuleGroup `yaml:"groups"`
}

type alertRuleGroup struct {
	OrgID    int         `yaml:"orgId"`
	Name     string      `yaml:"name"`
	Folder   string      `yaml:"folder"`
	Interval string      `yaml:"interval"`
	Rules    []alertRule `yaml:"rules"`
}

type alertRule struct {
	UID          string            `yaml:"uid"`
	Title        string            `yaml:"title"`
	Condition    string            `yaml:"condition"`
	Data         []alertQuery      `yaml:"data"`
	For          string            `yaml:"for"`
	NoDataState  string            `yaml:"noDataState"`
	ExecErrState string            `yaml:"execErrState"`
	Labels       map[string]string `yaml:"labels"`
	Annotations  map[string]string `yaml:"annotations"`
	IsPaused     bool              `yaml:"isPaused"`
}

type alertQuery struct {
	RefID             string `yaml:"refId"`
	RelativeTimeRange *struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	DatasourceUID string         `yaml:"datasourceUid"`
	Model         map[string]any `yaml:"model"`
}

// Grafana's server-side expressions have this datasource uid.
const exprDatasourceUID = "__expr__"

func loadAlertRules(t *testing.T) alertRuleFile {
	t.Helper()
	b, err := os.ReadFile(alertRulesProv)
	if err != nil {
		t.Fatal(err)
	}
	var f alertRuleFile
	readYAMLStrict(t, alertRulesProv, b, &f)
	if f.APIVersion != 1 || len(f.Groups) == 0 {
		t.Fatalf("%s: apiVersion %d with %d groups; want 1 and at least one group", alertRulesProv, f.APIVersion, len(f.Groups))
	}
	return f
}

// pluginQueryOf decodes the plugin query of an alert rule's data item.
func pluginQueryOf(q alertQuery) (pluginQuery, error) {
	b, err := json.Marshal(q.Model)
	if err != nil {
		return pluginQuery{}, err
	}
	var pq pluginQuery
	if err := decodeStrict(b, &pq); err != nil {
		return pluginQuery{}, fmt.Errorf("model is not a plugin query: %w", err)
	}
	return pq, nil
}

// expression is the part of a reduce or threshold model the checks use.
type expression struct {
	kind      string
	input     string
	reducer   string
	evaluator string
	params    []float64
}

func expressionOf(q alertQuery) (expression, error) {
	b, err := json.Marshal(q.Model)
	if err != nil {
		return expression{}, err
	}
	switch q.Model["type"] {
	case "reduce":
		var r expr.TypeReduce
		if err := sdkErr(r.UnmarshalJSONStrict(b)); err != nil {
			return expression{}, fmt.Errorf("reduce: %w", err)
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return expression{}, err
		}
		return expression{kind: "reduce", input: r.Expression, reducer: string(r.Reducer)}, nil
	case "threshold":
		var th expr.TypeThreshold
		if err := sdkErr(th.UnmarshalJSONStrict(b)); err != nil {
			return expression{}, fmt.Errorf("threshold: %w", err)
		}
		if err := json.Unmarshal(b, &th); err != nil {
			return expression{}, err
		}
		if len(th.Conditions) != 1 {
			return expression{}, fmt.Errorf("threshold: %d conditions, want one", len(th.Conditions))
		}
		ev := th.Conditions[0].Evaluator
		return expression{kind: "threshold", input: th.Expression, evaluator: string(ev.Type), params: ev.Params}, nil
	}
	return expression{}, fmt.Errorf("expression type %v: want reduce or threshold", q.Model["type"])
}

var (
	alertReducers   = []string{"last", "min", "max", "mean", "sum", "count"}
	evaluatorParams = map[string]int{"gt": 1, "lt": 1, "within_range": 2, "outside_range": 2}
	noDataStates    = []string{"NoData", "Alerting", "OK", "KeepLast"}
	execErrStates   = []string{"Error", "Alerting", "OK", "KeepLast"}
	templateRef     = regexp.MustCompile(`\$(labels|values)\.(\w+)`)
)

// TestAlertRuleProvisioning checks the rule file the way Grafana reads it
// and more: each rule queries the plugin's `current` metrics (as the
// README lists them) through reduce and threshold expressions that chain
// into its condition, and its annotations name only labels those metrics
// carry.
func TestAlertRuleProvisioning(t *testing.T) {
	f := loadAlertRules(t)
	uids, titles := map[string]bool{}, map[string]bool{}
	for _, g := range f.Groups {
		if g.OrgID != 1 || g.Name == "" || g.Folder == "" {
			t.Errorf("group %q: orgId %d folder %q: want orgId 1, a name and a folder", g.Name, g.OrgID, g.Folder)
		}
		if d, err := model.ParseDuration(g.Interval); err != nil || time.Duration(d) < 10*time.Second {
			t.Errorf("group %q: interval %q: want a duration of at least 10s (err %v)", g.Name, g.Interval, err)
		}
		for _, r := range g.Rules {
			name := fmt.Sprintf("%s: rule %q", alertRulesProv, r.Title)
			if !uidPattern.MatchString(r.UID) || uids[r.UID] {
				t.Errorf("%s: uid %q missing, malformed or repeated", name, r.UID)
			}
			uids[r.UID] = true
			if r.Title == "" || titles[r.Title] {
				t.Errorf("%s: title empty or repeated", name)
			}
			titles[r.Title] = true
			if _, err := model.ParseDuration(r.For); err != nil {
				t.Errorf("%s: for %q: %v", name, r.For, err)
			}
			if !slices.Contains(noDataStates, r.NoDataState) || !slices.Contains(execErrStates, r.ExecErrState) {
				t.Errorf("%s: noDataState %q execErrState %q: want one of %v and %v", name, r.NoDataState, r.ExecErrState, noDataStates, execErrStates)
			}
			if !slices.Contains(severities, r.Labels["severity"]) {
				t.Errorf("%s: labels.severity %q, want one of %v", name, r.Labels["severity"], severities)
			}
			if r.IsPaused {
				t.Errorf("%s: provisioned paused", name)
			}
			for _, e := range checkAlertRule(r) {
				t.Errorf("%s: %s", name, e)
			}
		}
	}
	for _, want := range requiredAlerts {
		if !titles[want] {
			t.Errorf("%s: no rule titled %s", alertRulesProv, want)
		}
	}
}

// checkAlertRule follows the rule's data from its plugin queries through
// its expressions to its condition.
func checkAlertRule(r alertRule) []string {
	var errs []string
	labels := map[string][]string{} // refId -> labels of its series
	kinds := map[string]string{}    // refId -> query, reduce or threshold
	for _, q := range r.Data {
		if q.RefID == "" || kinds[q.RefID] != "" {
			errs = append(errs, fmt.Sprintf("refId %q empty or repeated", q.RefID))
			continue
		}
		if ref, _ := q.Model["refId"].(string); ref != q.RefID {
			errs = append(errs, fmt.Sprintf("data %s: model.refId %q differs", q.RefID, ref))
		}
		switch q.DatasourceUID {
		case pluginDatasource.UID:
			pq, err := pluginQueryOf(q)
			if err != nil {
				errs = append(errs, fmt.Sprintf("data %s: %v", q.RefID, err))
				continue
			}
			if pq.Datasource == nil || *pq.Datasource != pluginDatasource {
				errs = append(errs, fmt.Sprintf("data %s: model.datasource %+v, want %+v", q.RefID, pq.Datasource, pluginDatasource))
			}
			if pq.QueryType != "current" {
				errs = append(errs, fmt.Sprintf("data %s: queryType %q; alert rules use `current`, one number per series", q.RefID, pq.QueryType))
			}
			for _, e := range checkQueryContract(pq) {
				errs = append(errs, fmt.Sprintf("data %s: %s", q.RefID, e))
			}
			if q.RelativeTimeRange == nil || q.RelativeTimeRange.From <= q.RelativeTimeRange.To {
				errs = append(errs, fmt.Sprintf("data %s: relativeTimeRange %+v: want from > to (seconds before now)", q.RefID, q.RelativeTimeRange))
			}
			kinds[q.RefID] = "query"
			labels[q.RefID] = currentMetrics[cmpOr(pq.Metric, "firing")]
		case exprDatasourceUID:
			e, err := expressionOf(q)
			if err != nil {
				errs = append(errs, fmt.Sprintf("data %s: %v", q.RefID, err))
				continue
			}
			if kinds[e.input] == "" {
				errs = append(errs, fmt.Sprintf("data %s: expression %q is not an earlier refId", q.RefID, e.input))
			}
			switch e.kind {
			case "reduce":
				if !slices.Contains(alertReducers, e.reducer) {
					errs = append(errs, fmt.Sprintf("data %s: reducer %q", q.RefID, e.reducer))
				}
			case "threshold":
				if n, ok := evaluatorParams[e.evaluator]; !ok || len(e.params) != n {
					errs = append(errs, fmt.Sprintf("data %s: evaluator %s with params %v", q.RefID, e.evaluator, e.params))
				}
			}
			kinds[q.RefID] = e.kind
			labels[q.RefID] = labels[e.input]
		default:
			errs = append(errs, fmt.Sprintf("data %s: datasourceUid %q, want %q (the plugin) or %q", q.RefID, q.DatasourceUID, pluginDatasource.UID, exprDatasourceUID))
		}
	}
	if kinds[r.Condition] != "threshold" {
		errs = append(errs, fmt.Sprintf("condition %q is not a threshold expression of the rule", r.Condition))
	}
	sample := map[string]float64{}
	for ref, kind := range kinds {
		if kind != "query" {
			sample[ref] = 1
		}
	}
	for key, text := range r.Annotations {
		if _, err := expandAnnotation(text, sampleLabels(labels[r.Condition]), sample); err != nil {
			errs = append(errs, fmt.Sprintf("annotation %s: %v", key, err))
		}
		for _, m := range templateRef.FindAllStringSubmatch(text, -1) {
			switch {
			case m[1] == "labels" && !slices.Contains(labels[r.Condition], m[2]):
				errs = append(errs, fmt.Sprintf("annotation %s: $labels.%s, but the series carry %v", key, m[2], labels[r.Condition]))
			case m[1] == "values" && kinds[m[2]] == "":
				errs = append(errs, fmt.Sprintf("annotation %s: $values.%s is not a refId", key, m[2]))
			}
		}
	}
	return errs
}

// annotationValue is what Grafana gives a template for each refId in
// $values.
type annotationValue struct {
	Labels map[string]string
	Value  float64
}

// expandAnnotation runs an annotation template the way Grafana does: with
// $labels, $values and $value defined, and the functions these rules use.
func expandAnnotation(text string, labels map[string]string, values map[string]float64) (string, error) {
	funcs := template.FuncMap{
		"humanizeDuration": func(v float64) string { return (time.Duration(v) * time.Second).String() },
	}
	const header = `{{- $labels := .Labels -}}{{- $values := .Values -}}{{- $value := .Value -}}`
	tmpl, err := template.New("annotation").Option("missingkey=error").Funcs(funcs).Parse(header + text)
	if err != nil {
		return "", err
	}
	data := struct {
		Labels map[string]string
		Values map[string]annotationValue
		Value  string
	}{Labels: labels, Values: map[string]annotationValue{}}
	for ref, v := range values {
		data.Values[ref] = annotationValue{Labels: labels, Value: v}
	}
	var b strings.Builder
	err = tmpl.Execute(&b, data)
	return b.String(), err
}

// TestAlertRulesMatchThePrometheusRules keeps the two alerting paths
// alike: the same alert under the same name waits as long and is as severe.
func TestAlertRulesMatchThePrometheusRules(t *testing.T) {
	prom := map[string]rule{}
	for _, r := range loadRules(t) {
		if r.Alert != "" {
			prom[r.Alert] = r
		}
	}
	for _, g := range loadAlertRules(t).Groups {
		for _, r := range g.Rules {
			p, ok := prom[r.Title]
			if !ok {
				t.Errorf("Grafana rule %s has no Prometheus alert of that name in %s", r.Title, rulesFile)
				continue
			}
			if r.For != p.For || r.Labels["severity"] != p.Labels["severity"] {
				t.Errorf("%s: for %s severity %s in Grafana, for %s severity %s in Prometheus", r.Title, r.For, r.Labels["severity"], p.For, p.Labels["severity"])
			}
		}
	}
}
