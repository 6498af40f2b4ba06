package dashboards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Files under test, relative to this package's directory (go test's working
// directory).
const (
	rulesFile        = "prometheus/quorate-rules.yml"
	rulesTestFile    = "prometheus/quorate-rules.test.yml"
	prometheusConfig = "prometheus/prometheus.example.yml"
	dashboardsDir    = "grafana"
	datasourceProv   = "provisioning/datasources/prometheus.yaml"
	dashboardProv    = "provisioning/dashboards/quorate.yaml"
	readmeFile       = "README.md"
	metricsDoc       = "../docs/metrics.md"
	receiverMetadata = "../receiver/metadata.yaml"
)

// scrapeLabels are added by Prometheus to every scraped series.
var scrapeLabels = []string{"job", "instance"}

// documentedMetric is one row of a table in docs/metrics.md.
type documentedMetric struct {
	kind   string // gauge, counter, histogram
	labels []string
}

var (
	docRow      = regexp.MustCompile("^\\|\\s*`(quorate_[a-z0-9_]+)`\\s*\\|\\s*([a-z]+)\\s*\\|([^|]*)\\|")
	backtickRef = regexp.MustCompile("`([a-z_]+)`")
)

// documentedMetrics reads the metric tables of docs/metrics.md. A histogram
// contributes its _bucket (with le), _sum and _count series.
func documentedMetrics(t *testing.T) map[string]documentedMetric {
	t.Helper()
	b, err := os.ReadFile(metricsDoc)
	if err != nil {
		t.Fatalf("reading the metrics reference: %v", err)
	}
	metrics := map[string]documentedMetric{}
	for line := range strings.Lines(string(b)) {
		m := docRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var labels []string
		for _, l := range backtickRef.FindAllStringSubmatch(m[3], -1) {
			labels = append(labels, l[1])
		}
		name, kind := m[1], m[2]
		metrics[name] = documentedMetric{kind: kind, labels: labels}
		if kind == "histogram" {
			metrics[name+"_bucket"] = documentedMetric{kind: "counter", labels: append(labels[:len(labels):len(labels)], "le")}
			metrics[name+"_sum"] = documentedMetric{kind: "counter", labels: labels}
			metrics[name+"_count"] = documentedMetric{kind: "counter", labels: labels}
		}
	}
	if len(metrics) < 10 {
		t.Fatalf("%s: found %d metric rows; has the table layout changed?", metricsDoc, len(metrics))
	}
	return metrics
}

// documentedLabels is every label of a documented metric plus those a scrape
// adds.
func documentedLabels(metrics map[string]documentedMetric) map[string]bool {
	labels := map[string]bool{"__name__": true}
	for _, l := range scrapeLabels {
		labels[l] = true
	}
	for _, m := range metrics {
		for _, l := range m.labels {
			labels[l] = true
		}
	}
	return labels
}

// dashboardFiles lists the dashboard JSON files.
func dashboardFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s (err %v)", dashboardsDir, err)
	}
	return files
}

// readJSON decodes a JSON file into v, rejecting trailing data.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: not valid JSON for this model: %v", path, err)
	}
	if dec.More() {
		t.Fatalf("%s: data after the JSON document", path)
	}
}

func TestDocumentedMetricsAreRead(t *testing.T) {
	metrics := documentedMetrics(t)
	tests := []struct {
		name   string
		kind   string
		labels []string
	}{
		{"quorate_endpoint_alert_firing", "gauge", []string{"endpoint_key"}},
		{"quorate_endpoint_agent_success", "gauge", []string{"endpoint_key", "agent_id"}},
		{"quorate_result_duration_seconds_bucket", "counter", []string{"endpoint_key", "agent_id", "le"}},
		{"quorate_results_rejected_total", "counter", []string{"agent_id", "reason"}},
	}
	for _, tt := range tests {
		got, ok := metrics[tt.name]
		if !ok {
			t.Errorf("%s not read from %s", tt.name, metricsDoc)
			continue
		}
		if got.kind != tt.kind || strings.Join(got.labels, ",") != strings.Join(tt.labels, ",") {
			t.Errorf("%s = %+v, want kind %s labels %v", tt.name, got, tt.kind, tt.labels)
		}
	}
}
