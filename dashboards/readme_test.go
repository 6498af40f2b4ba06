package dashboards

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/otlptranslator"
)

var promqlBlock = regexp.MustCompile("(?s)```promql\n(.*?)```")

func TestReadmePromQLParses(t *testing.T) {
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for i, m := range promqlBlock.FindAllStringSubmatch(string(b), -1) {
		exprs[fmt.Sprintf("%s promql block %d", readmeFile, i+1)] = m[1]
	}
	checkPromQLParses(t, exprs)
}

// receiverMetric is what the naming needs from receiver/metadata.yaml.
type receiverMetric struct {
	Unit  string   `yaml:"unit"`
	Gauge struct{} `yaml:"gauge"`
	Sum   *struct {
		Monotonic bool `yaml:"monotonic"`
	} `yaml:"sum"`
}

var agentMetricRow = regexp.MustCompile("(?m)^\\| `(quorate\\.[a-z_.]+)` \\| ([^|]*) \\| `([a-z0-9_:]+)` \\|")

// TestReadmeAgentMetricNamesMatchTranslator checks the README's table of
// the agents' OTel metrics under their Prometheus names against the
// OTel-to-Prometheus translator Prometheus and the collector use, for
// every metric receiver/metadata.yaml defines.
func TestReadmeAgentMetricNamesMatchTranslator(t *testing.T) {
	var meta struct {
		Metrics map[string]receiverMetric `yaml:"metrics"`
	}
	readYAML(t, receiverMetadata, &meta)
	if len(meta.Metrics) == 0 {
		t.Fatalf("%s: no metrics", receiverMetadata)
	}
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][2]string{} // OTel name -> unit, Prometheus name
	for _, m := range agentMetricRow.FindAllStringSubmatch(string(b), -1) {
		rows[m[1]] = [2]string{strings.TrimSpace(m[2]), m[3]}
	}
	namer := otlptranslator.NewMetricNamer("", otlptranslator.UnderscoreEscapingWithSuffixes)
	for name, m := range meta.Metrics {
		var kind otlptranslator.MetricType = otlptranslator.MetricTypeGauge
		if m.Sum != nil {
			kind = otlptranslator.MetricTypeNonMonotonicCounter
			if m.Sum.Monotonic {
				kind = otlptranslator.MetricTypeMonotonicCounter
			}
		}
		want, err := namer.Build(otlptranslator.Metric{Name: name, Unit: m.Unit, Type: kind})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		row, ok := rows[name]
		switch {
		case !ok:
			t.Errorf("%s has no row for %s (Prometheus name %s)", readmeFile, name, want)
		case row != [2]string{m.Unit, want}:
			t.Errorf("%s: row for %s says unit %q name %s; metadata and translator say %q %s", readmeFile, name, row[0], row[1], m.Unit, want)
		}
	}
	for name := range rows {
		if _, ok := meta.Metrics[name]; !ok {
			t.Errorf("%s lists %s, which %s does not define", readmeFile, name, receiverMetadata)
		}
	}
}
