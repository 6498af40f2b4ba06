package probe

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// probeTLS connects to the host:port after tls://, completes a TLS handshake
// (verified unless client.insecure) and records the leaf certificate's
// expiry. With a body it sends it over TLS and keeps one reply as [BODY].
// Unlike TCP, failures are errors, as in Gatus.
func probeTLS(ctx context.Context, t *Target, res *result.Result) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	var trace phaseTrace
	defer trace.result(res)
	addr := afterScheme(t.Endpoint.URL)
	start := time.Now()
	raw, err := c.dial(trace.with(ctx), "tcp", addr)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	defer raw.Close()
	res.IP = firstNonEmpty(res.IP, addrIP(raw.RemoteAddr()))
	conn := tls.Client(raw, tlsConfigFor(c, addr))
	handshake := time.Now()
	err = conn.HandshakeContext(ctx)
	trace.tlsHandshake(time.Since(handshake))
	if err != nil {
		res.AddError(err.Error())
		return
	}
	res.Connected = true
	leaf := conn.ConnectionState().PeerCertificates[0]
	if body := requestBody(t.Endpoint); body != "" {
		reply, err := exchange(ctx, conn, body, &trace)
		if err != nil {
			// Gatus reports it and leaves duration and expiry unset.
			res.AddError(err.Error())
			return
		}
		res.Body = reply
	}
	res.Duration = time.Since(start)
	res.CertificateExpiration = time.Until(leaf.NotAfter)
}

// tlsConfigFor is the target's TLS configuration for a server at addr, the
// name to verify being addr's host (as tls.Dial does).
func tlsConfigFor(c *targetClient, addr string) *tls.Config {
	cfg := c.tls.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil && cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
