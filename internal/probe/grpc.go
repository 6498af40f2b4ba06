package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/quorate/quorate/internal/result"
)

// probeGRPC runs the standard gRPC health check (grpc.health.v1.Health/Check)
// against grpc://host:port (plaintext) or grpcs://host:port (TLS), as Gatus
// does. [BODY] is {"status":"<SERVING|NOT_SERVING|...>"} so that
// `[BODY].status == SERVING` works; [STATUS] stays 0. Any RPC error, such as
// NotFound for a service the server does not know, is a probe error, and
// [CONNECTED] is true only when the check was answered, as in Gatus.
//
// Quorate addition: the URL path names the service to check
// (grpcs://host:443/my.pkg.Service); without a path the server's overall
// health ("") is checked, which is all Gatus can do. The endpoint's headers are
// sent as request metadata.
func probeGRPC(ctx context.Context, t *Target, res *result.Result) {
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	addr, service, useTLS, err := grpcTarget(t.Endpoint.URL)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	c := clientFor(t)
	if c.err != nil {
		res.AddError("grpc: " + c.err.Error())
		return
	}
	creds := insecure.NewCredentials()
	if useTLS {
		creds = credentials.NewTLS(c.tls)
	}

	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	// passthrough: the address goes to the target's dialer as written (like
	// Gatus's dial, honouring client.dns-resolver and client.network) instead
	// of through gRPC's own DNS resolver.
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			return c.dial(ctx, "tcp", a)
		}),
	)
	if err != nil {
		res.AddError(fmt.Sprintf("grpc: client for %s: %v", addr, err))
		return
	}
	defer conn.Close()

	var p peer.Peer
	reply, err := healthpb.NewHealthClient(conn).Check(grpcMetadata(ctx, t),
		&healthpb.HealthCheckRequest{Service: service}, grpc.Peer(&p))
	if err != nil {
		res.AddError(fmt.Sprintf("grpc: health check of service %q at %s: %v", service, addr, err))
		return
	}
	res.Connected = true
	res.Body, _ = json.Marshal(map[string]string{"status": reply.GetStatus().String()})
	if info, ok := p.AuthInfo.(credentials.TLSInfo); ok {
		res.CertificateExpiration = wsgrpcLeafExpiration(info.State)
	}
}

// grpcTarget splits grpc[s]://host[:port][/service] into the dial address,
// the health service name and whether to use TLS. The port defaults to 443
// for grpcs and 80 for grpc.
func grpcTarget(raw string) (addr, service string, useTLS bool, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "", "", false, fmt.Errorf("grpc: url %q is not grpc://host:port or grpcs://host:port", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	useTLS = scheme == "grpcs"
	port := u.Port()
	if port == "" {
		port = "80"
		if useTLS {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port), strings.Trim(u.Path, "/"), useTLS, nil
}

// grpcReservedHeaders are set by gRPC itself and may not be sent as metadata.
var grpcReservedHeaders = map[string]bool{
	"host": true, "user-agent": true, "content-type": true, "te": true, "connection": true,
}

// grpcMetadata attaches the endpoint's headers and the agent header as
// outgoing metadata.
func grpcMetadata(ctx context.Context, t *Target) context.Context {
	var kv []string
	for k, v := range t.Endpoint.Headers {
		if key := strings.ToLower(k); !grpcReservedHeaders[key] {
			kv = append(kv, key, v)
		}
	}
	if !t.Options.DisableAgentHeader && t.Options.AgentID != "" {
		kv = append(kv, strings.ToLower(AgentHeader), t.Options.AgentID)
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}
