package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// quorateBin is the collector under test; without it (plain `go test`) the
// tests skip and say how to run them.
func quorateBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("QUORATE_BIN")
	if bin == "" {
		t.Skip("QUORATE_BIN is not set: run `make test`, which builds bin/quorate and sets it")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("QUORATE_BIN=%s: %v (run `make build`)", bin, err)
	}
	return bin
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// freeAddr is a loopback address nobody listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Timing of every cluster: probes each second, agents poll their
// assignments every two seconds and retry a central that is away at least
// every two seconds. An alert fires when 2 of 3 agents each saw 2 failures
// in a row and resolves after 2 successes in a row.
const (
	probeInterval    = time.Second
	refreshInterval  = 2 * time.Second
	failureThreshold = 2
	successThreshold = 2
	agentQuorum      = 2
)

// agentIDs are the three agents of every cluster.
var agentIDs = []string{"eu", "us", "ap"}

func tokenOf(agent string) string { return "e2e-token-" + agent }

// endpointSpec is one endpoint of the monitoring file, in group e2e, probed
// by every agent, with one alert at the timing above.
type endpointSpec struct {
	name string
	url  string
}

func (e endpointSpec) key() string { return "e2e_" + e.name }

// monitoringFile is the central's monitoring config for the endpoints;
// staleAfter 0 leaves the default.
func monitoringFile(staleAfter time.Duration, eps ...endpointSpec) string {
	var b strings.Builder
	b.WriteString("agents:\n")
	for _, id := range agentIDs {
		fmt.Fprintf(&b, "  - id: %s\n    token: %s\n", id, tokenOf(id))
		if staleAfter > 0 {
			fmt.Fprintf(&b, "    stale-after: %s\n", staleAfter)
		}
	}
	b.WriteString("endpoints:\n")
	for _, e := range eps {
		fmt.Fprintf(&b, `  - name: %s
    group: e2e
    url: %s
    interval: %s
    conditions: ["[STATUS] == 200", "[BODY].status == UP"]
    monitored-by: [%s]
    alerts:
      - type: custom
        failure-threshold: %d
        success-threshold: %d
        agent-quorum: %d
        send-on-resolved: true
`, e.name, e.url, probeInterval, strings.Join(agentIDs, ", "), failureThreshold, successThreshold, agentQuorum)
	}
	return b.String()
}

// agentOptions adjust one agent of a cluster.
type agentOptions struct {
	// queueSize is the agent exporter's queue_size; 0 keeps the example's.
	queueSize int
	// recordProduced adds a file exporter beside the agent exporter, so
	// that every result the agent produced can be compared with what the
	// central stored.
	recordProduced bool
}

// cluster is a central and three agents, each a bin/quorate process run
// from the shipped examples with QUORATE_* variables moving ports and files
// into the test's temporary directory.
type cluster struct {
	t              testing.TB
	bin, dir       string
	monitoringPath string
	db             string
	transitions    string // the central's file exporter: results and transitions
	otlp, api      string // base URLs
	metricsURL     string
	centralEnv     []string
	central        *proc
	agents         map[string]*agent
}

type agent struct {
	*proc
	id        string
	telemetry string // base URL of the collector's own metrics
	cacheFile string
	produced  string // results file when recordProduced, else ""
	env       []string
	args      []string
}

// startCluster starts the central with the monitoring file, then the three
// agents, and returns once every agent has applied its assignments.
func startCluster(t testing.TB, monitoring string, opts map[string]agentOptions) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: quorateBin(t), dir: t.TempDir(), agents: map[string]*agent{}}
	c.monitoringPath = filepath.Join(c.dir, "monitoring.yaml")
	c.writeMonitoring(monitoring)
	c.db = filepath.Join(c.dir, "quorate.db")
	c.transitions = filepath.Join(c.dir, "central.jsonl")
	otlp, api, met := freeAddr(t), freeAddr(t), freeAddr(t)
	c.otlp, c.api, c.metricsURL = "http://"+otlp, "http://"+api, "http://"+met
	c.centralEnv = []string{
		"QUORATE_MONITORING_FILE=" + c.monitoringPath,
		"QUORATE_DB=" + c.db,
		"QUORATE_CENTRAL_FILE=" + c.transitions,
		"QUORATE_OTLP_ENDPOINT=" + otlp,
		"QUORATE_API_ENDPOINT=" + api,
		"QUORATE_METRICS_ENDPOINT=" + met,
	}
	t.Cleanup(c.shutdown)
	c.startCentral()
	for _, id := range agentIDs {
		c.startAgent(id, opts[id])
	}
	for _, id := range agentIDs {
		c.waitAgentReady(c.agents[id])
	}
	return c
}

// startCentral runs examples/central.yaml and waits for its agent API. The
// collector's own metrics are off: the product metrics are on metricsURL.
func (c *cluster) startCentral() {
	c.t.Helper()
	c.central = startProc(c.t, "central", repoRoot(), filepath.Join(c.dir, "central.log"), c.centralEnv, c.bin,
		"--config", filepath.Join("examples", "central.yaml"), "--set=service::telemetry::metrics::level=none")
	eventually(c.t, time.Minute, "central answers on its agent API", c.logs, func() (bool, string) {
		if c.central.exited() {
			c.t.Fatalf("central exited: %v\n%s", c.central.waitErr, c.central.tail())
		}
		resp, err := http.Get(c.api + "/api/v1/agents")
		if err != nil {
			return false, err.Error()
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// startAgent runs examples/agent.yaml as agent id.
func (c *cluster) startAgent(id string, o agentOptions) {
	c.t.Helper()
	telemetry := freeAddr(c.t)
	_, port, _ := net.SplitHostPort(telemetry)
	a := &agent{
		id:        id,
		telemetry: "http://" + telemetry,
		cacheFile: filepath.Join(c.dir, "assignments-"+id+".json"),
		args:      []string{"--config", filepath.Join("examples", "agent.yaml")},
	}
	a.env = []string{
		"QUORATE_AGENT_ID=" + id,
		"QUORATE_AGENT_TOKEN=" + tokenOf(id),
		"QUORATE_CENTRAL_API=" + c.api,
		"QUORATE_CENTRAL_OTLP=" + c.otlp,
		"QUORATE_REFRESH_INTERVAL=" + refreshInterval.String(),
		"QUORATE_ASSIGNMENTS_FILE=" + a.cacheFile,
		"QUORATE_TELEMETRY_PORT=" + port,
		"QUORATE_RETRY_MAX_INTERVAL=2s",
	}
	if o.queueSize > 0 {
		a.env = append(a.env,
			"QUORATE_QUEUE_SIZE="+strconv.Itoa(o.queueSize),
			"QUORATE_MAX_BATCH_SIZE="+strconv.Itoa(min(o.queueSize, 1000)))
	}
	if o.recordProduced {
		a.produced = filepath.Join(c.dir, "produced-"+id+".jsonl")
		overlay := filepath.Join(c.dir, "record-"+id+".yaml")
		body := fmt.Sprintf(`exporters:
  file/produced:
    path: %s
service:
  pipelines:
    logs:
      exporters: [agent, file/produced]
`, a.produced)
		if err := os.WriteFile(overlay, []byte(body), 0o600); err != nil {
			c.t.Fatal(err)
		}
		a.args = append(a.args, "--config", overlay)
	}
	a.proc = startProc(c.t, "agent "+id, repoRoot(), filepath.Join(c.dir, "agent-"+id+".log"), a.env, c.bin, a.args...)
	c.agents[id] = a
}

// waitAgentReady waits until the agent has applied assignments from the
// central (its cache file is written after each applied version) and its
// telemetry answers.
func (c *cluster) waitAgentReady(a *agent) {
	c.t.Helper()
	eventually(c.t, time.Minute, "agent "+a.id+" applies its assignments", c.logs, func() (bool, string) {
		if a.exited() {
			c.t.Fatalf("agent %s exited: %v\n%s", a.id, a.waitErr, a.tail())
		}
		if _, err := os.Stat(a.cacheFile); err != nil {
			return false, err.Error()
		}
		_, err := scrape(a.telemetry)
		return err == nil, fmt.Sprint(err)
	})
}

// writeMonitoring replaces the monitoring file the way an editor or a
// config management tool does: a new file renamed over the old one.
func (c *cluster) writeMonitoring(body string) {
	c.t.Helper()
	tmp := c.monitoringPath + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, c.monitoringPath); err != nil {
		c.t.Fatal(err)
	}
}

// centralMetrics scrapes the central's product metrics.
func (c *cluster) centralMetrics() (metrics, error) { return scrape(c.metricsURL) }

// mustCentralMetrics scrapes and fails the test when the central is away.
func (c *cluster) mustCentralMetrics(t testing.TB) metrics {
	t.Helper()
	m, err := c.centralMetrics()
	if err != nil {
		t.Fatalf("scrape central: %v\n%s", err, c.logs())
	}
	return m
}

// mustAgentMetrics scrapes an agent's collector telemetry.
func (c *cluster) mustAgentMetrics(t testing.TB, id string) metrics {
	t.Helper()
	m, err := scrape(c.agents[id].telemetry)
	if err != nil {
		t.Fatalf("scrape agent %s: %v\n%s", id, err, c.logs())
	}
	return m
}

// waitEndpoint waits until the central's gauges of key reach want, e.g.
// {"alert_firing": 1, "degraded": 0}, named without the
// quorate_endpoint_ prefix.
func (c *cluster) waitEndpoint(t testing.TB, timeout time.Duration, key string, want map[string]float64) {
	t.Helper()
	eventually(t, timeout, fmt.Sprintf("%s reaches %v", key, want), c.logs, func() (bool, string) {
		m, err := c.centralMetrics()
		if err != nil {
			return false, err.Error()
		}
		return endpointIs(m, key, want)
	})
}

// endpointIs compares the gauges of key with want and describes them.
func endpointIs(m metrics, key string, want map[string]float64) (bool, string) {
	ok := true
	var got []string
	for _, g := range []string{"alert_firing", "degraded", "triggered_agents", "reporting_agents"} {
		v, found := m.value("quorate_endpoint_"+g, "endpoint_key", key)
		got = append(got, fmt.Sprintf("%s=%v", g, v))
		if w, check := want[g]; check && (!found || v != w) {
			ok = false
		}
	}
	return ok, strings.Join(got, " ")
}

// agentStatus is one entry of GET /api/v1/agents.
type agentStatus struct {
	ID       string     `json:"id"`
	LastSeen *time.Time `json:"last_seen"`
	Stale    bool       `json:"stale"`
}

// agentsAPI lists the agents as the central's API reports them.
func (c *cluster) agentsAPI() (map[string]agentStatus, error) {
	resp, err := http.Get(c.api + "/api/v1/agents")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var list []agentStatus
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	out := map[string]agentStatus{}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

// cachedKeys are the endpoint keys an agent's assignment cache holds: what
// it applied last.
func (a *agent) cachedKeys() (map[string]bool, error) {
	b, err := os.ReadFile(a.cacheFile)
	if err != nil {
		return nil, err
	}
	var f struct {
		Endpoints []struct {
			Name  string `json:"name"`
			Group string `json:"group"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", a.cacheFile, err)
	}
	keys := map[string]bool{}
	for _, e := range f.Endpoints {
		keys[e.Group+"_"+e.Name] = true
	}
	return keys, nil
}

// stopAgents stops every agent that still runs, all at once; each flushes
// its queue to the central on the way out.
func (c *cluster) stopAgents(t testing.TB) {
	t.Helper()
	var wg sync.WaitGroup
	for _, id := range agentIDs {
		if a := c.agents[id]; a != nil && a.proc != nil {
			wg.Go(func() { a.stop(t) })
		}
	}
	wg.Wait()
}

// shutdown stops agents first, then the central, and shows the logs of a
// failed test.
func (c *cluster) shutdown() {
	if c.t.Failed() {
		c.t.Log(c.logs())
	}
	c.stopAgents(c.t)
	if c.central != nil {
		c.central.stop(c.t)
	}
}

// logs are the ends of every process's log.
func (c *cluster) logs() string {
	var b strings.Builder
	if c.central != nil {
		b.WriteString(c.central.tail())
	}
	for _, id := range agentIDs {
		if a := c.agents[id]; a != nil && a.proc != nil {
			b.WriteString(a.tail())
		}
	}
	return b.String()
}
