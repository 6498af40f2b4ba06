package central

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
	_ "modernc.org/sqlite" // counts rows of the central's database

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/quorum"
	"github.com/quorate/quorate/quorum/centralextension"
)

// monitoringYAML: core/api is monitored by eu and us and fires when both
// fail once; us-only is not eu's; flood may send one request per 1000 s.
const monitoringYAML = `
agents:
  - {id: eu, token: central-test-eu}
  - {id: us, token: central-test-us}
  - {id: flood, token: central-test-flood, rate-per-second: 0.001}
endpoints:
  - name: api
    group: core
    url: http://127.0.0.1:1/health
    conditions: ["[STATUS] == 200"]
    monitored-by: [eu, us]
    alerts:
      - {type: slack, failure-threshold: 1, success-threshold: 1, agent-quorum: 2}
  - name: us-only
    url: http://127.0.0.1:1/us
    conditions: ["[STATUS] == 200"]
    monitored-by: [us]
  - name: flooded
    url: http://127.0.0.1:1/flood
    conditions: ["[STATUS] == 200"]
    monitored-by: [flood]
`

const collectorYAML = `
extensions:
  quorate_central:
    monitoring_file: %[1]s
    api: {endpoint: %[2]s}
    metrics: {endpoint: %[3]s}
    storage: {driver: sqlite, path: %[4]s}
receivers:
  otlp:
    protocols:
      http:
        endpoint: %[5]s
        auth: {authenticator: quorate_central}
        middlewares: [{id: quorate_central}]
processors:
  quorum: {}
exporters:
  recorder: {}
service:
  extensions: [quorate_central]
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
  pipelines:
    logs:
      receivers: [otlp]
      processors: [quorum]
      exporters: [recorder]
`

// central is a running in-process collector.
type central struct {
	otlp, api, metrics string // base URLs
	db                 string
	sink               *consumertest.LogsSink
	col                *otelcol.Collector
	done               chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startCentral(t *testing.T) *central {
	t.Helper()
	dir := t.TempDir()
	mon := filepath.Join(dir, "monitoring.yaml")
	if err := os.WriteFile(mon, []byte(monitoringYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &central{db: filepath.Join(dir, "quorate.db"), sink: new(consumertest.LogsSink), done: make(chan error, 1)}
	otlpAddr, apiAddr, metricsAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	c.otlp, c.api, c.metrics = "http://"+otlpAddr, "http://"+apiAddr, "http://"+metricsAddr
	cfgPath := filepath.Join(dir, "central.yaml")
	cfg := fmt.Sprintf(collectorYAML, mon, apiAddr, metricsAddr, c.db, otlpAddr)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	col, err := otelcol.NewCollector(otelcol.CollectorSettings{
		BuildInfo:               component.NewDefaultBuildInfo(),
		Factories:               factories(c.sink),
		DisableGracefulShutdown: true,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{ResolverSettings: confmap.ResolverSettings{
			URIs:              []string{"file:" + cfgPath},
			ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory()},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.col = col
	go func() { c.done <- col.Run(context.Background()) }()
	deadline := time.Now().Add(30 * time.Second)
	for col.GetState() != otelcol.StateRunning {
		select {
		case err := <-c.done:
			t.Fatalf("collector stopped while starting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("collector did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(c.stop)
	return c
}

// stop shuts the collector down, which flushes the database; safe to call
// twice.
func (c *central) stop() {
	if c.col == nil {
		return
	}
	c.col.Shutdown()
	<-c.done
	c.col = nil
}

func factories(sink *consumertest.LogsSink) func() (otelcol.Factories, error) {
	return func() (otelcol.Factories, error) {
		var f otelcol.Factories
		var err error
		f.Telemetry = otelconftelemetry.NewFactory()
		if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
			return f, err
		}
		if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](quorum.NewFactory()); err != nil {
			return f, err
		}
		if f.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](centralextension.NewFactory()); err != nil {
			return f, err
		}
		f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](recorderFactory(sink))
		return f, err
	}
}

// recorderFactory builds the `recorder` exporter: it keeps what reaches the
// end of the pipeline in sink.
func recorderFactory(sink *consumertest.LogsSink) exporter.Factory {
	return exporter.NewFactory(component.MustNewType("recorder"),
		func() component.Config { return &struct{}{} },
		exporter.WithLogs(func(context.Context, exporter.Settings, component.Config) (exporter.Logs, error) {
			return recorder{LogsSink: sink}, nil
		}, component.StabilityLevelDevelopment))
}

type recorder struct {
	component.StartFunc
	component.ShutdownFunc
	*consumertest.LogsSink
}

// probe is one result to send.
type probe struct {
	agent   string // the record's quorate.agent.id
	key     string // group_name; group "" when the key starts with _
	success bool
}

func results(probes ...probe) plog.Logs {
	ld := plog.NewLogs()
	for _, p := range probes {
		rl := ld.ResourceLogs().AppendEmpty()
		resultschema.SetResource(rl.Resource(), p.agent)
		group, name, _ := strings.Cut(p.key, "_")
		ep := &endpoint.Endpoint{Name: name, Group: group, URL: "http://127.0.0.1:1/"}
		res := &result.Result{Timestamp: time.Now(), Duration: 3 * time.Millisecond, HTTPStatus: 200, Success: p.success}
		resultschema.AppendLogRecord(rl.ScopeLogs().AppendEmpty(), ep, endpoint.TypeHTTP, res, time.Now())
	}
	return ld
}

// post sends logs as an agent does: OTLP/HTTP protobuf with a bearer token.
func post(t *testing.T, c *central, token string, ld plog.Logs) *http.Response {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.otlp+"/v1/logs", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// scrape returns the metrics text of the central.
func scrape(t *testing.T, metricsURL string) string {
	t.Helper()
	resp := get(t, metricsURL+"/metrics", nil)
	text, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(text)
}

// countRows counts stored results matching where (SQL over endpoint_results
// r joined with endpoints e).
func countRows(t *testing.T, db, where string, args ...any) int {
	t.Helper()
	d, err := sql.Open("sqlite", db+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	q := "SELECT COUNT(*) FROM endpoint_results r JOIN endpoints e ON e.endpoint_id = r.endpoint_id WHERE " + where
	if err := d.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// recorded lists "event key transition" of what reached the exporter.
func recorded(sink *consumertest.LogsSink) []string {
	var out []string
	for _, ld := range sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					key, _ := lr.Attributes().Get("quorate.endpoint.key")
					s := lr.EventName() + " " + key.AsString()
					if tr, ok := lr.Attributes().Get(quorum.AttrTransition); ok {
						s += " " + tr.Str()
					}
					if a, ok := lr.Attributes().Get(quorum.AttrAgentID); ok {
						s += " " + a.Str()
					}
					out = append(out, s)
				}
			}
		}
	}
	return out
}
