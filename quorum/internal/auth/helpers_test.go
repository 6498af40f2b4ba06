package auth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quorate/quorate/quorum/internal/monitoring"
)

// agentSpec is one agent of a generated monitoring config; an empty token
// leaves the key out (only allowed for local).
type agentSpec struct {
	id    string
	token string
	rate  float64
}

// parseConfig builds a monitoring config with these agents and one
// endpoint monitored by all of them.
func parseConfig(t testing.TB, agents ...agentSpec) *monitoring.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("agents:\n")
	ids := make([]string, 0, len(agents))
	for _, a := range agents {
		fmt.Fprintf(&b, "  - id: %s\n", a.id)
		if a.token != "" {
			fmt.Fprintf(&b, "    token: %q\n", a.token)
		}
		if a.rate != 0 {
			fmt.Fprintf(&b, "    rate-per-second: %v\n", a.rate)
		}
		ids = append(ids, a.id)
	}
	fmt.Fprintf(&b, `endpoints:
  - name: api
    url: http://127.0.0.1/health
    monitored-by: [%s]
    conditions: ["[STATUS] == 200"]
`, strings.Join(ids, ", "))
	cfg, err := monitoring.Parse([]byte(b.String()))
	if err != nil {
		t.Fatalf("monitoring.Parse: %v\n%s", err, b.String())
	}
	return cfg
}
