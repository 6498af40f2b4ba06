package dashboards

import (
	"slices"
	"strings"
	"testing"
)

// promqlRefs are the names an expression refers to. Parsing proper is
// promtool's job; this scan only has to find names, so that they can be
// checked against docs/metrics.md without importing Prometheus.
type promqlRefs struct {
	metrics []string // selected metric names
	labels  []string // label names in matchers and in by/without/on/ignoring/group_* lists
}

// promqlWords are PromQL keywords and aggregation operators: identifiers
// that are neither metrics nor functions called with parentheses.
var promqlWords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true, "atan2": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true, "inf": true, "nan": true,
}

// labelListWords are followed by a parenthesised list of label names.
var labelListWords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// scanPromQL returns the metric and label names expr refers to, each once,
// in order of appearance.
func scanPromQL(expr string) promqlRefs {
	var refs promqlRefs
	addTo := func(list *[]string, name string) {
		if !slices.Contains(*list, name) {
			*list = append(*list, name)
		}
	}
	s := expr
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(s, i)
		case c == '#': // comment to the end of the line
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{':
			end := matching(s, i, '{', '}')
			for _, name := range matcherLabels(s[i+1 : end]) {
				addTo(&refs.labels, name)
			}
			i = end + 1
		case c == '[': // range or subquery: durations and variables only
			i = matching(s, i, '[', ']') + 1
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			// A number or a duration (5m, 1e3, 0x1f): letters may follow digits.
			for i < len(s) && (isIdentChar(s[i]) || s[i] == '.') {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			word := s[start:i]
			next := nextNonSpace(s, i)
			lower := strings.ToLower(word)
			switch {
			case labelListWords[lower] && next < len(s) && s[next] == '(':
				end := matching(s, next, '(', ')')
				for _, name := range strings.Split(s[next+1:end], ",") {
					if name = strings.TrimSpace(name); name != "" {
						addTo(&refs.labels, name)
					}
				}
				i = end + 1
			case promqlWords[lower]:
			case next < len(s) && s[next] == '(': // a function call
			default:
				addTo(&refs.metrics, word)
			}
		default:
			i++
		}
	}
	return refs
}

// matcherLabels returns the label names of the matchers inside {...}.
func matcherLabels(body string) []string {
	var names []string
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(body, i)
		case isIdentStart(c):
			start := i
			for i < len(body) && isIdentChar(body[i]) {
				i++
			}
			names = append(names, body[start:i])
		default:
			i++
		}
	}
	return names
}

// skipString returns the index just past the string literal opening at i.
func skipString(s string, i int) int {
	quote := s[i]
	for i++; i < len(s); i++ {
		if s[i] == '\\' && quote != '`' {
			i++
			continue
		}
		if s[i] == quote {
			return i + 1
		}
	}
	return len(s)
}

// matching returns the index of the bracket closing the one at i (strings
// skipped), or len(s)-1 when it is unbalanced (promtool reports that).
func matching(s string, i int, open, close byte) int {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '"', '\'', '`':
			i = skipString(s, i)
			continue
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return len(s) - 1
}

func nextNonSpace(s string, i int) int {
	for i < len(s) && strings.ContainsRune(" \t\r\n", rune(s[i])) {
		i++
	}
	return i
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

func TestScanPromQLFindsMetricAndLabelNames(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		metrics []string
		labels  []string
	}{
		{
			name:    "bare selector",
			expr:    `quorate_agent_stale == 1`,
			metrics: []string{"quorate_agent_stale"},
		},
		{
			name:    "matchers with braces and commas inside strings",
			expr:    `quorate_results_total{endpoint_key=~"a{1,2}", success!="}"}`,
			metrics: []string{"quorate_results_total"},
			labels:  []string{"endpoint_key", "success"},
		},
		{
			name:    "aggregation, function, range with a variable",
			expr:    `sum by (endpoint_key, agent_id) (rate(quorate_results_total[$__rate_interval]))`,
			metrics: []string{"quorate_results_total"},
			labels:  []string{"endpoint_key", "agent_id"},
		},
		{
			name:    "aggregation clause after the body, histogram",
			expr:    `histogram_quantile(0.99, sum(rate(quorate_result_duration_seconds_bucket[5m])) without (instance))`,
			metrics: []string{"quorate_result_duration_seconds_bucket"},
			labels:  []string{"instance"},
		},
		{
			name:    "vector matching keywords and group_left labels",
			expr:    `a * on (agent_id) group_left (reason) b and ignoring(le) c unless d or e`,
			metrics: []string{"a", "b", "c", "d", "e"},
			labels:  []string{"agent_id", "reason", "le"},
		},
		{
			name:    "numbers, durations, offset, bool, subquery",
			expr:    "x offset 5m > bool 1e3 + 0x1f - .5 * Inf + max_over_time(y[1h:1m]) # why: comment z",
			metrics: []string{"x", "y"},
		},
		{
			name:    "group aggregation and time function",
			expr:    `time() - max by (agent_id) (group by (agent_id) (quorate_agent_last_seen_timestamp_seconds))`,
			metrics: []string{"quorate_agent_last_seen_timestamp_seconds"},
			labels:  []string{"agent_id"},
		},
		{
			name:   "selector by __name__ only",
			expr:   `count({__name__=~"quorate_.+"})`,
			labels: []string{"__name__"},
		},
		{
			name:    "recording rule names with colons",
			expr:    `avg_over_time(endpoint_key:quorate_endpoint_quorum_uptime:ratio_1h[30d])`,
			metrics: []string{"endpoint_key:quorate_endpoint_quorum_uptime:ratio_1h"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanPromQL(tt.expr)
			if !slices.Equal(got.metrics, tt.metrics) {
				t.Errorf("metrics = %q, want %q", got.metrics, tt.metrics)
			}
			if !slices.Equal(got.labels, tt.labels) {
				t.Errorf("labels = %q, want %q", got.labels, tt.labels)
			}
		})
	}
}
