// Package plugintest runs the built Quorate data source plugin the way
// Grafana runs it: as a separate process started through hashicorp/go-plugin
// with Grafana's handshake, spoken to over gRPC. Tests use it to execute
// queries, health checks and resource calls against the real binary.
//
//	func TestMain(m *testing.M) { os.Exit(plugintest.Main(m)) }
//
//	func TestStatusPanel(t *testing.T) {
//		s, ds := plugintest.Postgres(t) // or plugintest.SQLite(t)
//		plugintest.Seed(t, s)
//		p := plugintest.Start(t)
//		res := p.Query(t, ds, plugintest.NewQuery("A", map[string]any{"queryType": "status"}, plugintest.SeedFrom, plugintest.SeedTo))
//		// res.Frames, res.Error ...
//	}
//
// The binary is $QUORATE_PLUGIN_BIN when set, else built once per test
// process with `go build` (Main removes it at the end).
package plugintest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// EnvBinary names the variable holding a prebuilt plugin binary.
const EnvBinary = "QUORATE_PLUGIN_BIN"

// PluginID is the plugin id Grafana would send.
const PluginID = "quorate-datasource"

// MainPackage is the plugin's main package, which Binary builds.
const MainPackage = "github.com/quorate/quorate/grafana-plugin/pkg"

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Main runs the tests of a package and then removes the binary Binary
// built; use it from TestMain. Without it the binary stays in the
// system's temporary directory.
func Main(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	return code
}

// Binary returns the plugin binary: $QUORATE_PLUGIN_BIN, or one `go build`
// makes once per test process.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", EnvBinary, p, err)
		}
		return p
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "quorate-plugintest-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "gpx_quorate")
		cmd := exec.Command("go", "build", "-o", build.path, MainPackage)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			build.err = fmt.Errorf("go build %s: %v\n%s", MainPackage, err, out.String())
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// Plugin is a running plugin process.
type Plugin struct {
	client *goplugin.Client
	data   grpcplugin.DataClient
	diag   grpcplugin.DiagnosticsClient
	res    grpcplugin.ResourceClient
	logs   *syncBuffer
}

// Start launches the plugin binary with Grafana's handshake; the process
// is stopped when the test ends. One process serves any number of data
// sources, as in Grafana.
func Start(t testing.TB) *Plugin {
	t.Helper()
	logs := &syncBuffer{}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{
			grpcplugin.ProtocolVersion: {
				"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
				"resource":    &grpcplugin.ResourceGRPCPlugin{},
				"data":        &grpcplugin.DataGRPCPlugin{},
			},
		},
		Cmd:              exec.Command(Binary(t)),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logs, Level: hclog.Trace}),
		StartTimeout:     time.Minute,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start the plugin through go-plugin: %v\nplugin log:\n%s", err, logs.String())
	}
	p := &Plugin{client: client, logs: logs}
	for name, dst := range map[string]any{"data": &p.data, "diagnostics": &p.diag, "resource": &p.res} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		switch d := dst.(type) {
		case *grpcplugin.DataClient:
			*d = raw.(grpcplugin.DataClient)
		case *grpcplugin.DiagnosticsClient:
			*d = raw.(grpcplugin.DiagnosticsClient)
		case *grpcplugin.ResourceClient:
			*d = raw.(grpcplugin.ResourceClient)
		}
	}
	return p
}

// Logs is what the plugin logged so far (go-plugin relays its stderr).
func (p *Plugin) Logs() string { return p.logs.String() }

// DataSource is a data source's settings as Grafana stores them.
type DataSource struct {
	// JSONData is jsonData: marshalled to JSON, or used as is when it is
	// a json.RawMessage, []byte or string.
	JSONData any
	// Secure is secureJsonData, decrypted (as Grafana sends it).
	Secure map[string]string
	// Updated is when the settings last changed. The plugin keeps one
	// instance per data source until Updated changes; the data source's
	// UID derives from its settings, so other settings are another data
	// source unless UID is set.
	Updated time.Time
	// UID, when set, names the data source instead.
	UID string
}

// settingsEpoch is Updated when left zero.
var settingsEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func (ds DataSource) pluginContext() (backend.PluginContext, error) {
	var raw []byte
	switch v := ds.JSONData.(type) {
	case nil:
		raw = []byte("{}")
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return backend.PluginContext{}, fmt.Errorf("jsonData: %w", err)
		}
	}
	uid := ds.UID
	if uid == "" {
		secure, _ := json.Marshal(ds.Secure) // map keys are sorted
		sum := sha256.Sum256(append(append(raw, 0), secure...))
		uid = "ds-" + hex.EncodeToString(sum[:8])
	}
	updated := ds.Updated
	if updated.IsZero() {
		updated = settingsEpoch
	}
	return backend.PluginContext{
		OrgID:    1,
		PluginID: PluginID,
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID:                      1,
			UID:                     uid,
			Type:                    PluginID,
			Name:                    "Quorate",
			JSONData:                raw,
			DecryptedSecureJSONData: ds.Secure,
			Updated:                 updated,
		},
	}, nil
}

// NewQuery builds a query as Grafana sends a panel target: model is the
// target's JSON (an object with queryType, endpoint, ...; a
// json.RawMessage is used as is), from and to the dashboard's time range,
// 1000 max data points.
func NewQuery(refID string, model any, from, to time.Time) backend.DataQuery {
	raw, ok := model.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(model); err != nil {
			panic(fmt.Sprintf("plugintest.NewQuery: %v", err))
		}
	}
	var head struct {
		QueryType string `json:"queryType"`
	}
	_ = json.Unmarshal(raw, &head) // a bad model is the plugin's to report
	return backend.DataQuery{
		RefID:         refID,
		QueryType:     head.QueryType,
		MaxDataPoints: 1000,
		Interval:      time.Minute,
		TimeRange:     backend.TimeRange{From: from, To: to},
		JSON:          raw,
	}
}

// QueryData sends queries for one data source.
func (p *Plugin) QueryData(ctx context.Context, ds DataSource, queries ...backend.DataQuery) (*backend.QueryDataResponse, error) {
	pc, err := ds.pluginContext()
	if err != nil {
		return nil, err
	}
	req := backend.ToProto().QueryDataRequest(&backend.QueryDataRequest{PluginContext: pc, Queries: queries})
	resp, err := p.data.QueryData(ctx, req)
	if err != nil {
		return nil, err
	}
	return backend.FromProto().QueryDataResponse(resp)
}

// Query runs one query and returns its response; a failed call fails t.
func (p *Plugin) Query(t testing.TB, ds DataSource, q backend.DataQuery) backend.DataResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := p.QueryData(ctx, ds, q)
	if err != nil {
		t.Fatalf("QueryData: %v\nplugin log:\n%s", err, p.Logs())
	}
	r, ok := resp.Responses[q.RefID]
	if !ok {
		t.Fatalf("no response for refId %q", q.RefID)
	}
	return r
}

// CheckHealth runs the data source's health check.
func (p *Plugin) CheckHealth(ctx context.Context, ds DataSource) (*backend.CheckHealthResult, error) {
	pc, err := ds.pluginContext()
	if err != nil {
		return nil, err
	}
	resp, err := p.diag.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: backend.ToProto().PluginContext(pc)})
	if err != nil {
		return nil, err
	}
	return backend.FromProto().CheckHealthResponse(resp), nil
}

// CallResource calls a resource (path without a leading slash, e.g.
// "endpoints") and returns its whole answer.
func (p *Plugin) CallResource(ctx context.Context, ds DataSource, method, path string, body []byte) (*backend.CallResourceResponse, error) {
	pc, err := ds.pluginContext()
	if err != nil {
		return nil, err
	}
	stream, err := p.res.CallResource(ctx, backend.ToProto().CallResourceRequest(&backend.CallResourceRequest{
		PluginContext: pc, Path: path, Method: method, URL: path, Body: body,
	}))
	if err != nil {
		return nil, err
	}
	var out *backend.CallResourceResponse
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		r := backend.FromProto().CallResourceResponse(msg)
		if out == nil {
			out = r
			continue
		}
		out.Body = append(out.Body, r.Body...) // a streamed answer continues the body
	}
	if out == nil {
		return nil, errors.New("the plugin sent no resource response")
	}
	return out, nil
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
