package probe

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// grpcTestServer is a gRPC server on 127.0.0.1 with the standard health
// service: "" and "up.Service" SERVING, "down.Service" NOT_SERVING. It records
// the metadata of the last call.
type grpcTestServer struct {
	addr string

	mu sync.Mutex
	md metadata.MD
}

func (s *grpcTestServer) lastMetadata() metadata.MD {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.md
}

func startGRPCServer(t *testing.T, withHealth bool, opts ...grpc.ServerOption) *grpcTestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &grpcTestServer{addr: ln.Addr().String()}
	opts = append(opts, grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		s.mu.Lock()
		s.md = md
		s.mu.Unlock()
		return h(ctx, req)
	}))
	srv := grpc.NewServer(opts...)
	if withHealth {
		hs := health.NewServer()
		hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
		hs.SetServingStatus("up.Service", healthpb.HealthCheckResponse_SERVING)
		hs.SetServingStatus("down.Service", healthpb.HealthCheckResponse_NOT_SERVING)
		healthpb.RegisterHealthServer(srv, hs)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return s
}

func runGRPC(t *testing.T, url string, opts Options, edit func(*endpoint.Endpoint)) *result.Result {
	t.Helper()
	ep := &endpoint.Endpoint{Name: "grpc", URL: url}
	if edit != nil {
		edit(ep)
	}
	target, err := NewTarget(ep, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := &result.Result{}
	probeGRPC(ctx, target, res)
	return res
}

func TestGRPCHealthCheckReportsServingStatus(t *testing.T) {
	srv := startGRPCServer(t, true)
	tests := []struct {
		name, path, wantBody string
	}{
		{"no path checks the whole server", "", `{"status":"SERVING"}`},
		{"trailing slash checks the whole server", "/", `{"status":"SERVING"}`},
		{"path names a serving service", "/up.Service", `{"status":"SERVING"}`},
		{"NOT_SERVING is a result, not an error", "/down.Service", `{"status":"NOT_SERVING"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runGRPC(t, "grpc://"+srv.addr+tc.path, Options{}, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if string(res.Body) != tc.wantBody {
				t.Errorf("Body = %s, want %s", res.Body, tc.wantBody)
			}
			if res.HTTPStatus != 0 {
				t.Errorf("HTTPStatus = %d, want 0", res.HTTPStatus)
			}
			if res.CertificateExpiration != 0 {
				t.Errorf("CertificateExpiration = %v, want 0 without TLS", res.CertificateExpiration)
			}
		})
	}
}

func TestGRPCHealthCheckSendsAgentAndEndpointHeaders(t *testing.T) {
	srv := startGRPCServer(t, true)
	tests := []struct {
		name      string
		opts      Options
		wantAgent []string
	}{
		{"agent header sent", Options{AgentID: "agent-eu-1"}, []string{"agent-eu-1"}},
		{"agent header disabled", Options{AgentID: "agent-eu-1", DisableAgentHeader: true}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runGRPC(t, "grpc://"+srv.addr, tc.opts, func(ep *endpoint.Endpoint) {
				ep.Headers = map[string]string{"Authorization": "Bearer t0k", "User-Agent": "ignored"}
			})
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			md := srv.lastMetadata()
			if got := md.Get("x-quorate-agent"); strings.Join(got, ",") != strings.Join(tc.wantAgent, ",") {
				t.Errorf("x-quorate-agent = %v, want %v", got, tc.wantAgent)
			}
			if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer t0k" {
				t.Errorf("authorization = %v, want [Bearer t0k]", got)
			}
		})
	}
}

func TestGRPCHealthCheckFailures(t *testing.T) {
	withHealth := startGRPCServer(t, true)
	withoutHealth := startGRPCServer(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()

	tests := []struct {
		name, url, wantErr string
	}{
		{"unknown service", "grpc://" + withHealth.addr + "/unknown.Service", "NotFound"},
		{"server without health service", "grpc://" + withoutHealth.addr, "Unimplemented"},
		{"nothing listening", "grpc://" + closed, "Unavailable"},
		{"url without host", "grpc://", "not grpc://host:port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runGRPC(t, tc.url, Options{}, nil)
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], tc.wantErr) {
				t.Fatalf("errors = %v, want one containing %q", res.Errors, tc.wantErr)
			}
			if res.Connected {
				t.Error("Connected = true, want false")
			}
			if res.Body != nil {
				t.Errorf("Body = %s, want none", res.Body)
			}
		})
	}
}

func TestGRPCHealthCheckOverTLS(t *testing.T) {
	cert := newTestServerCert(t)
	srv := startGRPCServer(t, true, grpc.Creds(credentials.NewTLS(cert.serverConfig())))

	t.Run("insecure accepts a certificate from an unknown CA", func(t *testing.T) {
		maxLeft := time.Until(cert.Leaf.NotAfter)
		res := runGRPC(t, "grpcs://"+srv.addr, Options{}, func(ep *endpoint.Endpoint) {
			ep.Client = &endpoint.ClientConfig{Insecure: true}
		})
		if len(res.Errors) > 0 {
			t.Fatalf("errors: %v", res.Errors)
		}
		if string(res.Body) != `{"status":"SERVING"}` || !res.Connected {
			t.Errorf("Body = %s, Connected = %v; want SERVING and connected", res.Body, res.Connected)
		}
		if res.CertificateExpiration <= maxLeft-time.Minute || res.CertificateExpiration > maxLeft {
			t.Errorf("CertificateExpiration = %v, want just under %v", res.CertificateExpiration, maxLeft)
		}
	})
	t.Run("verification rejects a certificate from an unknown CA", func(t *testing.T) {
		res := runGRPC(t, "grpcs://"+srv.addr, Options{}, nil)
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "certificate") {
			t.Fatalf("errors = %v, want one certificate error", res.Errors)
		}
		if res.Connected {
			t.Error("Connected = true, want false")
		}
	})
	t.Run("plaintext against a TLS server fails", func(t *testing.T) {
		res := runGRPC(t, "grpc://"+srv.addr, Options{}, nil)
		if len(res.Errors) != 1 || res.Connected {
			t.Fatalf("errors = %v, connected = %v; want one error, not connected", res.Errors, res.Connected)
		}
	})
}

func TestGRPCHealthCheckWithClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	srv := startGRPCServer(t, true, grpc.Creds(credentials.NewTLS(ca.clientAuthConfig(ca.serverCert(t)))))
	client := ca.clientCert(t, "agent")

	t.Run("client.tls certificate is presented", func(t *testing.T) {
		res := runGRPC(t, "grpcs://"+srv.addr, Options{}, func(ep *endpoint.Endpoint) {
			ep.Client = &endpoint.ClientConfig{Insecure: true, TLS: &endpoint.ClientTLSConfig{
				CertificateFile: client.CertFile, PrivateKeyFile: client.KeyFile,
			}}
		})
		if len(res.Errors) > 0 {
			t.Fatalf("errors: %v", res.Errors)
		}
		if string(res.Body) != `{"status":"SERVING"}` {
			t.Errorf("Body = %s, want SERVING", res.Body)
		}
	})
	t.Run("without a client certificate the server refuses", func(t *testing.T) {
		res := runGRPC(t, "grpcs://"+srv.addr, Options{}, func(ep *endpoint.Endpoint) {
			ep.Client = &endpoint.ClientConfig{Insecure: true}
		})
		if len(res.Errors) != 1 || res.Connected {
			t.Fatalf("errors = %v, connected = %v; want one error, not connected", res.Errors, res.Connected)
		}
	})
}

func TestGRPCTargetParsesURL(t *testing.T) {
	tests := []struct {
		url, addr, service string
		tls                bool
	}{
		{"grpc://127.0.0.1:50051", "127.0.0.1:50051", "", false},
		{"grpcs://api.example.org", "api.example.org:443", "", true},
		{"grpc://api.example.org", "api.example.org:80", "", false},
		{"GRPCS://[::1]:9000/my.pkg.Service", "[::1]:9000", "my.pkg.Service", true},
	}
	for _, tc := range tests {
		addr, service, useTLS, err := grpcTarget(tc.url)
		if err != nil || addr != tc.addr || service != tc.service || useTLS != tc.tls {
			t.Errorf("grpcTarget(%q) = %q, %q, %v, %v; want %q, %q, %v", tc.url, addr, service, useTLS, err, tc.addr, tc.service, tc.tls)
		}
	}
}
