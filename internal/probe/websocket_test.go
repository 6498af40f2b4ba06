package probe

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// wsEchoServer upgrades every request, records its headers, echoes the first
// message back with an "echo: " prefix and, when silent, closes instead.
type wsEchoServer struct {
	silent bool

	mu      sync.Mutex
	headers []http.Header
}

func (s *wsEchoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	typ, msg, err := conn.ReadMessage()
	if err != nil || s.silent {
		return
	}
	_ = conn.WriteMessage(typ, append([]byte("echo: "), msg...))
}

func (s *wsEchoServer) lastHeader() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.headers) == 0 {
		return nil
	}
	return s.headers[len(s.headers)-1]
}

func wsTarget(t *testing.T, url string, opts Options, edit func(*endpoint.Endpoint)) *Target {
	t.Helper()
	ep := &endpoint.Endpoint{Name: "ws", URL: url, Body: "ping"}
	if edit != nil {
		edit(ep)
	}
	target, err := NewTarget(ep, opts)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

func runWebSocket(t *testing.T, target *Target) *result.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := &result.Result{}
	probeWebSocket(ctx, target, res)
	return res
}

func TestWebSocketProbeSendsBodyAndReadsReply(t *testing.T) {
	echo := &wsEchoServer{}
	srv := httptest.NewServer(echo)
	defer srv.Close()
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http")

	tests := []struct {
		name       string
		opts       Options
		headers    map[string]string
		wantAgent  string
		wantUA     string
		wantCustom string
	}{
		{name: "agent header and default user agent", opts: Options{AgentID: "agent-eu-1"}, wantAgent: "agent-eu-1", wantUA: defaultUserAgent},
		{name: "agent header disabled", opts: Options{AgentID: "agent-eu-1", DisableAgentHeader: true}, wantUA: defaultUserAgent},
		{
			name: "endpoint headers are sent", opts: Options{AgentID: "a"},
			headers:   map[string]string{"Authorization": "Bearer t0k", "User-Agent": "custom/2"},
			wantAgent: "a", wantUA: "custom/2", wantCustom: "Bearer t0k",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runWebSocket(t, wsTarget(t, wsURL, tc.opts, func(ep *endpoint.Endpoint) { ep.Headers = tc.headers }))
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if string(res.Body) != "echo: ping" {
				t.Errorf("Body = %q, want %q", res.Body, "echo: ping")
			}
			h := echo.lastHeader()
			if got := h.Get(AgentHeader); got != tc.wantAgent {
				t.Errorf("%s = %q, want %q", AgentHeader, got, tc.wantAgent)
			}
			if got := h.Get("User-Agent"); got != tc.wantUA {
				t.Errorf("User-Agent = %q, want %q", got, tc.wantUA)
			}
			if got := h.Get("Authorization"); got != tc.wantCustom {
				t.Errorf("Authorization = %q, want %q", got, tc.wantCustom)
			}
			if got := h.Get("Origin"); got != wsOrigin {
				t.Errorf("Origin = %q, want %q", got, wsOrigin)
			}
		})
	}
}

func TestWebSocketProbeOverTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(&wsEchoServer{})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	srv.StartTLS()
	defer srv.Close()
	wssURL := "wss" + strings.TrimPrefix(srv.URL, "https")

	t.Run("insecure accepts the self-signed certificate", func(t *testing.T) {
		maxLeft := time.Until(srv.Certificate().NotAfter)
		res := runWebSocket(t, wsTarget(t, wssURL, Options{}, func(ep *endpoint.Endpoint) {
			ep.Client = &endpoint.ClientConfig{Insecure: true}
		}))
		if len(res.Errors) > 0 {
			t.Fatalf("errors: %v", res.Errors)
		}
		if string(res.Body) != "echo: ping" {
			t.Errorf("Body = %q, want %q", res.Body, "echo: ping")
		}
		if res.CertificateExpiration <= 0 || res.CertificateExpiration > maxLeft {
			t.Errorf("CertificateExpiration = %v, want in (0, %v]", res.CertificateExpiration, maxLeft)
		}
	})
	t.Run("verification rejects the self-signed certificate", func(t *testing.T) {
		res := runWebSocket(t, wsTarget(t, wssURL, Options{}, nil))
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "certificate") {
			t.Fatalf("errors = %v, want one certificate error", res.Errors)
		}
		if res.Connected {
			t.Error("Connected = true, want false")
		}
	})
}

func TestWebSocketProbeFailures(t *testing.T) {
	silent := httptest.NewServer(&wsEchoServer{silent: true})
	defer silent.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	tests := []struct {
		name, url, wantErr string
	}{
		{"server closes without replying", "ws" + strings.TrimPrefix(silent.URL, "http"), "read message"},
		{"server does not upgrade", "ws" + strings.TrimPrefix(plain.URL, "http"), "HTTP 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runWebSocket(t, wsTarget(t, tc.url, Options{}, nil))
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], tc.wantErr) {
				t.Fatalf("errors = %v, want one containing %q", res.Errors, tc.wantErr)
			}
			if res.Connected {
				t.Error("Connected = true, want false")
			}
		})
	}
}
