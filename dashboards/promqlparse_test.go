package dashboards

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// checkPromQLParses has Prometheus's own parser read every expression and
// fails the test with promtool's findings. exprs maps a name for messages
// (panel, rule) to the expression.
func checkPromQLParses(t *testing.T, exprs map[string]string) {
	t.Helper()
	if len(exprs) == 0 {
		t.Fatal("no expressions to check")
	}
	if findings, err := parsePromQL(t, exprs); err != nil {
		t.Fatalf("promtool could not parse some expressions: %v\n%s", err, findings)
	}
}

// parsePromQL writes each expression as a recording rule of a temporary
// rule file and runs `promtool check rules` on it. On failure the findings
// name rules expr_<n>; they are followed by the index of names.
func parsePromQL(t *testing.T, exprs map[string]string) (string, error) {
	t.Helper()
	type recording struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	names := slices.Sorted(maps.Keys(exprs))
	rules := make([]recording, len(names))
	var index strings.Builder
	for i, name := range names {
		rules[i] = recording{Record: fmt.Sprintf("expr_%d", i+1), Expr: exprs[name]}
		fmt.Fprintf(&index, "  expr_%d = %s:\n    %s\n", i+1, name, strings.ReplaceAll(exprs[name], "\n", "\n    "))
	}
	file := map[string]any{"groups": []any{map[string]any{"name": "expressions", "rules": rules}}}
	b, err := yaml.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "expressions.yml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool(t), "check", "rules", "--lint=none", path).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s\nexpressions:\n%s", out, index.String()), err
	}
	return "", nil
}

// The parse check must be able to fail, or it proves nothing.
func TestParsePromQLRejectsWhatPrometheusRejects(t *testing.T) {
	tests := []struct {
		name  string
		expr  string
		valid bool
	}{
		{"aggregation over a rate", `sum by (agent_id) (rate(quorate_results_total[5m]))`, true},
		{"unclosed parenthesis", `sum(rate(quorate_results_total[5m])`, false},
		{"unsubstituted Grafana variable", `rate(quorate_results_total[$__rate_interval])`, false},
		{"invalid regular expression", `quorate_results_total{agent_id=~"("}`, false},
		{"range where an instant vector is needed", `sum(quorate_results_total[5m])`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings, err := parsePromQL(t, map[string]string{tt.name: tt.expr})
			if (err == nil) != tt.valid {
				t.Errorf("%s: parsed=%v, want %v\n%s", tt.expr, err == nil, tt.valid, findings)
			}
		})
	}
}
