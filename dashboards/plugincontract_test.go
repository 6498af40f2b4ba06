package dashboards

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// The Grafana plugin's query contract as grafana-plugin/README.md states it:
// query types, the fields each frame has and the labels of numeric series.
// The dashboards and alert rules are checked against it here and, in
// pluginexec_test.go, against what the real plugin answers.

const pluginReadme = "../grafana-plugin/README.md"

// pluginDatasource is how the plugin dashboards and alert rules name the
// datasource: the provisioned one (provisioning/datasources/quorate.yaml).
var pluginDatasource = datasourceRef{Type: "quorate-datasource", UID: "quorate"}

// fieldKind is what a frame field holds, as far as panels care.
type fieldKind int

const (
	kindString fieldKind = iota
	kindNumber
	kindTime
)

type contractField struct {
	name string
	kind fieldKind
}

var (
	queryTypes = []string{"status", "current", "results", "failures", "uptime", "agents", "alerts"}
	// currentMetrics maps each `current` metric to its series' labels.
	currentMetrics = map[string][]string{
		"firing":                     {"endpoint_key"},
		"degraded":                   {"endpoint_key"},
		"cannot_reach_quorum":        {"endpoint_key"},
		"triggered_agents":           {"endpoint_key"},
		"reporting_agents":           {"endpoint_key"},
		"agent_success":              {"endpoint_key", "agent_id"},
		"certificate_expiry_seconds": {"endpoint_key", "agent_id"},
		"agent_stale":                {"agent_id"},
	}
	resultMetrics = []string{"duration_ms", "success"}
	uptimePer     = []string{"endpoint", "agent"}
	eventTypes    = []string{"FIRED", "RESOLVED", "REMINDER", "DEGRADED", "DEGRADED_CLEARED",
		"AGENT_STALE", "AGENT_BACK", "AGENT_TRIGGERED", "AGENT_CLEARED"}
	tableFields = map[string][]contractField{
		"status": {
			{name: "endpoint_key"}, {name: "endpoint_name"}, {name: "endpoint_group"}, {name: "agent_id"},
			{name: "agent_state"}, {name: "success", kind: kindNumber}, {name: "status", kind: kindNumber},
			{name: "duration_ms", kind: kindNumber}, {name: "errors"}, {name: "timestamp", kind: kindTime},
			{name: "quorum_state"}, {name: "triggered_agents", kind: kindNumber}, {name: "reporting_agents", kind: kindNumber},
			{name: "agent_quorum", kind: kindNumber}, {name: "monitors", kind: kindNumber},
		},
		"failures": {
			{name: "timestamp", kind: kindTime}, {name: "endpoint_key"}, {name: "agent_id"}, {name: "status", kind: kindNumber},
			{name: "duration_ms", kind: kindNumber}, {name: "errors"}, {name: "failed_conditions"},
		},
		"agents": {
			{name: "agent_id"}, {name: "agent_name"}, {name: "last_seen", kind: kindTime},
			{name: "stale_after_s", kind: kindNumber}, {name: "state"}, {name: "stale", kind: kindNumber},
		},
		"alerts": {
			{name: "time", kind: kindTime}, {name: "type"}, {name: "endpoint_key"}, {name: "agent_id"}, {name: "details"},
		},
	}
	// stateValues are the strings the contract allows in a field; value
	// mappings must cover them all.
	stateValues = map[string][]string{
		"agent_state":  {"up", "down", "stale", "no data"},
		"quorum_state": {"ok", "degraded", "firing"},
		"state":        {"Healthy", "Stale"},
		"type":         eventTypes,
	}
	// queryFields are the query's JSON fields besides Grafana's own.
	queryFields = []string{"queryType", "endpoint", "agent", "metric", "per", "eventTypes", "limit"}
)

const maxLimit = 10000

// contractFrames is the shape of the frames a query answers per the README,
// without values: one frame, or for `results` one per series.
func contractFrames(q pluginQuery) []frameInfo {
	if fs, ok := tableFields[q.QueryType]; ok {
		var f frameInfo
		for _, c := range fs {
			f.fields = append(f.fields, fieldInfo{name: c.name, kind: c.kind})
		}
		return []frameInfo{f}
	}
	switch q.QueryType {
	case "current":
		metric := cmpOr(q.Metric, "firing")
		return []frameInfo{{fields: []fieldInfo{{name: metric, kind: kindNumber, labels: sampleLabels(currentMetrics[metric])}}}}
	case "results":
		metric := cmpOr(q.Metric, "duration_ms")
		return []frameInfo{{fields: []fieldInfo{
			{name: "time", kind: kindTime},
			{name: metric, kind: kindNumber, labels: sampleLabels([]string{"endpoint_key", "agent_id"})},
		}}}
	case "uptime":
		labels := []string{"endpoint_key"}
		if q.Per == "agent" {
			labels = append(labels, "agent_id")
		}
		return []frameInfo{{fields: []fieldInfo{
			{name: "uptime", kind: kindNumber, labels: sampleLabels(labels)},
			{name: "avg_duration_ms", kind: kindNumber, labels: sampleLabels(labels)},
		}}}
	}
	return nil
}

func sampleLabels(names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = "x"
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkQueryContract reports fields of a plugin query that the plugin
// would refuse or silently ignore.
func checkQueryContract(q pluginQuery) []string {
	var errs []string
	if !slices.Contains(queryTypes, q.QueryType) {
		errs = append(errs, "queryType "+q.QueryType+" is not one of "+strings.Join(queryTypes, ", "))
	}
	switch q.QueryType {
	case "current":
		if _, ok := currentMetrics[cmpOr(q.Metric, "firing")]; !ok {
			errs = append(errs, "metric "+q.Metric+" is not a `current` metric")
		}
	case "results":
		if !slices.Contains(resultMetrics, cmpOr(q.Metric, "duration_ms")) {
			errs = append(errs, "metric "+q.Metric+" is not a `results` metric")
		}
	default:
		if q.Metric != "" {
			errs = append(errs, "metric is set but "+q.QueryType+" ignores it")
		}
	}
	if q.Per != "" && (q.QueryType != "uptime" || !slices.Contains(uptimePer, q.Per)) {
		errs = append(errs, "per "+q.Per+": only uptime takes per, endpoint or agent")
	}
	if q.QueryType == "agents" && q.Endpoint != "" {
		errs = append(errs, "endpoint is set but agents ignores it")
	}
	if len(q.EventTypes) > 0 {
		if q.QueryType != "alerts" {
			errs = append(errs, "eventTypes is set but "+q.QueryType+" ignores it")
		}
		for _, e := range q.EventTypes {
			if !slices.Contains(eventTypes, e) {
				errs = append(errs, "eventTypes: "+e+" is not an event type")
			}
		}
	}
	if q.Limit != nil {
		if q.QueryType != "failures" && q.QueryType != "alerts" {
			errs = append(errs, "limit is set but "+q.QueryType+" ignores it")
		}
		if *q.Limit < 1 || *q.Limit > maxLimit {
			errs = append(errs, "limit out of 1..10000")
		}
	}
	return errs
}

// TestPluginContractMatchesReadme keeps the contract above on the README:
// every query type, metric, field and event type it lists is written there
// in backticks, in the section that defines it.
func TestPluginContractMatchesReadme(t *testing.T) {
	b, err := os.ReadFile(pluginReadme)
	if err != nil {
		t.Fatalf("the plugin's contract: %v", err)
	}
	readme := string(b)
	frames := section(t, readme, "### Frames")
	for _, q := range queryTypes {
		if !strings.Contains(readme, "`"+q+"`") || !strings.Contains(frames, "**`"+q+"`**") {
			t.Errorf("query type %s is not described under Frames in %s", q, pluginReadme)
		}
	}
	current := bullet(t, frames, "**`current`**")
	for m, labels := range currentMetrics {
		if !strings.Contains(current, "`"+m+"`") {
			t.Errorf("current metric %s is not listed in %s", m, pluginReadme)
		}
		for _, l := range labels {
			if !strings.Contains(current, "`"+l+"`") {
				t.Errorf("label %s of current metric %s is not in %s", l, m, pluginReadme)
			}
		}
	}
	for q, fields := range tableFields {
		text := bullet(t, frames, "**`"+q+"`**")
		for _, f := range fields {
			if !strings.Contains(text, "`"+f.name+"`") {
				t.Errorf("%s frame field %s is not in %s", q, f.name, pluginReadme)
			}
		}
	}
	for field, values := range stateValues {
		for _, v := range values {
			if !strings.Contains(readme, "`"+v+"`") {
				t.Errorf("%s value %q is not in %s", field, v, pluginReadme)
			}
		}
	}
	for _, m := range resultMetrics {
		if !strings.Contains(bullet(t, frames, "**`results`**"), "`"+m+"`") {
			t.Errorf("results metric %s is not in %s", m, pluginReadme)
		}
	}
	queries := section(t, readme, "## Queries")
	for _, f := range queryFields {
		if !strings.Contains(queries, "| `"+f+"` |") {
			t.Errorf("query field %s has no row in the Queries table of %s", f, pluginReadme)
		}
	}
}

// section returns the text of a Markdown section from its heading to the
// next heading of the same or a higher level.
func section(t *testing.T, doc, heading string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("%s has no section %q", pluginReadme, heading)
	}
	rest := doc[i+len(heading)+2:]
	level := strings.Repeat("#", strings.Count(strings.Fields(heading)[0], "#"))
	for j := 0; j < len(rest); {
		k := strings.Index(rest[j:], "\n#")
		if k < 0 {
			break
		}
		line := rest[j+k+1:]
		hashes := len(line) - len(strings.TrimLeft(line, "#"))
		if hashes <= len(level) {
			return rest[:j+k]
		}
		j += k + 1
	}
	return rest
}

// bullet returns one top-level list item (with its continuation lines)
// that starts with marker.
func bullet(t *testing.T, text, marker string) string {
	t.Helper()
	i := strings.Index(text, "- "+marker)
	if i < 0 {
		t.Fatalf("%s: no list item %q", pluginReadme, marker)
	}
	rest := text[i+2:]
	if j := strings.Index(rest, "\n- "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
