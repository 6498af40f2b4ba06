package push

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func logs(bodies ...string) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for _, b := range bodies {
		sl.LogRecords().AppendEmpty().Body().SetStr(b)
	}
	return ld
}

// received is one request as the server saw it.
type received struct {
	path, auth, contentType, userAgent string
	bodies                             []string
}

// server answers every request with respond after decoding it.
func server(t *testing.T, respond func(w http.ResponseWriter)) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		req := plogotlp.NewExportRequest()
		assert.NoError(t, req.UnmarshalProto(data))
		rec := received{path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), userAgent: r.Header.Get("User-Agent")}
		for _, rl := range req.Logs().ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					rec.bodies = append(rec.bodies, lr.Body().Str())
				}
			}
		}
		got <- rec
		respond(w)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func ok(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

func TestSendPostsProtobufWithBearerToken(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		token    string
		wantPath string
		wantAuth string
	}{
		{name: "root endpoint", base: "", token: "s3cret", wantPath: "/v1/logs", wantAuth: "Bearer s3cret"},
		{name: "base path with trailing slash", base: "/central/", token: "s3cret", wantPath: "/central/v1/logs", wantAuth: "Bearer s3cret"},
		{name: "no token sends no Authorization", base: "", token: "", wantPath: "/v1/logs", wantAuth: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := server(t, ok)
			c := New(srv.Client(), srv.URL+tt.base, tt.token, "quorate-test/1")
			ps, err := c.Send(context.Background(), logs("a", "b"))
			require.NoError(t, err)
			assert.True(t, ps.IsZero())
			r := <-got
			assert.Equal(t, tt.wantPath, r.path)
			assert.Equal(t, tt.wantAuth, r.auth)
			assert.Equal(t, "application/x-protobuf", r.contentType)
			assert.Equal(t, "quorate-test/1", r.userAgent)
			assert.Equal(t, []string{"a", "b"}, r.bodies)
		})
	}
}

func TestSendReportsPartialSuccess(t *testing.T) {
	resp := plogotlp.NewExportResponse()
	resp.PartialSuccess().SetRejectedLogRecords(2)
	resp.PartialSuccess().SetErrorMessage("agent id mismatch")
	protoBody, err := resp.MarshalProto()
	require.NoError(t, err)
	jsonBody, err := resp.MarshalJSON()
	require.NoError(t, err)

	tests := []struct {
		name        string
		contentType string
		body        []byte
	}{
		{name: "protobuf", contentType: "application/x-protobuf", body: protoBody},
		{name: "json", contentType: "application/json; charset=utf-8", body: jsonBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = w.Write(tt.body)
			})
			ps, err := New(srv.Client(), srv.URL, "t", "").Send(context.Background(), logs("a", "b", "c"))
			require.NoError(t, err)
			assert.Equal(t, PartialSuccess{Rejected: 2, Message: "agent id mismatch"}, ps)
		})
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	statusProto, err := proto.Marshal(&rpcstatus.Status{Code: 16, Message: "unknown token"})
	require.NoError(t, err)
	statusJSON, err := protojson.Marshal(&rpcstatus.Status{Code: 7, Message: "agent a1 may not report as a2"})
	require.NoError(t, err)

	tests := []struct {
		name           string
		code           int
		header         http.Header
		body           []byte
		wantKind       Kind
		wantRetryAfter time.Duration
		wantMessage    string
	}{
		{name: "401 with protobuf status", code: 401, header: http.Header{"Content-Type": {"application/x-protobuf"}}, body: statusProto, wantKind: Unauthorized, wantMessage: "unknown token"},
		{name: "403 with json status", code: 403, header: http.Header{"Content-Type": {"application/json"}}, body: statusJSON, wantKind: Unauthorized, wantMessage: "agent a1 may not report as a2"},
		{name: "429 with Retry-After seconds", code: 429, header: http.Header{"Retry-After": {"3"}}, wantKind: Retryable, wantRetryAfter: 3 * time.Second},
		{name: "503 with Retry-After", code: 503, header: http.Header{"Retry-After": {"1"}}, wantKind: Retryable, wantRetryAfter: time.Second},
		{name: "429 without Retry-After", code: 429, wantKind: Retryable},
		{name: "500 ignores Retry-After", code: 500, header: http.Header{"Retry-After": {"9"}}, wantKind: Retryable},
		{name: "502", code: 502, wantKind: Retryable},
		{name: "408", code: 408, wantKind: Retryable},
		{name: "400 with text body", code: 400, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte("bad\nrequest\n"), wantKind: Permanent, wantMessage: "bad request"},
		{name: "413", code: 413, wantKind: Permanent},
		{name: "404", code: 404, wantKind: Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := server(t, func(w http.ResponseWriter) {
				for k, v := range tt.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tt.code)
				_, _ = w.Write(tt.body)
			})
			_, err := New(srv.Client(), srv.URL, "t", "").Send(context.Background(), logs("a"))
			var pe *Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.wantKind, pe.Kind)
			assert.Equal(t, tt.code, pe.StatusCode)
			assert.Equal(t, tt.wantRetryAfter, pe.RetryAfter)
			assert.Equal(t, tt.wantMessage, pe.Message)
			assert.NotContains(t, pe.Error(), "Bearer")
		})
	}
}

func TestSendToClosedServerIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { ok(w) }))
	url := srv.URL
	srv.Close()
	_, err := New(http.DefaultClient, url, "t", "").Send(context.Background(), logs("a"))
	var pe *Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, Retryable, pe.Kind)
	assert.Zero(t, pe.StatusCode)
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"2", 2 * time.Second},
		{" 7 ", 7 * time.Second},
		{"86400", maxRetryAfter},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), maxRetryAfter},
		{"soon", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseRetryAfter(tt.value, now), "Retry-After %q", tt.value)
	}
}

func TestOneLineShortensAndFlattens(t *testing.T) {
	assert.Equal(t, "a b", oneLine(" a\nb\t"))
	long := oneLine(strings.Repeat("é", 300))
	assert.LessOrEqual(t, len(long), 203)
	assert.True(t, utf8.ValidString(long), "cut inside a rune")
}
