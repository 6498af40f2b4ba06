package centralextension

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/quorate/quorate/quorum/internal/engine"
)

// testConfig listens on free loopback ports and stores in a temporary
// SQLite database.
func testConfig(t *testing.T) *Config {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.MonitoringFile = filepath.Join("testdata", "monitoring.yaml")
	cfg.API.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Metrics.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Storage.Path = filepath.Join(t.TempDir(), "quorate.db")
	return cfg
}

func startCentral(t *testing.T, cfg *Config) *central {
	t.Helper()
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(typ), cfg)
	require.NoError(t, err)
	c := ext.(*central)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, c.Shutdown(context.Background())) })
	return c
}

func TestLifecycleRestartsOnTheSameDatabase(t *testing.T) {
	cfg := testConfig(t)
	for range 2 {
		ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(typ), cfg)
		require.NoError(t, err)
		require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
		require.NotNil(t, ext.(Central).Engine())
		require.NoError(t, ext.Shutdown(context.Background()))
		require.Nil(t, ext.(Central).Engine())
	}
}

func TestStartFailsOnAnOccupiedPort(t *testing.T) {
	busy := httptest.NewServer(http.NotFoundHandler())
	defer busy.Close()
	cfg := testConfig(t)
	cfg.Metrics.NetAddr.Endpoint = strings.TrimPrefix(busy.URL, "http://")
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(typ), cfg)
	require.NoError(t, err)
	err = ext.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, "listen on metrics.endpoint")
	require.NoError(t, ext.Shutdown(context.Background()))
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestAgentAPIServedByTheRunningExtension(t *testing.T) {
	c := startCentral(t, testConfig(t))
	base := "http://" + c.addrs["api"].String()
	eu := map[string]string{"Authorization": "Bearer test-token-eu"}

	resp := get(t, base+"/api/v1/agents/eu/assignments", eu)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	etag := resp.Header.Get("ETag")
	assert.Equal(t, `"`+c.Engine().Config().AssignmentsChecksum("eu")+`"`, etag)
	var body struct {
		AgentID   string           `json:"agent_id"`
		Endpoints []map[string]any `json:"endpoints"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, "eu", body.AgentID)
	assert.Len(t, body.Endpoints, 2)

	notModified := get(t, base+"/api/v1/agents/eu/assignments", map[string]string{"Authorization": "Bearer test-token-eu", "If-None-Match": etag})
	assert.Equal(t, http.StatusNotModified, notModified.StatusCode)

	other := get(t, base+"/api/v1/agents/eu/assignments", map[string]string{"Authorization": "Bearer test-token-us"})
	assert.Equal(t, http.StatusForbidden, other.StatusCode)
	none := get(t, base+"/api/v1/agents/eu/assignments", nil)
	assert.Equal(t, http.StatusUnauthorized, none.StatusCode)

	// The fetches with eu's own token count as contact.
	agents := get(t, base+"/api/v1/agents", nil)
	require.Equal(t, http.StatusOK, agents.StatusCode)
	var list []struct {
		ID       string  `json:"id"`
		LastSeen *string `json:"last_seen"`
	}
	require.NoError(t, json.NewDecoder(agents.Body).Decode(&list))
	require.Len(t, list, 3)
	assert.Equal(t, "eu", list[0].ID)
	assert.NotNil(t, list[0].LastSeen, "eu fetched its assignments")
	assert.Equal(t, "us", list[2].ID)
	assert.Nil(t, list[2].LastSeen, "us was never heard from")
}

func TestMetricsServedByTheRunningExtension(t *testing.T) {
	c := startCentral(t, testConfig(t))
	resp := get(t, "http://"+c.addrs["metrics"].String()+"/metrics", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(text), `quorate_endpoint_monitoring_agents{endpoint_key="core_api"} 2`)
	assert.Contains(t, string(text), "quorate_results_rejected_total")
}

func TestAuthenticatePutsTheAgentIntoTheClientInfo(t *testing.T) {
	c := startCentral(t, testConfig(t))
	ctx, err := c.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer test-token-us"}})
	require.NoError(t, err)
	info := client.FromContext(ctx)
	require.NotNil(t, info.Auth)
	assert.Equal(t, "us", info.Auth.GetAttribute(engine.AttrAgentID))
	assert.Equal(t, []string{engine.AttrAgentID}, info.Auth.GetAttributeNames())

	_, err = c.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer test-token-mars"}})
	assert.Error(t, err)
	_, err = c.Authenticate(context.Background(), map[string][]string{})
	assert.Error(t, err)
}

func TestAuthenticateBeforeStartFails(t *testing.T) {
	c := newCentral(testConfig(t), extensiontest.NewNopSettings(typ))
	_, err := c.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer test-token-eu"}})
	assert.ErrorIs(t, err, errNotRunning)
}

func TestHTTPMiddleware(t *testing.T) {
	c := startCentral(t, testConfig(t))
	wrap, err := c.GetHTTPHandler(context.Background())
	require.NoError(t, err)
	var reached []string
	h, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := engine.FromContext(r.Context())
		require.True(t, ok, "the next handler sees the agent")
		reached = append(reached, a.AgentID())
	}))
	require.NoError(t, err)
	serve := func(ctx context.Context, header http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/logs", strings.NewReader("{}"))
		req.Header = header
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	t.Run("unknown token without an authenticator is 401", func(t *testing.T) {
		rec := serve(context.Background(), http.Header{"Authorization": {"Bearer nope"}, "Content-Type": {"application/json"}})
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, `Bearer realm="quorate"`, rec.Header().Get("WWW-Authenticate"))
		assert.Contains(t, rec.Body.String(), `"code":16`)
	})
	t.Run("over the rate is 429 with Retry-After", func(t *testing.T) {
		reached = nil
		// slow may send one request per 1000 s, with a burst of 1.
		var last *httptest.ResponseRecorder
		for range 2 {
			a, err := c.Engine().Authenticate(map[string][]string{"Authorization": {"Bearer test-token-slow"}})
			require.NoError(t, err)
			last = serve(engine.NewContext(context.Background(), a), http.Header{"Content-Type": {"application/json"}})
		}
		assert.Equal(t, []string{"slow"}, reached)
		assert.Equal(t, http.StatusTooManyRequests, last.Code)
		retry, err := strconv.Atoi(last.Header().Get("Retry-After"))
		require.NoError(t, err)
		assert.InDelta(t, 1000, retry, 1)
		assert.Contains(t, last.Body.String(), "over its rate-per-second")
	})
	t.Run("a known token without an authenticator passes", func(t *testing.T) {
		reached = nil
		rec := serve(context.Background(), http.Header{"Authorization": {"Bearer test-token-us"}})
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, []string{"us"}, reached)
	})
}

func TestGRPCInterceptor(t *testing.T) {
	c := startCentral(t, testConfig(t))
	handler := func(ctx context.Context, _ any) (any, error) {
		a, _ := engine.FromContext(ctx)
		return a.AgentID(), nil
	}
	call := func(token string) (any, error) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
		return c.unaryInterceptor(ctx, nil, &grpc.UnaryServerInfo{}, handler)
	}
	_, err := call("nope")
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	got, err := call("test-token-us")
	require.NoError(t, err)
	assert.Equal(t, "us", got)
	_, err = call("test-token-slow")
	require.NoError(t, err)
	_, err = call("test-token-slow")
	st := status.Convert(err)
	require.Equal(t, codes.ResourceExhausted, st.Code())
	require.Len(t, st.Details(), 1, "RetryInfo tells the exporter when to retry")
}
