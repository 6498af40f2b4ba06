package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	sdkdashboard "github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// pluginQuery is one target of a plugin panel: Grafana's fields and the
// plugin's (grafana-plugin/README.md, Queries). Decoding rejects any other
// field, so a misspelt one cannot be silently ignored by the plugin.
type pluginQuery struct {
	RefID      string         `json:"refId"`
	Datasource *datasourceRef `json:"datasource"`
	Hide       bool           `json:"hide,omitempty"`
	QueryType  string         `json:"queryType"`
	Endpoint   string         `json:"endpoint,omitempty"`
	Agent      string         `json:"agent,omitempty"`
	Metric     string         `json:"metric,omitempty"`
	Per        string         `json:"per,omitempty"`
	EventTypes []string       `json:"eventTypes,omitempty"`
	Limit      *int           `json:"limit,omitempty"`
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// The foundation SDK decodes targets through a registry of datasource
// query types; pluginQuery is registered as the plugin's.
func (pluginQuery) ImplementsDataqueryVariant() {}
func (pluginQuery) DataqueryType() string       { return pluginDatasource.Type }
func (pluginQuery) Validate() error             { return nil }
func (q pluginQuery) Equals(other variants.Dataquery) bool {
	o, ok := other.(pluginQuery)
	return ok && fmt.Sprint(q) == fmt.Sprint(o)
}

var registerSDK = sync.OnceFunc(func() {
	plugins.RegisterDefaultPlugins()
	unmarshal := func(raw []byte) (variants.Dataquery, error) {
		var q pluginQuery
		if err := decodeStrict(raw, &q); err != nil {
			return nil, fmt.Errorf("not a quorate-datasource query: %w", err)
		}
		return q, nil
	}
	cog.NewRuntime().RegisterDataqueryVariant(variants.DataqueryConfig{
		Identifier:                 pluginDatasource.Type,
		DataqueryUnmarshaler:       unmarshal,
		StrictDataqueryUnmarshaler: unmarshal,
	})
})

// pluginPanel is what the field checks read of a panel.
type pluginPanel struct {
	ID              int               `json:"id"`
	Type            string            `json:"type"`
	Title           string            `json:"title"`
	Datasource      *datasourceRef    `json:"datasource"`
	Targets         []json.RawMessage `json:"targets"`
	Transformations []struct {
		ID      string          `json:"id"`
		Options json.RawMessage `json:"options"`
	} `json:"transformations"`
	FieldConfig struct {
		Defaults struct {
			DisplayName string         `json:"displayName"`
			Mappings    []valueMapping `json:"mappings"`
		} `json:"defaults"`
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options string `json:"options"`
			} `json:"matcher"`
			Properties []struct {
				ID    string          `json:"id"`
				Value json.RawMessage `json:"value"`
			} `json:"properties"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
	Options struct {
		ReduceOptions *struct {
			Fields string   `json:"fields"`
			Calcs  []string `json:"calcs"`
		} `json:"reduceOptions"`
	} `json:"options"`
	Panels []pluginPanel `json:"panels"`
}

type valueMapping struct {
	Type    string                     `json:"type"`
	Options map[string]json.RawMessage `json:"options"`
}

// pluginDashboard is a dashboard on the plugin, with its panels flattened.
type pluginDashboard struct {
	path      string
	panels    []pluginPanel
	variables []pluginVariable
}

// pluginVariable is a template variable with what the plugin's
// interpolation needs.
type pluginVariable struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Query      any    `json:"query"`
	Multi      bool   `json:"multi"`
	IncludeAll bool   `json:"includeAll"`
	AllValue   string `json:"allValue"`
}

// pluginDashboards loads every dashboard that is not on Prometheus: they
// must all be on the plugin.
func pluginDashboards(t *testing.T) []pluginDashboard {
	t.Helper()
	prom := prometheusDashboards(t)
	var out []pluginDashboard
	for _, path := range dashboardFiles(t) {
		if slices.Contains(prom, path) {
			continue
		}
		var raw struct {
			Panels     []pluginPanel `json:"panels"`
			Templating struct {
				List []pluginVariable `json:"list"`
			} `json:"templating"`
		}
		readJSON(t, path, &raw)
		var flat []pluginPanel
		var walk func([]pluginPanel)
		walk = func(ps []pluginPanel) {
			for _, p := range ps {
				flat = append(flat, p)
				walk(p.Panels)
			}
		}
		walk(raw.Panels)
		out = append(out, pluginDashboard{path: path, panels: flat, variables: raw.Templating.List})
	}
	if len(out) < 3 {
		t.Fatalf("%d plugin dashboards in %s, want the overview, endpoint and agents views", len(out), dashboardsDir)
	}
	return out
}

func (p pluginPanel) queries(t *testing.T, where string) []pluginQuery {
	t.Helper()
	var out []pluginQuery
	for i, raw := range p.Targets {
		var q pluginQuery
		if err := decodeStrict(raw, &q); err != nil {
			t.Errorf("%s: target %d: %v", where, i, err)
			continue
		}
		out = append(out, q)
	}
	return out
}

func (p pluginPanel) name(path string) string {
	return fmt.Sprintf("%s: panel %d %q", path, p.ID, p.Title)
}

// TestPluginDashboardsDecodeAsGrafanaModels decodes each plugin dashboard
// strictly into the Grafana foundation SDK's dashboard model: every panel's
// options and field config into its panel plugin's types, every target into
// the plugin's query. Unknown or mistyped fields, or missing required ones,
// fail.
func TestPluginDashboardsDecodeAsGrafanaModels(t *testing.T) {
	registerSDK()
	for _, d := range pluginDashboards(t) {
		raw, err := os.ReadFile(d.path)
		if err != nil {
			t.Fatal(err)
		}
		var m sdkdashboard.Dashboard
		if err := sdkErr(m.UnmarshalJSONStrict(raw)); err != nil {
			t.Errorf("%s: not a Grafana dashboard model: %v", d.path, err)
			continue
		}
		if err := sdkErr(m.Validate()); err != nil {
			t.Errorf("%s: %v", d.path, err)
		}
		// The SDK's decoders check panels and options but drop them when
		// they decode without error (an empty error list returned as a
		// non-nil error), so panels are decoded again one by one for their
		// targets. TestStrictDecodingCatchesMistakes shows the checks bite.
		var rawPanels struct {
			Panels []json.RawMessage `json:"panels"`
		}
		if err := json.Unmarshal(raw, &rawPanels); err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, rp := range rawPanels.Panels {
			var p sdkdashboard.Panel
			if err := sdkErr(p.UnmarshalJSONStrict(rp)); err != nil {
				t.Errorf("%s: panels[%d]: %v", d.path, i, err)
				continue
			}
			if p.Type == "row" {
				continue
			}
			for _, q := range p.Targets {
				if _, ok := q.(pluginQuery); !ok {
					t.Errorf("%s: panel %q: target decoded as %T, want a plugin query", d.path, deref(p.Title), q)
				}
				n++
			}
		}
		if n == 0 {
			t.Errorf("%s: no plugin queries decoded", d.path)
		}
	}
}

// sdkErr turns the SDK's empty error list (returned as a non-nil error)
// into nil.
func sdkErr(err error) error {
	var list cog.BuildErrors
	if errors.As(err, &list) && len(list) == 0 {
		return nil
	}
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestStrictDecodingCatchesMistakes breaks a copy of a panel in ways a
// hand edit might and expects the strict decoding above to notice each.
func TestStrictDecodingCatchesMistakes(t *testing.T) {
	registerSDK()
	var raw struct {
		Panels []map[string]any `json:"panels"`
	}
	readJSON(t, filepath.Join(dashboardsDir, "quorate-overview.json"), &raw)
	var stat map[string]any
	for _, p := range raw.Panels {
		if p["type"] == "stat" {
			stat = p
			break
		}
	}
	if stat == nil {
		t.Fatal("the overview has no stat panel")
	}
	breaks := map[string]func(p map[string]any){
		"unknown stat option": func(p map[string]any) { p["options"].(map[string]any)["textMod"] = "auto" },
		"missing stat option": func(p map[string]any) { delete(p["options"].(map[string]any), "reduceOptions") },
		"misspelt query field": func(p map[string]any) {
			p["targets"].([]any)[0].(map[string]any)["metirc"] = "firing"
		},
		"gridPos as text":   func(p map[string]any) { p["gridPos"] = "0,0,6,4" },
		"unknown panel key": func(p map[string]any) { p["fieldconfig"] = map[string]any{} },
	}
	for name, breakIt := range breaks {
		b, _ := json.Marshal(stat)
		var p map[string]any
		_ = json.Unmarshal(b, &p)
		breakIt(p)
		b, _ = json.Marshal(p)
		var panel sdkdashboard.Panel
		if err := sdkErr(panel.UnmarshalJSONStrict(b)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestPluginDashboardsUseThePluginDatasource(t *testing.T) {
	for _, d := range pluginDashboards(t) {
		declared := map[string]bool{}
		for _, v := range d.variables {
			declared[v.Name] = true
			if v.Type != "query" {
				continue
			}
			q, _ := v.Query.(string)
			if q != "endpoints" && q != "agents" {
				t.Errorf("%s: variable %s: query %v, want the plugin's endpoints or agents", d.path, v.Name, v.Query)
			}
		}
		for _, p := range d.panels {
			if p.Type == "row" {
				continue
			}
			name := p.name(d.path)
			if p.Datasource == nil || *p.Datasource != pluginDatasource {
				t.Errorf("%s: datasource %+v, want %+v", name, p.Datasource, pluginDatasource)
			}
			for _, q := range p.queries(t, name) {
				if q.Datasource == nil || *q.Datasource != pluginDatasource {
					t.Errorf("%s: query %s: datasource %+v, want %+v", name, q.RefID, q.Datasource, pluginDatasource)
				}
				for _, e := range checkQueryContract(q) {
					t.Errorf("%s: query %s: %s (grafana-plugin/README.md)", name, q.RefID, e)
				}
				for _, s := range []string{q.Endpoint, q.Agent} {
					for _, m := range grafanaVariable.FindAllStringSubmatch(s, -1) {
						if v := m[1] + m[2] + m[3]; !declared[v] {
							t.Errorf("%s: query %s uses $%s, which the dashboard does not declare", name, q.RefID, v)
						}
					}
				}
			}
		}
	}
}

// TestPluginPanelsMatchTheContract runs each panel's transformations over
// the frames the README promises and checks that every field they, the
// overrides and the reduce options name exists.
func TestPluginPanelsMatchTheContract(t *testing.T) {
	for _, d := range pluginDashboards(t) {
		for _, p := range d.panels {
			if p.Type == "row" {
				continue
			}
			name := p.name(d.path)
			var frames []frameInfo
			for _, q := range p.queries(t, name) {
				frames = append(frames, contractFrames(q)...)
			}
			for _, e := range checkPanelFields(p, frames) {
				t.Errorf("%s: %s", name, e)
			}
		}
	}
}

// frameInfo and fieldInfo are what the checks need of a data frame: field
// names, kinds, labels and, from the real plugin, values (string, float64,
// time.Time or nil).
type frameInfo struct {
	fields []fieldInfo
}

type fieldInfo struct {
	name        string
	displayName string // set by organize
	kind        fieldKind
	labels      map[string]string
	values      []any
}

// display is Grafana's display name of a field without field config: the
// name, followed by the labels when it has any.
func (f fieldInfo) display() string {
	if f.displayName != "" {
		return f.displayName
	}
	if len(f.labels) == 0 {
		return f.name
	}
	var ls []string
	for _, k := range slices.Sorted(maps.Keys(f.labels)) {
		ls = append(ls, fmt.Sprintf("%s=%q", k, f.labels[k]))
	}
	return f.name + " {" + strings.Join(ls, ", ") + "}"
}

func displayNames(frames []frameInfo) []string {
	var out []string
	for _, f := range frames {
		for _, fl := range f.fields {
			out = append(out, fl.display())
		}
	}
	return out
}

// checkPanelFields applies the panel's transformations to frames the way
// Grafana does (for the transformations the dashboards use) and reports
// every field a transformation, override, reduce option or display name
// names that the frames do not have, and every value of a mapped field that
// no value mapping covers.
func checkPanelFields(p pluginPanel, frames []frameInfo) []string {
	out, errs := transform(p, frames)
	names := displayNames(out)
	overridden := map[string]bool{}
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byName" {
			errs = append(errs, fmt.Sprintf("override matcher %s: the checks understand byName only", o.Matcher.ID))
			continue
		}
		overridden[o.Matcher.Options] = true
		if !slices.Contains(names, o.Matcher.Options) {
			errs = append(errs, fmt.Sprintf("override for field %q, which the panel does not have (it has %v)", o.Matcher.Options, names))
			continue
		}
		for _, pr := range o.Properties {
			if pr.ID != "mappings" {
				continue
			}
			var ms []valueMapping
			if err := json.Unmarshal(pr.Value, &ms); err != nil {
				errs = append(errs, fmt.Sprintf("override %q: mappings: %v", o.Matcher.Options, err))
				continue
			}
			errs = append(errs, unmappedValues(out, ms, func(f fieldInfo) bool { return f.display() == o.Matcher.Options })...)
		}
	}
	if len(p.FieldConfig.Defaults.Mappings) > 0 {
		// Default mappings apply to every field not styled by an override.
		errs = append(errs, unmappedValues(out, p.FieldConfig.Defaults.Mappings, func(f fieldInfo) bool {
			return f.kind == kindString && !overridden[f.display()]
		})...)
	}
	if ro := p.Options.ReduceOptions; ro != nil {
		if ro.Fields != "" {
			re, err := grafanaRegex(ro.Fields)
			if err != nil {
				errs = append(errs, fmt.Sprintf("reduceOptions.fields %q: %v", ro.Fields, err))
			} else if !slices.ContainsFunc(names, re.MatchString) {
				errs = append(errs, fmt.Sprintf("reduceOptions.fields %q matches no field of %v", ro.Fields, names))
			}
		} else if !hasKind(out, kindNumber) {
			errs = append(errs, fmt.Sprintf("reduceOptions shows numeric fields, but the panel has none (fields %v)", names))
		}
	}
	if m := labelRef.FindStringSubmatch(p.FieldConfig.Defaults.DisplayName); m != nil {
		for _, f := range out {
			for _, fl := range f.fields {
				if _, ok := fl.labels[m[1]]; fl.kind == kindNumber && !ok {
					errs = append(errs, fmt.Sprintf("displayName %q: field %s has no label %s", p.FieldConfig.Defaults.DisplayName, fl.display(), m[1]))
				}
			}
		}
	}
	if p.Type == "timeseries" || p.Type == "state-timeline" {
		for _, f := range out {
			if !hasKind([]frameInfo{f}, kindTime) || !hasKind([]frameInfo{f}, kindNumber) {
				errs = append(errs, fmt.Sprintf("a %s needs a time and a number field per frame; a frame has %v", p.Type, displayNames([]frameInfo{f})))
			}
		}
	}
	return errs
}

var labelRef = regexp.MustCompile(`\$\{__field\.labels\.(\w+)\}`)

func hasKind(frames []frameInfo, k fieldKind) bool {
	for _, f := range frames {
		for _, fl := range f.fields {
			if fl.kind == k {
				return true
			}
		}
	}
	return false
}

// grafanaRegex reads Grafana's "/regex/" notation (or a plain name).
func grafanaRegex(s string) (*regexp.Regexp, error) {
	if len(s) > 1 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
		return regexp.Compile(s[1 : len(s)-1])
	}
	return regexp.Compile("^" + regexp.QuoteMeta(s) + "$")
}

// unmappedValues lists string values of the selected fields that no value
// mapping covers: they would show raw, uncoloured.
func unmappedValues(frames []frameInfo, ms []valueMapping, selected func(fieldInfo) bool) []string {
	keys := map[string]bool{}
	for _, m := range ms {
		if m.Type != "value" {
			continue
		}
		for k := range m.Options {
			keys[k] = true
		}
	}
	var errs []string
	for _, f := range frames {
		for _, fl := range f.fields {
			if !selected(fl) {
				continue
			}
			for _, v := range fl.values {
				if s, ok := v.(string); ok && !keys[s] {
					errs = append(errs, fmt.Sprintf("field %s: value %q has no value mapping (mapped: %v)", fl.display(), s, slices.Sorted(maps.Keys(keys))))
				}
			}
		}
	}
	return dedupe(errs)
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// transform applies the panel's transformations.
func transform(p pluginPanel, frames []frameInfo) ([]frameInfo, []string) {
	var errs []string
	for _, tr := range p.Transformations {
		var err error
		switch tr.ID {
		case "organize":
			frames, err = organizeFields(frames, tr.Options)
		case "filterFieldsByName":
			frames, err = filterFields(frames, tr.Options)
		case "groupBy":
			frames, err = groupBy(frames, tr.Options)
		case "groupingToMatrix":
			frames, err = groupingToMatrix(frames, tr.Options)
		case "calculateField":
			frames, err = reduceRow(frames, tr.Options)
		default:
			err = fmt.Errorf("the checks do not know this transformation; teach transform() what it does")
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("transformation %s: %v", tr.ID, err))
		}
	}
	return frames, errs
}

func requireFields(frames []frameInfo, names ...string) error {
	have := displayNames(frames)
	var missing []string
	for _, n := range names {
		if !slices.Contains(have, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("names %v, which the frames do not have (they have %v)", missing, have)
	}
	return nil
}

func organizeFields(frames []frameInfo, raw json.RawMessage) ([]frameInfo, error) {
	var o struct {
		ExcludeByName map[string]bool   `json:"excludeByName"`
		IndexByName   map[string]int    `json:"indexByName"`
		RenameByName  map[string]string `json:"renameByName"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return frames, err
	}
	named := slices.Concat(slices.Collect(maps.Keys(o.ExcludeByName)), slices.Collect(maps.Keys(o.RenameByName)), slices.Collect(maps.Keys(o.IndexByName)))
	err := requireFields(frames, named...)
	var out []frameInfo
	for _, f := range frames {
		var g frameInfo
		for _, fl := range f.fields {
			if o.ExcludeByName[fl.display()] {
				continue
			}
			if to, ok := o.RenameByName[fl.display()]; ok {
				fl.displayName = to
			}
			g.fields = append(g.fields, fl)
		}
		out = append(out, g)
	}
	return out, err
}

func filterFields(frames []frameInfo, raw json.RawMessage) ([]frameInfo, error) {
	var o struct {
		Include struct {
			Names   []string `json:"names"`
			Pattern string   `json:"pattern"`
		} `json:"include"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return frames, err
	}
	err := requireFields(frames, o.Include.Names...)
	var re *regexp.Regexp
	if o.Include.Pattern != "" {
		var cerr error
		if re, cerr = regexp.Compile(o.Include.Pattern); cerr != nil {
			return frames, cerr
		}
		if !slices.ContainsFunc(displayNames(frames), re.MatchString) {
			err = fmt.Errorf("pattern %q matches no field of %v", o.Include.Pattern, displayNames(frames))
		}
	}
	var out []frameInfo
	for _, f := range frames {
		var g frameInfo
		for _, fl := range f.fields {
			if slices.Contains(o.Include.Names, fl.display()) || (re != nil && re.MatchString(fl.display())) {
				g.fields = append(g.fields, fl)
			}
		}
		out = append(out, g)
	}
	return out, err
}

func groupBy(frames []frameInfo, raw json.RawMessage) ([]frameInfo, error) {
	var o struct {
		Fields map[string]struct {
			Aggregations []string `json:"aggregations"`
			Operation    string   `json:"operation"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return frames, err
	}
	err := requireFields(frames, slices.Collect(maps.Keys(o.Fields))...)
	var out []frameInfo
	for _, f := range frames {
		var g frameInfo
		for _, fl := range f.fields {
			spec, ok := o.Fields[fl.display()]
			switch {
			case !ok:
			case spec.Operation == "groupby":
				g.fields = append(g.fields, fl)
			case spec.Operation == "aggregate":
				for _, calc := range spec.Aggregations {
					g.fields = append(g.fields, fieldInfo{name: fl.display() + " (" + calc + ")", kind: kindNumber})
				}
			}
		}
		out = append(out, g)
	}
	return out, err
}

// groupingToMatrix makes one row per rowField value and one column per
// columnField value, holding valueField.
func groupingToMatrix(frames []frameInfo, raw json.RawMessage) ([]frameInfo, error) {
	var o struct {
		ColumnField string `json:"columnField"`
		RowField    string `json:"rowField"`
		ValueField  string `json:"valueField"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return frames, err
	}
	if err := requireFields(frames, o.ColumnField, o.RowField, o.ValueField); err != nil {
		return frames, err
	}
	var g frameInfo
	g.fields = append(g.fields, fieldInfo{name: o.RowField + `\` + o.ColumnField})
	columns := map[string]*fieldInfo{}
	for _, f := range frames {
		byName := map[string]fieldInfo{}
		for _, fl := range f.fields {
			byName[fl.display()] = fl
		}
		col, val := byName[o.ColumnField], byName[o.ValueField]
		for i, c := range col.values {
			name := fmt.Sprint(c)
			if columns[name] == nil {
				columns[name] = &fieldInfo{name: name, kind: val.kind}
			}
			columns[name].values = append(columns[name].values, val.values[i])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(columns)) {
		g.fields = append(g.fields, *columns[name])
	}
	return []frameInfo{g}, nil
}

// reduceRow is calculateField in "reduceRow" mode: one number per row over
// the frame's numeric fields.
func reduceRow(frames []frameInfo, raw json.RawMessage) ([]frameInfo, error) {
	var o struct {
		Mode   string `json:"mode"`
		Reduce struct {
			Reducer string `json:"reducer"`
		} `json:"reduce"`
		Alias         string `json:"alias"`
		ReplaceFields bool   `json:"replaceFields"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return frames, err
	}
	if o.Mode != "reduceRow" || o.Alias == "" {
		return frames, fmt.Errorf("mode %q alias %q: the checks know reduceRow with an alias", o.Mode, o.Alias)
	}
	var out []frameInfo
	for _, f := range frames {
		var nums []fieldInfo
		for _, fl := range f.fields {
			if fl.kind == kindNumber {
				nums = append(nums, fl)
			}
		}
		calc := fieldInfo{name: o.Alias, kind: kindNumber}
		rows := 0
		if len(nums) > 0 {
			rows = len(nums[0].values)
		}
		for r := 0; r < rows; r++ {
			var vs []float64
			for _, n := range nums {
				if v, ok := n.values[r].(float64); ok {
					vs = append(vs, v)
				}
			}
			calc.values = append(calc.values, reduceValues(o.Reduce.Reducer, vs))
		}
		g := frameInfo{fields: []fieldInfo{calc}}
		if !o.ReplaceFields {
			g.fields = append(slices.Clone(f.fields), calc)
		}
		out = append(out, g)
	}
	return out, nil
}

func reduceValues(reducer string, vs []float64) any {
	switch reducer {
	case "count":
		return float64(len(vs))
	case "sum":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s
	case "min":
		if len(vs) == 0 {
			return nil
		}
		return slices.Min(vs)
	}
	return nil
}
