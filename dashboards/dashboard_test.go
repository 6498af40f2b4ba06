package dashboards

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The subset of Grafana's dashboard JSON model these checks read. Decoding
// into it rejects a field of the wrong JSON type (a gridPos given as a
// string, an id as text) the way Grafana's own model would.
type dashboardModel struct {
	Title         string      `json:"title"`
	UID           string      `json:"uid"`
	SchemaVersion int         `json:"schemaVersion"`
	Tags          []string    `json:"tags"`
	Panels        []panel     `json:"panels"`
	Templating    templating  `json:"templating"`
	Annotations   annotations `json:"annotations"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
}

type panel struct {
	ID              int              `json:"id"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	Datasource      *datasourceRef   `json:"datasource"`
	GridPos         *gridPos         `json:"gridPos"`
	Targets         []target         `json:"targets"`
	Panels          []panel          `json:"panels"` // of a collapsed row
	Transformations []transformation `json:"transformations"`
	FieldConfig     struct {
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options any    `json:"options"`
			} `json:"matcher"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type gridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type target struct {
	RefID        string         `json:"refId"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat"`
	Datasource   *datasourceRef `json:"datasource"`
}

type transformation struct {
	ID      string `json:"id"`
	Options struct {
		RenameByName map[string]string `json:"renameByName"`
	} `json:"options"`
}

type templating struct {
	List []variable `json:"list"`
}

type variable struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Query      any            `json:"query"` // a string, or an object with a query field
	Definition string         `json:"definition"`
	Datasource *datasourceRef `json:"datasource"`
}

type annotations struct {
	List []struct {
		Name        string         `json:"name"`
		Datasource  *datasourceRef `json:"datasource"`
		Expr        string         `json:"expr"`
		TitleFormat string         `json:"titleFormat"`
		BuiltIn     int            `json:"builtIn"`
	} `json:"list"`
}

// The dashboards query Prometheus through this variable, so that one JSON
// works with whatever the datasource is called.
var templatedPrometheus = datasourceRef{Type: "prometheus", UID: "${datasource}"}

// corePanelTypes are panel plugins built into Grafana 10 and later.
var corePanelTypes = []string{
	"row", "stat", "table", "timeseries", "status-history", "state-timeline", "bargauge",
	"gauge", "text", "heatmap", "barchart", "piechart", "histogram", "logs",
}

// requiredVariables are the template variables of the Prometheus dashboards.
var requiredVariables = []string{"datasource", "endpoint_key", "agent_id"}

func loadDashboard(t *testing.T, path string) dashboardModel {
	t.Helper()
	var raw map[string]any
	readJSON(t, path, &raw)
	for _, key := range []string{"title", "uid", "panels", "schemaVersion", "templating"} {
		if _, ok := raw[key]; !ok {
			t.Fatalf("%s: missing top-level %q, which Grafana's dashboard model requires", path, key)
		}
	}
	var d dashboardModel
	readJSON(t, path, &d)
	return d
}

// prometheusDashboards are the dashboards whose datasource variable lists
// Prometheus datasources: their queries are PromQL. Dashboards on other
// datasources (the Quorate plugin's) get only the model checks here.
func prometheusDashboards(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, path := range dashboardFiles(t) {
		for _, v := range loadDashboard(t, path).Templating.List {
			if v.Name == "datasource" && v.Type == "datasource" && v.Query == templatedPrometheus.Type {
				out = append(out, path)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no dashboard in %s queries Prometheus through a datasource variable", dashboardsDir)
	}
	return out
}

// allPanels flattens rows: collapsed rows hold their panels inside.
func allPanels(panels []panel) []panel {
	var out []panel
	for _, p := range panels {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

var uidPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)

func TestDashboardTopLevelFields(t *testing.T) {
	for _, path := range dashboardFiles(t) {
		d := loadDashboard(t, path)
		if strings.TrimSpace(d.Title) == "" {
			t.Errorf("%s: empty title", path)
		}
		if !uidPattern.MatchString(d.UID) {
			t.Errorf("%s: uid %q: want 1 to 40 letters, digits, - or _", path, d.UID)
		}
		// 36 is Grafana 9.4's; older Grafana migrates panels on load.
		if d.SchemaVersion < 36 {
			t.Errorf("%s: schemaVersion %d: want at least 36", path, d.SchemaVersion)
		}
		if len(d.Panels) == 0 {
			t.Errorf("%s: no panels", path)
		}
		if d.Time.From == "" || d.Time.To == "" {
			t.Errorf("%s: no default time range", path)
		}
	}
}

func TestDashboardPanelsAreWellFormed(t *testing.T) {
	for _, path := range dashboardFiles(t) {
		d := loadDashboard(t, path)
		prometheus := slices.Contains(prometheusDashboards(t), path)
		ids := map[int]string{}
		for _, p := range allPanels(d.Panels) {
			name := fmt.Sprintf("%s: panel %d %q", path, p.ID, p.Title)
			if p.ID <= 0 {
				t.Errorf("%s: id must be a positive integer", name)
			} else if other, dup := ids[p.ID]; dup {
				t.Errorf("%s: id also used by %q", name, other)
			}
			ids[p.ID] = p.Title
			if p.Title == "" {
				t.Errorf("%s: no title", name)
			}
			if !slices.Contains(corePanelTypes, p.Type) {
				t.Errorf("%s: type %q is not a core Grafana panel", name, p.Type)
			}
			checkGridPos(t, name, p.GridPos)
			if p.Type == "row" {
				continue // rows group panels and run no query
			}
			if p.Datasource == nil || p.Datasource.Type == "" || p.Datasource.UID == "" {
				t.Errorf("%s: datasource %+v: want its type and uid", name, p.Datasource)
			} else if prometheus && *p.Datasource != templatedPrometheus {
				t.Errorf("%s: datasource %+v, want %+v", name, *p.Datasource, templatedPrometheus)
			}
			checkTargets(t, name, p, prometheus)
			checkFieldNames(t, name, p)
		}
	}
}

func checkGridPos(t *testing.T, name string, g *gridPos) {
	t.Helper()
	switch {
	case g == nil:
		t.Errorf("%s: no gridPos", name)
	case g.H < 1 || g.W < 1 || g.X < 0 || g.Y < 0:
		t.Errorf("%s: gridPos %+v: want h, w >= 1 and x, y >= 0", name, *g)
	case g.X+g.W > 24:
		t.Errorf("%s: gridPos %+v is wider than Grafana's 24 columns", name, *g)
	}
}

func checkTargets(t *testing.T, name string, p panel, prometheus bool) {
	t.Helper()
	if len(p.Targets) == 0 {
		t.Errorf("%s: no queries", name)
	}
	refs := map[string]bool{}
	for _, q := range p.Targets {
		if q.RefID == "" || refs[q.RefID] {
			t.Errorf("%s: refId %q missing or repeated", name, q.RefID)
		}
		refs[q.RefID] = true
		if !prometheus {
			continue
		}
		if strings.TrimSpace(q.Expr) == "" {
			t.Errorf("%s: query %s has no expr", name, q.RefID)
		}
		if q.Datasource != nil && *q.Datasource != templatedPrometheus {
			t.Errorf("%s: query %s datasource %+v, want %+v", name, q.RefID, *q.Datasource, templatedPrometheus)
		}
	}
}

var valueOfQuery = regexp.MustCompile(`^Value #(\w+)$`)

// checkFieldNames ties table columns to queries: "Value #B" must name a
// query of the panel, and overrides by name must hit a column the panel
// produces (a renamed one), or they silently style nothing.
func checkFieldNames(t *testing.T, name string, p panel) {
	t.Helper()
	refs := map[string]bool{}
	for _, q := range p.Targets {
		refs[q.RefID] = true
	}
	renamed := map[string]bool{}
	for _, tr := range p.Transformations {
		for from, to := range tr.Options.RenameByName {
			if m := valueOfQuery.FindStringSubmatch(from); m != nil && !refs[m[1]] {
				t.Errorf("%s: transformation %s renames %q, but there is no query %s", name, tr.ID, from, m[1])
			}
			renamed[to] = true
		}
	}
	for _, o := range p.FieldConfig.Overrides {
		field, _ := o.Matcher.Options.(string)
		if o.Matcher.ID == "byName" && len(renamed) > 0 && !renamed[field] {
			t.Errorf("%s: override for field %q, which no transformation produces", name, field)
		}
	}
}

func TestDashboardPanelsDoNotOverlap(t *testing.T) {
	for _, path := range dashboardFiles(t) {
		d := loadDashboard(t, path)
		ps := d.Panels // nested panels of collapsed rows are laid out when expanded
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				a, b := ps[i].GridPos, ps[j].GridPos
				if a == nil || b == nil {
					continue // reported by TestDashboardPanelsAreWellFormed
				}
				if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
					t.Errorf("%s: panels %d %q and %d %q overlap", path, ps[i].ID, ps[i].Title, ps[j].ID, ps[j].Title)
				}
			}
		}
	}
}

func TestDashboardTemplateVariables(t *testing.T) {
	for _, path := range dashboardFiles(t) {
		d := loadDashboard(t, path)
		prometheus := slices.Contains(prometheusDashboards(t), path)
		vars := map[string]variable{}
		for _, v := range d.Templating.List {
			if _, dup := vars[v.Name]; dup {
				t.Errorf("%s: variable %q declared twice", path, v.Name)
			}
			vars[v.Name] = v
			if v.Type != "query" {
				continue
			}
			if prometheus && (v.Datasource == nil || v.Datasource.UID != "${datasource}") {
				t.Errorf("%s: variable %q: datasource %+v, want the ${datasource} variable", path, v.Name, v.Datasource)
			}
			if !prometheus && (v.Datasource == nil || *v.Datasource != pluginDatasource) {
				t.Errorf("%s: variable %q: datasource %+v, want the plugin's %+v", path, v.Name, v.Datasource, pluginDatasource)
			}
		}
		if !prometheus {
			continue // the plugin's dashboards choose their own filters
		}
		for _, name := range requiredVariables {
			if _, ok := vars[name]; !ok {
				t.Errorf("%s: no template variable %q", path, name)
			}
		}
		if ds := vars["datasource"]; ds.Type != "datasource" {
			t.Errorf("%s: variable datasource is of type %q, want a datasource variable", path, ds.Type)
		}
	}
}
