package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// httpTestServer is a loopback HTTP(S) server that records the requests it
// gets and counts the connections it accepts.
//
//	/json      200 {"status":"UP"}
//	/down      503 {"status":"DOWN"}
//	/redirect  302 to /json
//	/slow      answers only when the client gives up
//	/big       2 MiB body
type httpTestServer struct {
	*httptest.Server
	conns atomic.Int64

	mu   sync.Mutex
	last *recordedRequest
}

type recordedRequest struct {
	Method string
	Host   string
	Header http.Header
	Body   string
}

func startHTTPTestServer(t testing.TB, tlsConfig *tls.Config) *httpTestServer {
	t.Helper()
	s := &httpTestServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"UP"}`)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"DOWN"}`)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/json", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 2<<20)))
	})
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last = &recordedRequest{Method: r.Method, Host: r.Host, Header: r.Header.Clone(), Body: string(body)}
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tlsConfig != nil {
		s.TLS = tlsConfig
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func (s *httpTestServer) lastRequest(t testing.TB) recordedRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		t.Fatal("the server got no request")
	}
	return *s.last
}

func (s *httpTestServer) port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

func runHTTP(t testing.TB, target *Target) *result.Result {
	t.Helper()
	res := &result.Result{}
	probeHTTP(context.Background(), target, res)
	return res
}

func wantNoErrors(t testing.TB, res *result.Result) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("unexpected errors: %q", res.Errors)
	}
}

func wantErrorContaining(t testing.TB, res *result.Result, part string) {
	t.Helper()
	for _, e := range res.Errors {
		if strings.Contains(e, part) {
			return
		}
	}
	t.Fatalf("errors = %q, want one containing %q", res.Errors, part)
}

func TestHTTPProbeRecordsStatusBodyAndTimings(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
	}{
		{"/json", 200, `{"status":"UP"}`},
		{"/down", 503, `{"status":"DOWN"}`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + tt.path, Conditions: []string{"[BODY].status == UP"}}, Options{})
			res := runHTTP(t, target)
			wantNoErrors(t, res)
			if res.HTTPStatus != tt.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", res.HTTPStatus, tt.wantStatus)
			}
			if string(res.Body) != tt.wantBody {
				t.Errorf("Body = %q, want %q", res.Body, tt.wantBody)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want > 0", res.Duration)
			}
			if res.IP != "127.0.0.1" {
				t.Errorf("IP = %q, want the connection's 127.0.0.1", res.IP)
			}
			if res.Timings.Connect <= 0 || res.Timings.FirstByte <= 0 {
				t.Errorf("Timings = %+v, want Connect and FirstByte > 0", res.Timings)
			}
			if res.Timings.DNS != 0 || res.Timings.TLS != 0 {
				t.Errorf("Timings = %+v, want no DNS (IP literal) and no TLS (http)", res.Timings)
			}
			if res.CertificateExpiration != 0 {
				t.Errorf("CertificateExpiration = %v without TLS", res.CertificateExpiration)
			}
		})
	}
}

func TestHTTPProbeReadsBodyOnlyWhenAConditionUsesIt(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/json", Conditions: []string{"[STATUS] == 200"}}, Options{})
	res := runHTTP(t, target)
	wantNoErrors(t, res)
	if res.Body != nil {
		t.Errorf("Body = %q, want nil: no condition reads [BODY] (as Gatus)", res.Body)
	}
}

func TestHTTPProbeCapsTheBody(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/big", Conditions: []string{"len([BODY]) > 0"}}, Options{})
	res := runHTTP(t, target)
	wantNoErrors(t, res)
	if len(res.Body) != maxResponseBody {
		t.Errorf("len(Body) = %d, want the cap %d", len(res.Body), maxResponseBody)
	}
}

func TestHTTPProbeSendsHeaders(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	tests := []struct {
		name     string
		headers  map[string]string
		opts     Options
		want     map[string]string // "" means absent
		wantHost string
	}{
		{
			name: "defaults",
			opts: Options{AgentID: "agent-7"},
			want: map[string]string{"User-Agent": "Quorate/1.0", AgentHeader: "agent-7"},
		},
		{
			name:    "endpoint headers and user agent win",
			headers: map[string]string{"user-agent": "custom/2", "Authorization": "Bearer x", "X-Custom": "1"},
			opts:    Options{AgentID: "agent-7"},
			want:    map[string]string{"User-Agent": "custom/2", "Authorization": "Bearer x", "X-Custom": "1", AgentHeader: "agent-7"},
		},
		{
			name: "agent header opt-out",
			opts: Options{AgentID: "agent-7", DisableAgentHeader: true},
			want: map[string]string{"User-Agent": "Quorate/1.0", AgentHeader: ""},
		},
		{
			name: "no agent id, no agent header",
			want: map[string]string{AgentHeader: ""},
		},
		{
			name:     "host header sets the request host",
			headers:  map[string]string{"Host": "api.example.org"},
			want:     map[string]string{},
			wantHost: "api.example.org",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/json", Headers: tt.headers}, tt.opts)
			wantNoErrors(t, runHTTP(t, target))
			got := srv.lastRequest(t)
			for k, v := range tt.want {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}
			if tt.wantHost != "" && got.Host != tt.wantHost {
				t.Errorf("Host = %q, want %q", got.Host, tt.wantHost)
			}
		})
	}
}

func TestHTTPProbeSendsMethodAndSubstitutedBody(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	url := srv.URL + "/json"
	target := newProbeTarget(t, &endpoint.Endpoint{
		Name: "orders", Group: "shop", URL: url, Method: "POST",
		Body: `{"name":"[ENDPOINT_NAME]","group":"[ENDPOINT_GROUP]","url":"[ENDPOINT_URL]","nonce":"[RANDOM_STRING_8]"}`,
	}, Options{})
	wantNoErrors(t, runHTTP(t, target))
	got := srv.lastRequest(t)
	if got.Method != "POST" {
		t.Errorf("method = %s, want POST", got.Method)
	}
	want := regexp.MustCompile(`^\{"name":"orders","group":"shop","url":"` + regexp.QuoteMeta(url) + `","nonce":"[A-Za-z0-9]{8}"\}$`)
	if !want.MatchString(got.Body) {
		t.Errorf("body = %s, want it to match %s", got.Body, want)
	}
	if got.Header.Get("Content-Type") != "" {
		t.Errorf("Content-Type = %q, want none unless graphql or set", got.Header.Get("Content-Type"))
	}
}

func TestHTTPProbeWrapsGraphQLBody(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	tests := []struct {
		name            string
		headers         map[string]string
		wantContentType string
	}{
		{"sets json content type", nil, "application/json"},
		{"keeps the endpoint's content type", map[string]string{"Content-Type": "application/graphql+json"}, "application/graphql+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query := "{\n  user(id: \"[ENDPOINT_NAME]\") { name }\n}"
			target := newProbeTarget(t, &endpoint.Endpoint{Name: "u1", URL: srv.URL + "/json", Method: "POST", GraphQL: true, Body: query, Headers: tt.headers}, Options{})
			wantNoErrors(t, runHTTP(t, target))
			got := srv.lastRequest(t)
			var sent map[string]string
			if err := json.Unmarshal([]byte(got.Body), &sent); err != nil {
				t.Fatalf("body %q is not a JSON object of strings: %v", got.Body, err)
			}
			if want := strings.ReplaceAll(query, "[ENDPOINT_NAME]", "u1"); len(sent) != 1 || sent["query"] != want {
				t.Errorf("body = %v, want only query = %q", sent, want)
			}
			if ct := got.Header.Get("Content-Type"); ct != tt.wantContentType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantContentType)
			}
		})
	}
}

func TestHTTPProbeRedirects(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	tests := []struct {
		name           string
		ignoreRedirect bool
		wantStatus     int
	}{
		{"followed by default", false, 200},
		{"ignored with ignore-redirect", true, 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/redirect", Client: &endpoint.ClientConfig{IgnoreRedirect: tt.ignoreRedirect}}, Options{})
			res := runHTTP(t, target)
			wantNoErrors(t, res)
			if res.HTTPStatus != tt.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", res.HTTPStatus, tt.wantStatus)
			}
		})
	}
}

func TestHTTPProbeTimesOut(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/slow", Client: &endpoint.ClientConfig{Timeout: 50 * time.Millisecond}}, Options{})
	res := runHTTP(t, target)
	wantErrorContaining(t, res, "Client.Timeout exceeded")
	if res.HTTPStatus != 0 || res.Connected {
		t.Errorf("HTTPStatus = %d, Connected = %v; want 0 and false after a timeout", res.HTTPStatus, res.Connected)
	}
}

func TestHTTPProbeHonoursContextDeadline(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/slow"}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := &result.Result{}
	probeHTTP(ctx, target, res)
	wantErrorContaining(t, res, "context deadline exceeded")
}

func TestHTTPProbeOpensAFreshConnectionPerProbe(t *testing.T) {
	srv := startHTTPTestServer(t, nil)
	// Reading the body to its end would let a keep-alive client reuse the
	// connection, so the probe must refuse to.
	target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/json", Conditions: []string{"[BODY].status == UP"}}, Options{})
	for range 3 {
		wantNoErrors(t, runHTTP(t, target))
	}
	if got := srv.conns.Load(); got != 3 {
		t.Errorf("server accepted %d connections for 3 probes, want 3", got)
	}
}

func TestHTTPProbeReportsConnectionRefused(t *testing.T) {
	target := newProbeTarget(t, &endpoint.Endpoint{URL: "http://" + closedTCPAddr(t) + "/"}, Options{})
	res := runHTTP(t, target)
	wantErrorContaining(t, res, "connect: connection refused")
	if res.Connected || res.HTTPStatus != 0 {
		t.Errorf("Connected = %v, HTTPStatus = %d; want false and 0", res.Connected, res.HTTPStatus)
	}
}

func TestHTTPSProbeVerifiesUnlessInsecure(t *testing.T) {
	cert := newTestServerCert(t)
	srv := startHTTPTestServer(t, cert.serverConfig())
	t.Run("insecure accepts an untrusted certificate and reports its expiry", func(t *testing.T) {
		target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/json", Client: &endpoint.ClientConfig{Insecure: true}}, Options{})
		before := time.Until(cert.Leaf.NotAfter)
		res := runHTTP(t, target)
		after := time.Until(cert.Leaf.NotAfter)
		wantNoErrors(t, res)
		if res.HTTPStatus != 200 {
			t.Errorf("HTTPStatus = %d, want 200", res.HTTPStatus)
		}
		if res.CertificateExpiration > before || res.CertificateExpiration < after {
			t.Errorf("CertificateExpiration = %v, want between %v and %v (leaf NotAfter)", res.CertificateExpiration, after, before)
		}
		if res.Timings.TLS <= 0 {
			t.Errorf("Timings.TLS = %v, want > 0 for https", res.Timings.TLS)
		}
	})
	t.Run("verification fails without insecure", func(t *testing.T) {
		target := newProbeTarget(t, &endpoint.Endpoint{URL: srv.URL + "/json"}, Options{})
		res := runHTTP(t, target)
		wantErrorContaining(t, res, "certificate signed by unknown authority")
		if res.HTTPStatus != 0 || res.Connected {
			t.Errorf("HTTPStatus = %d, Connected = %v; want 0 and false", res.HTTPStatus, res.Connected)
		}
	})
}

func TestHTTPSProbePresentsClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	srv := startHTTPTestServer(t, ca.clientAuthConfig(ca.serverCert(t)))
	client := ca.clientCert(t, "agent")
	other := newTestCA(t).clientCert(t, "stranger")
	tests := []struct {
		name        string
		tls         *endpoint.ClientTLSConfig
		wantError   string
		configError bool
	}{
		{name: "trusted client certificate", tls: &endpoint.ClientTLSConfig{CertificateFile: client.CertFile, PrivateKeyFile: client.KeyFile, Renegotiation: "once"}},
		{name: "no client certificate", wantError: "certificate required"},
		{name: "client certificate from another CA", tls: &endpoint.ClientTLSConfig{CertificateFile: other.CertFile, PrivateKeyFile: other.KeyFile}, wantError: "unknown certificate authority"},
		{name: "unreadable files are a config error", tls: &endpoint.ClientTLSConfig{CertificateFile: "/nonexistent/cert.pem", PrivateKeyFile: client.KeyFile}, wantError: `client.tls: loading certificate-file "/nonexistent/cert.pem"`, configError: true},
		{name: "half a key pair is a config error", tls: &endpoint.ClientTLSConfig{CertificateFile: client.CertFile}, wantError: "set both certificate-file and private-key-file", configError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := &endpoint.Endpoint{URL: srv.URL + "/json", Client: &endpoint.ClientConfig{Insecure: true, TLS: tt.tls}}
			if tt.configError {
				wantConfigError(t, ep, tt.wantError)
				return
			}
			target := newProbeTarget(t, ep, Options{})
			res := runHTTP(t, target)
			if tt.wantError != "" {
				wantErrorContaining(t, res, tt.wantError)
				return
			}
			wantNoErrors(t, res)
			if res.HTTPStatus != 200 {
				t.Errorf("HTTPStatus = %d, want 200", res.HTTPStatus)
			}
		})
	}
}

func TestHTTPProbeUsesDNSResolver(t *testing.T) {
	dnsServer := startResolverServer(t)
	srv := startHTTPTestServer(t, nil)
	t.Run("resolves through the configured server", func(t *testing.T) {
		target := newProbeTarget(t, &endpoint.Endpoint{
			URL:    "http://probe.test:" + srv.port() + "/json",
			Client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()},
		}, Options{})
		before := dnsServer.queries.Load()
		res := runHTTP(t, target)
		wantNoErrors(t, res)
		if res.HTTPStatus != 200 {
			t.Errorf("HTTPStatus = %d, want 200", res.HTTPStatus)
		}
		if dnsServer.queries.Load() == before {
			t.Error("the configured resolver was not asked")
		}
		if res.Timings.DNS <= 0 {
			t.Errorf("Timings.DNS = %v, want > 0 after a lookup", res.Timings.DNS)
		}
		if res.IP != "127.0.0.1" {
			t.Errorf("IP = %q, want 127.0.0.1", res.IP)
		}
	})
	t.Run("unknown name fails", func(t *testing.T) {
		target := newProbeTarget(t, &endpoint.Endpoint{
			URL:    "http://missing.test:" + srv.port() + "/json",
			Client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()},
		}, Options{})
		wantErrorContaining(t, runHTTP(t, target), "dial tcp: lookup missing.test on "+dnsServer.addr+": no such host")
	})
	t.Run("invalid resolver is a config error", func(t *testing.T) {
		wantConfigError(t, &endpoint.Endpoint{URL: srv.URL, Client: &endpoint.ClientConfig{DNSResolver: "tcp://8.8.8.8"}}, `client.dns-resolver "tcp://8.8.8.8"`)
	})
}

func TestHTTPProbeHonoursNetwork(t *testing.T) {
	if !hasIPv6Loopback() {
		t.Skip("needs IPv6 loopback (::1)")
	}
	dnsServer := startResolverServer(t)
	srv := startHTTPTestServer(t, nil) // listens on 127.0.0.1 only
	tests := []struct {
		network   string
		wantError string
	}{
		{network: "ip4"},
		{network: "ip6", wantError: "dial tcp6 [::1]:" + srv.port() + ": connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{
				URL:    "http://dual.test:" + srv.port() + "/json",
				Client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver(), Network: tt.network},
			}, Options{})
			res := runHTTP(t, target)
			if tt.wantError != "" {
				wantErrorContaining(t, res, tt.wantError)
				return
			}
			wantNoErrors(t, res)
			if res.HTTPStatus != 200 {
				t.Errorf("HTTPStatus = %d, want 200", res.HTTPStatus)
			}
		})
	}
}

func TestHTTPProbeUsesProxyURL(t *testing.T) {
	var proxied atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(r.RequestURI) // absolute URI: a forward-proxy request
		_, _ = io.WriteString(w, "via proxy")
	}))
	t.Cleanup(proxy.Close)
	t.Run("requests go through the proxy", func(t *testing.T) {
		// .invalid never resolves: only the proxy can answer.
		target := newProbeTarget(t, &endpoint.Endpoint{URL: "http://upstream.invalid:8080/health", Client: &endpoint.ClientConfig{ProxyURL: proxy.URL}}, Options{})
		res := runHTTP(t, target)
		wantNoErrors(t, res)
		if res.HTTPStatus != 200 {
			t.Errorf("HTTPStatus = %d, want 200", res.HTTPStatus)
		}
		if got, _ := proxied.Load().(string); got != "http://upstream.invalid:8080/health" {
			t.Errorf("proxy got request for %q, want the target URL", got)
		}
		if res.IP != "" {
			t.Errorf("IP = %q, want empty: the proxy's address is not the target's", res.IP)
		}
	})
	t.Run("invalid proxy url is a config error", func(t *testing.T) {
		wantConfigError(t, &endpoint.Endpoint{URL: "http://127.0.0.1:1/", Client: &endpoint.ClientConfig{ProxyURL: "proxy.internal:3128"}}, `client.proxy-url "proxy.internal:3128"`)
	})
}

// closedTCPAddr is a loopback address where nothing listens.
func closedTCPAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// BenchmarkProbeHTTP is one HTTP probe of a local JSON endpoint, body read
// for a [BODY] condition, fresh connection each time: the CPU and
// allocations one result costs the agent (plus the server's share).
func BenchmarkProbeHTTP(b *testing.B) {
	srv := startHTTPTestServer(b, nil)
	target := newProbeTarget(b, &endpoint.Endpoint{URL: srv.URL + "/json", Conditions: []string{"[BODY].status == UP"}}, Options{AgentID: "bench"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res := &result.Result{}
		probeHTTP(ctx, target, res)
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
	}
}
