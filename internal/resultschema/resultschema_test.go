package resultschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	started  = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	observed = started.Add(250 * time.Millisecond)
)

func httpEndpoint() *endpoint.Endpoint {
	return &endpoint.Endpoint{
		Name: "api", Group: "core", URL: "https://api.example.test:8443/health",
		Conditions:  []string{"[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 48h"},
		ExtraLabels: map[string]string{"team": "sre", "env": "prod"},
	}
}

func fullSuccess() *result.Result {
	return &result.Result{
		Timestamp: started, Duration: 123456789 * time.Nanosecond, HTTPStatus: 200, Connected: true,
		Body: []byte(`{"status":"UP"}`), Hostname: "api.example.test", IP: "127.0.0.1",
		CertificateExpiration: 30 * 24 * time.Hour, DomainExpiration: 400 * 24 * time.Hour,
		Timings: result.Timings{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond, FirstByte: 40 * time.Millisecond},
		ConditionResults: []result.ConditionResult{
			{Condition: "[STATUS] == 200", Success: true},
			{Condition: "[CERTIFICATE_EXPIRATION] > 48h", Success: true},
		},
		Success: true,
	}
}

func failure() *result.Result {
	return &result.Result{
		Timestamp: started, Duration: 3 * time.Millisecond, HTTPStatus: 503, Connected: true,
		Hostname: "api.example.test",
		Errors:   []string{`Get "https://api.example.test:8443/health": read tcp 127.0.0.1:5000->api.example.test:8443: reset`},
		ConditionResults: []result.ConditionResult{
			{Condition: "[STATUS] (503) == 200", Success: false},
			{Condition: "[CERTIFICATE_EXPIRATION] > 48h", Success: true},
		},
	}
}

// encode wraps one record in the resource and scope a receiver would emit.
func encode(agent string, ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result) (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	SetResource(rl.Resource(), agent)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("github.com/quorate/quorate/receiver")
	lr := AppendLogRecord(sl, ep, typ, res, observed)
	return ld, lr
}

func TestRoundTrip(t *testing.T) {
	dnsEP := &endpoint.Endpoint{Name: "resolver", URL: "127.0.0.1:53", DNS: &endpoint.DNSConfig{QueryType: "A", QueryName: "example.org"}, Conditions: []string{"[DNS_RCODE] == NOERROR"}}
	tests := []struct {
		name string
		ep   *endpoint.Endpoint
		typ  endpoint.Type
		res  *result.Result
	}{
		{"every field of a successful https probe survives", httpEndpoint(), endpoint.TypeHTTP, fullSuccess()},
		{"errors and failed conditions survive", httpEndpoint(), endpoint.TypeHTTP, failure()},
		{"dns rcode survives and absent fields stay zero", dnsEP, endpoint.TypeDNS, &result.Result{
			Timestamp: started, Duration: time.Millisecond, Connected: true, DNSRCode: "NXDOMAIN",
			ConditionResults: []result.ConditionResult{{Condition: "[DNS_RCODE] (NXDOMAIN) == NOERROR"}},
		}},
		{"an expired certificate is a negative duration", httpEndpoint(), endpoint.TypeHTTP, &result.Result{
			Timestamp: started, CertificateExpiration: -90 * time.Minute, Errors: []string{"x509: certificate has expired"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ld, _ := encode("agent-1", tt.ep, tt.typ, tt.res)
			got, err := DecodeLogs(ld)
			require.NoError(t, err)
			require.Len(t, got, 1)
			d := got[0]

			want := *tt.res
			want.Body, want.Hostname = nil, "" // never exported
			assert.Equal(t, want, d.Result)
			assert.Equal(t, "agent-1", d.AgentID)
			assert.EqualValues(t, Version, d.SchemaVersion)
			assert.Equal(t, tt.ep.Key(), d.Key)
			assert.Equal(t, tt.ep.Name, d.Name)
			assert.Equal(t, tt.ep.Group, d.Group)
			assert.Equal(t, tt.typ, d.Type)
			assert.Equal(t, tt.ep.URL, d.URL)
			assert.Equal(t, observed, d.Observed)
			if len(tt.ep.ExtraLabels) == 0 {
				assert.Nil(t, d.Labels)
			} else {
				assert.Equal(t, tt.ep.ExtraLabels, d.Labels)
			}
		})
	}
}

func TestSeverityAndBody(t *testing.T) {
	_, ok := encode("a", httpEndpoint(), endpoint.TypeHTTP, fullSuccess())
	assert.Equal(t, plog.SeverityNumberInfo, ok.SeverityNumber())
	assert.Equal(t, "core/api: succeeded in 123ms (HTTP 200)", ok.Body().Str())
	assert.Equal(t, EventName, ok.EventName())

	fast := fullSuccess()
	fast.Duration = 590 * time.Microsecond
	_, quick := encode("a", httpEndpoint(), endpoint.TypeHTTP, fast)
	assert.Equal(t, "core/api: succeeded in 590µs (HTTP 200)", quick.Body().Str())

	_, bad := encode("a", httpEndpoint(), endpoint.TypeHTTP, failure())
	assert.Equal(t, plog.SeverityNumberWarn, bad.SeverityNumber())
	assert.True(t, strings.HasPrefix(bad.Body().Str(), "core/api: failed in 3ms (HTTP 503): Get "), bad.Body().Str())
	assert.True(t, strings.HasSuffix(bad.Body().Str(), "; [STATUS] (503) == 200"), bad.Body().Str())
}

func TestRedaction(t *testing.T) {
	tests := []struct {
		name           string
		ui             endpoint.UIConfig
		url            string // "" means absent
		ip             string
		errorsContain  string
		errorsLack     []string
		noErrors       bool
		noConditions   bool
		bodyLacksHosts bool
	}{
		{name: "nothing hidden exports everything", url: "https://api.example.test:8443/health", ip: "127.0.0.1", errorsContain: "api.example.test:8443"},
		{name: "hide-url drops url and ip and redacts it in errors", ui: endpoint.UIConfig{HideURL: true},
			errorsContain: `Get "<redacted>"`, errorsLack: []string{"https://api.example.test:8443/health"}},
		{name: "hide-hostname redacts host in url and errors and drops ip", ui: endpoint.UIConfig{HideHostname: true},
			url: "https://<redacted>:8443/health", errorsContain: "<redacted>:8443", errorsLack: []string{"api.example.test"}, bodyLacksHosts: true},
		{name: "hide-port redacts port in url and errors", ui: endpoint.UIConfig{HidePort: true},
			url: "https://api.example.test:<redacted>/health", ip: "127.0.0.1", errorsLack: []string{"8443"}},
		{name: "hide-errors drops errors", ui: endpoint.UIConfig{HideErrors: true},
			url: "https://api.example.test:8443/health", ip: "127.0.0.1", noErrors: true},
		{name: "hide-conditions drops conditions", ui: endpoint.UIConfig{HideConditions: true},
			url: "https://api.example.test:8443/health", ip: "127.0.0.1", errorsContain: "reset", noConditions: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := httpEndpoint()
			ep.UI = &tt.ui
			res := failure()
			res.IP = "127.0.0.1"
			before := *res
			before.Errors = append([]string(nil), res.Errors...)
			_, lr := encode("a", ep, endpoint.TypeHTTP, res)
			assert.Equal(t, before, *res, "encoding must not change the result")

			d, err := Decode(lr)
			require.NoError(t, err)
			assert.Equal(t, tt.url, d.URL)
			assert.Equal(t, tt.ip, d.Result.IP)
			joined := strings.Join(d.Result.Errors, "\n")
			if tt.noErrors {
				assert.Empty(t, d.Result.Errors)
			} else {
				require.NotEmpty(t, d.Result.Errors)
				assert.Contains(t, joined, tt.errorsContain)
			}
			for _, s := range tt.errorsLack {
				assert.NotContains(t, joined, s)
			}
			if tt.noConditions {
				assert.Empty(t, d.Result.ConditionResults)
				assert.NotContains(t, lr.Body().Str(), "[STATUS]")
			} else {
				assert.Len(t, d.Result.ConditionResults, 2)
			}
			if tt.bodyLacksHosts {
				assert.NotContains(t, lr.Body().Str(), "api.example.test")
			}
		})
	}
}

func TestPasswordInURLIsNeverExported(t *testing.T) {
	ep := httpEndpoint()
	ep.URL = "https://bob:s3cret@api.example.test/health"
	ld, _ := encode("a", ep, endpoint.TypeHTTP, fullSuccess())
	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "s3cret")
	assert.Contains(t, string(raw), "bob:xxxxx@api.example.test")
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name   string
		modify func(lr plog.LogRecord)
		is     error
		want   string
	}{
		{name: "another event is not a probe result", modify: func(lr plog.LogRecord) { lr.SetEventName("other") }, is: ErrNotProbeResult},
		{name: "a newer schema version is refused", modify: func(lr plog.LogRecord) { lr.Attributes().PutInt(AttrSchemaVersion, 2) }, want: "quorate.schema.version 2 is not supported"},
		{name: "a missing version is refused", modify: func(lr plog.LogRecord) { lr.Attributes().Remove(AttrSchemaVersion) }, want: "attribute quorate.schema.version is missing"},
		{name: "a missing key is refused", modify: func(lr plog.LogRecord) { lr.Attributes().Remove(AttrEndpointKey) }, want: "attribute quorate.endpoint.key is missing"},
		{name: "a wrongly typed attribute is refused", modify: func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrSuccess, "true") }, want: "attribute quorate.result.success is Str, want Bool"},
		{name: "a condition without success is refused", modify: func(lr plog.LogRecord) {
			v, _ := lr.Attributes().Get(AttrConditions)
			v.Slice().At(0).Map().Remove(ConditionSuccessKey)
		}, want: "quorate.result.conditions[0] needs"},
		{name: "a non-finite duration is refused", modify: func(lr plog.LogRecord) { lr.Attributes().PutDouble(AttrDuration, 1e300) }, want: "not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, lr := encode("a", httpEndpoint(), endpoint.TypeHTTP, fullSuccess())
			tt.modify(lr)
			_, err := Decode(lr)
			require.Error(t, err)
			if tt.is != nil {
				assert.True(t, errors.Is(err, tt.is), "got %v", err)
			}
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDecodeLogsSkipsOtherEventsAndReportsBadRecords(t *testing.T) {
	ld, _ := encode("agent-1", httpEndpoint(), endpoint.TypeHTTP, fullSuccess())
	sl := ld.ResourceLogs().At(0).ScopeLogs().At(0)
	sl.LogRecords().AppendEmpty().Body().SetStr("an unrelated log line")
	bad := AppendLogRecord(sl, httpEndpoint(), endpoint.TypeHTTP, failure(), observed)
	bad.Attributes().Remove(AttrEndpointKey)

	got, err := DecodeLogs(ld)
	require.Len(t, got, 1)
	assert.Equal(t, "agent-1", got[0].AgentID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "resource 0 scope 0 record 2: attribute quorate.endpoint.key is missing")
}

// TestGolden pins the wire format: a change here is a schema change and
// must be deliberate (go test -update, then review the diff and the docs).
func TestGolden(t *testing.T) {
	hidden := httpEndpoint()
	hidden.UI = &endpoint.UIConfig{HideHostname: true, HideConditions: true}
	tests := []struct {
		file string
		ep   *endpoint.Endpoint
		res  *result.Result
	}{
		{"success_v1.json", httpEndpoint(), fullSuccess()},
		{"failure_hidden_v1.json", hidden, failure()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ld, _ := encode("agent-1", tt.ep, endpoint.TypeHTTP, tt.res)
			raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, json.Indent(&buf, raw, "", "  "))
			buf.WriteByte('\n')
			path := filepath.Join("testdata", tt.file)
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden file")
			assert.Equal(t, string(want), buf.String())

			// The golden file itself must decode, as the central reads it.
			back, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(want)
			require.NoError(t, err)
			got, err := DecodeLogs(back)
			require.NoError(t, err)
			require.Len(t, got, 1)
		})
	}
}
