package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// setupFlags are the inputs of the two files setup writes.
type setupFlags struct {
	dir       string
	agents    int
	endpoints int
	driver    string
	dsn       string
	dbPath    string
	otlp      string // host:port of each listener
	api       string
	metrics   string
	pprof     string // empty: no pprof extension
	maxBatch  int    // storage.batching.max_batch_size; 0: the default
}

// runSetup writes <dir>/monitoring.yaml and <dir>/central.yaml.
func runSetup(args []string) error {
	var f setupFlags
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.StringVar(&f.dir, "dir", "", "directory to write monitoring.yaml and central.yaml into")
	fs.IntVar(&f.agents, "agents", 5, "agents (tokens)")
	fs.IntVar(&f.endpoints, "endpoints", 1000, "endpoints, each monitored by every agent")
	fs.StringVar(&f.driver, "driver", "postgres", "storage driver: postgres or sqlite")
	fs.StringVar(&f.dsn, "dsn", "", "PostgreSQL DSN (driver postgres)")
	fs.StringVar(&f.dbPath, "db", "", "SQLite file (driver sqlite)")
	fs.StringVar(&f.otlp, "otlp", "", "host:port of the OTLP/HTTP receiver")
	fs.StringVar(&f.api, "api", "", "host:port of the agent API")
	fs.StringVar(&f.metrics, "metrics", "", "host:port of the Prometheus metrics")
	fs.StringVar(&f.pprof, "pprof", "", "host:port of the pprof extension (empty: none)")
	fs.IntVar(&f.maxBatch, "max-batch", 0, "storage.batching.max_batch_size of the central (0: its default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.dir == "" || f.otlp == "" || f.api == "" || f.metrics == "" {
		return fmt.Errorf("setup: -dir, -otlp, -api and -metrics are required")
	}
	if f.maxBatch < 0 {
		return fmt.Errorf("setup: -max-batch %d must not be negative", f.maxBatch)
	}
	if f.agents < 1 || f.endpoints < 1 {
		return fmt.Errorf("setup: -agents %d and -endpoints %d must be at least 1", f.agents, f.endpoints)
	}
	mon := filepath.Join(f.dir, "monitoring.yaml")
	if err := os.WriteFile(mon, []byte(monitoringYAML(f.agents, f.endpoints)), 0o600); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	cfg, err := centralYAML(f, mon)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(f.dir, "central.yaml"), []byte(cfg), 0o600); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

// quorum is the agent-quorum of every alert: 3, or every agent when fewer.
func quorum(agents int) int { return min(3, agents) }

// monitoringYAML: every endpoint is monitored by every agent and alerts
// when quorum(agents) of them each failed 3 times in a row. The rate limit
// is far above what the benchmark sends, so nothing is throttled.
func monitoringYAML(agents, endpoints int) string {
	var b strings.Builder
	b.WriteString("# Written by bench/central setup; deleted with its directory.\nagents:\n")
	ids := make([]string, agents)
	for i := range agents {
		ids[i] = agentID(i)
		fmt.Fprintf(&b, "  - {id: %s, name: Bench agent %d, token: %s, rate-per-second: 1000000}\n", ids[i], i+1, agentToken(i))
	}
	monitoredBy := "[" + strings.Join(ids, ", ") + "]"
	alert := fmt.Sprintf("[{type: slack, failure-threshold: 3, success-threshold: 2, agent-quorum: %d}]", quorum(agents))
	b.WriteString("endpoints:\n")
	endpointYAML := func(name string) {
		fmt.Fprintf(&b, "  - name: %s\n    group: %s\n    url: %s\n    interval: 60s\n", name, group, targetURL(name))
		b.WriteString("    conditions: [\"[STATUS] == 200\", \"[RESPONSE_TIME] < 300\"]\n")
		fmt.Fprintf(&b, "    monitored-by: %s\n    alerts: %s\n", monitoredBy, alert)
	}
	for j := range endpoints {
		endpointYAML(endpointName(j))
	}
	endpointYAML(markerName)
	return b.String()
}

// centralYAML is the central as in examples/central.yaml, minus batching
// and the file exporter: OTLP/HTTP with the agents' bearer tokens, then the
// quorum processor, then a debug exporter that logs one line in a thousand.
func centralYAML(f setupFlags, monitoringFile string) (string, error) {
	var storage string
	switch f.driver {
	case "postgres":
		if f.dsn == "" {
			return "", fmt.Errorf("setup: -dsn is required with -driver postgres")
		}
		storage = fmt.Sprintf("driver: postgres, dsn: %q", f.dsn)
	case "sqlite":
		if f.dbPath == "" {
			return "", fmt.Errorf("setup: -db is required with -driver sqlite")
		}
		storage = fmt.Sprintf("driver: sqlite, path: %q", f.dbPath)
	default:
		return "", fmt.Errorf("setup: -driver %q: use postgres or sqlite", f.driver)
	}
	if f.maxBatch > 0 {
		storage += fmt.Sprintf(", batching: {max_batch_size: %d}", f.maxBatch)
	}
	storage = "{" + storage + "}"
	extensions, pprof := "[quorate_central]", ""
	if f.pprof != "" {
		extensions = "[quorate_central, pprof]"
		// Contention too: one mutex event in 10, blocking sampled every 1ms.
		pprof = fmt.Sprintf("  pprof: {endpoint: %q, mutex_profile_fraction: 10, block_profile_fraction: 1000000}\n", f.pprof)
	}
	return fmt.Sprintf(`# Written by bench/central setup.
extensions:
  quorate_central:
    monitoring_file: %q
    api: {endpoint: %q}
    metrics: {endpoint: %q}
    storage: %s
%sreceivers:
  otlp:
    protocols:
      http:
        endpoint: %q
        auth: {authenticator: quorate_central}
        middlewares: [{id: quorate_central}]
processors:
  quorum: {central: quorate_central}
exporters:
  debug: {verbosity: basic, sampling_initial: 1, sampling_thereafter: 1000}
service:
  extensions: %s
  telemetry:
    metrics: {level: none}
    logs: {level: info}
  pipelines:
    logs:
      receivers: [otlp]
      processors: [quorum]
      exporters: [debug]
`, monitoringFile, f.api, f.metrics, storage, pprof, f.otlp, extensions), nil
}
