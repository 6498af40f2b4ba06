package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/quorate/quorate/grafana-plugin/pkg/plugintest"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/store"
)

// These tests run every query of the plugin dashboards and alert rules
// through the real plugin binary (started over Grafana's plugin protocol
// by plugintest) against a real PostgreSQL store seeded through the
// central's write path, and check the answers against what the panels and
// rules expect of them.

func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }

// pluginEnv is a seeded store and a running plugin reading it.
type pluginEnv struct {
	plugin *plugintest.Plugin
	ds     plugintest.DataSource
}

// newPluginEnv seeds plugintest's deployment (see plugintest.Seed: core_api
// firing and unable to reach quorum, core_web degraded, agents us and ap
// stale) plus edge_tls, whose certificate eu sees expiring in 5 days.
func newPluginEnv(t *testing.T) pluginEnv {
	t.Helper()
	s, ds := plugintest.Postgres(t)
	plugintest.Seed(t, s)
	ctx := context.Background()
	if err := s.UpsertEndpoints(ctx, []store.Endpoint{{Key: "edge_tls", Name: "tls", Group: "edge", ConfigurationChecksum: "sum-tls"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteResults(ctx, []store.Result{{EndpointKey: "edge_tls", AgentID: "eu", Result: result.Result{
		Timestamp: plugintest.SeedTo.Add(-time.Minute), Duration: 40 * time.Millisecond, HTTPStatus: 200, Connected: true, Success: true,
		CertificateExpiration: 5 * 24 * time.Hour,
		ConditionResults:      []result.ConditionResult{{Condition: "[CERTIFICATE_EXPIRATION] > 240h", Success: false}},
	}}}); err != nil {
		t.Fatal(err)
	}
	return pluginEnv{plugin: plugintest.Start(t), ds: ds}
}

// query runs one panel target or rule model over the seeded hour and
// returns its frames; an error answer fails the test.
func (e pluginEnv) query(t *testing.T, where string, model json.RawMessage) []frameInfo {
	t.Helper()
	res := e.plugin.Query(t, e.ds, plugintest.NewQuery("A", model, plugintest.SeedFrom, plugintest.SeedTo))
	if res.Error != nil {
		t.Errorf("%s: the plugin answered %s: %v", where, model, res.Error)
		return nil
	}
	return framesInfo(res.Frames)
}

// resource calls a variable's resource and returns its values.
func (e pluginEnv) resource(t *testing.T, path string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := e.plugin.CallResource(ctx, e.ds, "GET", path, nil)
	if err != nil || res.Status != 200 {
		t.Fatalf("GET %s: status %v, err %v, body %s", path, res.Status, err, res.Body)
	}
	var items []struct {
		Text  string `json:"text"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(res.Body, &items); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, res.Body)
	}
	var out []string
	for _, it := range items {
		if it.Value == "" {
			t.Errorf("GET %s: item %+v has no value", path, it)
		}
		out = append(out, it.Value)
	}
	return out
}

// framesInfo reads the SDK's frames into what the checks compare.
func framesInfo(frames data.Frames) []frameInfo {
	var out []frameInfo
	for _, f := range frames {
		var fi frameInfo
		for _, fl := range f.Fields {
			info := fieldInfo{name: fl.Name, labels: map[string]string(fl.Labels)}
			ft := fl.Type()
			switch {
			case ft.Time():
				info.kind = kindTime
			case ft.Numeric():
				info.kind = kindNumber
			default:
				info.kind = kindString
			}
			for i := range fl.Len() {
				info.values = append(info.values, plainValue(fl, i))
			}
			fi.fields = append(fi.fields, info)
		}
		out = append(out, fi)
	}
	return out
}

// plainValue is a field's value as string, float64, time.Time or nil.
func plainValue(f *data.Field, i int) any {
	if f.NilAt(i) {
		return nil
	}
	if f.Type().Numeric() {
		v, err := f.FloatAt(i)
		if err != nil {
			return nil
		}
		return v
	}
	v, _ := f.ConcreteAt(i)
	return v
}

// variableValues resolves a dashboard's query variables through the
// plugin's resources: the values Grafana would offer.
func variableValues(t *testing.T, e pluginEnv, d pluginDashboard) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, v := range d.variables {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(string)
		out[v.Name] = e.resource(t, q)
		if len(out[v.Name]) == 0 {
			t.Errorf("%s: variable %s: the plugin offers no values", d.path, v.Name)
		}
	}
	return out
}

// selection is one choice of every variable, as the frontend interpolates
// it: multi-value as a comma-separated list, All as the variable's
// allValue.
type selection map[string]string

// selections are the choices the panels are run with: the defaults (All
// where allowed, else the first value) and specific values (core_api and
// two agents).
func selections(d pluginDashboard, values map[string][]string) []selection {
	def, specific := selection{}, selection{}
	for _, v := range d.variables {
		if v.Type != "query" {
			continue
		}
		vals := values[v.Name]
		pick := vals[0]
		if slices.Contains(vals, "core_api") {
			pick = "core_api"
		}
		def[v.Name] = pick
		if v.IncludeAll {
			def[v.Name] = v.AllValue
		}
		specific[v.Name] = pick
		if v.Multi && len(vals) > 1 {
			specific[v.Name] = strings.Join(vals[:2], ",")
			if slices.Contains(vals, "eu") && slices.Contains(vals, "us") {
				specific[v.Name] = "eu,us"
			}
		}
	}
	if maps.Equal(def, specific) {
		return []selection{def}
	}
	return []selection{def, specific}
}

// interpolate fills the variables of a target's endpoint and agent fields.
func interpolate(t *testing.T, raw json.RawMessage, sel selection) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"endpoint", "agent"} {
		s, ok := m[k].(string)
		if !ok {
			continue
		}
		m[k] = grafanaVariable.ReplaceAllStringFunc(s, func(ref string) string {
			g := grafanaVariable.FindStringSubmatch(ref)
			v, ok := sel[g[1]+g[2]+g[3]]
			if !ok {
				t.Errorf("%s: no value for %s", raw, ref)
			}
			return v
		})
	}
	out, _ := json.Marshal(m)
	return out
}

// statValues are what stat panels that sum a `current` metric must show
// for the seeded data, by dashboard and panel title.
var statValues = map[string]map[string]float64{
	"quorate-overview.json": {"Endpoints firing": 1, "Endpoints degraded": 1, "Cannot reach quorum": 1, "Stale agents": 2},
	"quorate-agents.json":   {"Stale agents": 2},
}

func TestPluginDashboardQueriesRunAgainstThePlugin(t *testing.T) {
	e := newPluginEnv(t)
	for _, d := range pluginDashboards(t) {
		values := variableValues(t, e, d)
		for _, sel := range selections(d, values) {
			for _, p := range d.panels {
				if p.Type == "row" {
					continue
				}
				name := fmt.Sprintf("%s (variables %v)", p.name(d.path), sel)
				var frames []frameInfo
				for _, raw := range p.Targets {
					frames = append(frames, e.query(t, name, interpolate(t, raw, sel))...)
				}
				for _, problem := range checkPanelFields(p, frames) {
					t.Errorf("%s: %s", name, problem)
				}
				if !hasValues(frames) {
					t.Errorf("%s: no data from the seeded store; the panel would be empty", name)
				}
				want, ok := statValues[pathBase(d.path)][p.Title]
				if !ok || !isDefault(d, sel) {
					continue
				}
				out, _ := transform(p, frames)
				if got := singleNumber(out); got == nil || *got != want {
					t.Errorf("%s: shows %v, want %v for the seeded data", name, out, want)
				}
			}
		}
	}
}

func pathBase(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// isDefault reports whether sel holds every variable's All value.
func isDefault(d pluginDashboard, sel selection) bool {
	for _, v := range d.variables {
		if s, ok := sel[v.Name]; ok && s != "*" {
			return false
		}
	}
	return true
}

func hasValues(frames []frameInfo) bool {
	for _, f := range frames {
		for _, fl := range f.fields {
			if len(fl.values) > 0 {
				return true
			}
		}
	}
	return false
}

// singleNumber is the one value a stat shows when its frames hold one
// number, else nil.
func singleNumber(frames []frameInfo) *float64 {
	var vs []float64
	for _, f := range frames {
		for _, fl := range f.fields {
			for _, v := range fl.values {
				if x, ok := v.(float64); ok {
					vs = append(vs, x)
				}
			}
		}
	}
	if len(vs) != 1 {
		return nil
	}
	return &vs[0]
}

// alertInstances are the label sets each rule must fire for on the
// seeded data.
var alertInstances = map[string][]string{
	"QuorateEndpointQuorumFiring":      {`endpoint_key=core_api`},
	"QuorateEndpointDegraded":          {`endpoint_key=core_web`},
	"QuorateEndpointCannotReachQuorum": {`endpoint_key=core_api`},
	"QuorateAgentStale":                {`agent_id=ap`, `agent_id=us`},
	"QuorateCertificateExpiringSoon":   {`agent_id=eu,endpoint_key=edge_tls`},
}

// TestAlertRulesRunAgainstThePlugin evaluates each provisioned rule the
// way Grafana's server-side expressions do: the plugin query, reduce (a
// numeric answer is one number per series already, which reduce passes
// through), then the threshold; the series for which it holds are the
// alert instances. Their annotations must expand with their labels.
func TestAlertRulesRunAgainstThePlugin(t *testing.T) {
	e := newPluginEnv(t)
	for _, g := range loadAlertRules(t).Groups {
		for _, r := range g.Rules {
			got, err := evaluateRule(t, e, r)
			if err != nil {
				t.Errorf("%s: %v", r.Title, err)
				continue
			}
			var instances []string
			for _, in := range got {
				instances = append(instances, labelString(in.labels))
				for key, text := range r.Annotations {
					out, err := expandAnnotation(text, in.labels, in.values)
					if err != nil || strings.Contains(out, "<no value>") {
						t.Errorf("%s: annotation %s for %v: %q, %v", r.Title, key, in.labels, out, err)
					}
				}
			}
			slices.Sort(instances)
			if want := alertInstances[r.Title]; !slices.Equal(instances, want) {
				t.Errorf("%s fires for %v, want %v", r.Title, instances, want)
			}
		}
	}
}

type alertInstance struct {
	labels map[string]string
	values map[string]float64 // by refId
}

func labelString(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, ",")
}

// evaluateRule runs the rule's data in order and returns the instances
// its condition holds for.
func evaluateRule(t *testing.T, e pluginEnv, r alertRule) ([]alertInstance, error) {
	t.Helper()
	series := map[string]map[string]alertInstance{} // refId -> label string -> series
	for _, q := range r.Data {
		out := map[string]alertInstance{}
		switch q.DatasourceUID {
		case pluginDatasource.UID:
			model, _ := json.Marshal(q.Model)
			for _, f := range e.query(t, r.Title, model) {
				for _, fl := range f.fields {
					if fl.kind != kindNumber {
						continue
					}
					if len(fl.values) != 1 {
						return nil, fmt.Errorf("data %s: series %s has %d values; a `current` answer has one per series", q.RefID, fl.display(), len(fl.values))
					}
					v, ok := fl.values[0].(float64)
					if !ok {
						continue // null: no value for the series
					}
					out[labelString(fl.labels)] = alertInstance{labels: fl.labels, values: map[string]float64{q.RefID: v}}
				}
			}
		case exprDatasourceUID:
			ex, err := expressionOf(q)
			if err != nil {
				return nil, err
			}
			for k, in := range series[ex.input] {
				v := in.values[ex.input]
				if ex.kind == "threshold" {
					if !thresholdHolds(ex, v) {
						continue
					}
					v = 1
				}
				values := maps.Clone(in.values)
				values[q.RefID] = v
				out[k] = alertInstance{labels: in.labels, values: values}
			}
		}
		series[q.RefID] = out
	}
	var firing []alertInstance
	for _, in := range series[r.Condition] {
		firing = append(firing, in)
	}
	if len(series[r.Data[0].RefID]) == 0 {
		return nil, fmt.Errorf("the plugin query returned no series: the rule could never fire")
	}
	return firing, nil
}

func thresholdHolds(ex expression, v float64) bool {
	p := ex.params
	switch ex.evaluator {
	case "gt":
		return v > p[0]
	case "lt":
		return v < p[0]
	case "within_range":
		return v > p[0] && v < p[1]
	case "outside_range":
		return v < p[0] || v > p[1]
	}
	return false
}
