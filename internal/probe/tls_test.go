package probe

import (
	"crypto/tls"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// startTLSTestServer serves TLS with cfg on loopback. After the handshake it
// answers one read with reply(what it read), if reply is set.
func startTLSTestServer(t testing.TB, cfg *tls.Config, reply func([]byte) []byte) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				if err := conn.(*tls.Conn).Handshake(); err != nil || reply == nil {
					return
				}
				buf := make([]byte, 4096)
				n, err := conn.Read(buf)
				if err != nil {
					return
				}
				_, _ = conn.Write(reply(buf[:n]))
			})
		}
	})
	return ln.Addr().String()
}

// wantExpiryOf checks [CERTIFICATE_EXPIRATION] against the leaf's NotAfter,
// measured before and after the probe.
func wantExpiryOf(t testing.TB, leaf *tlsLeaf, res *result.Result) {
	t.Helper()
	if res.CertificateExpiration > leaf.before || res.CertificateExpiration < leaf.after() {
		t.Errorf("CertificateExpiration = %v, want between %v and %v (leaf NotAfter %v)", res.CertificateExpiration, leaf.after(), leaf.before, leaf.notAfter)
	}
}

type tlsLeaf struct {
	notAfter time.Time
	before   time.Duration
}

func leafExpiry(c *testCert) *tlsLeaf {
	return &tlsLeaf{notAfter: c.Leaf.NotAfter, before: time.Until(c.Leaf.NotAfter)}
}

func (l *tlsLeaf) after() time.Duration { return time.Until(l.notAfter) }

func TestTLSProbeHandshakesAndReportsExpiry(t *testing.T) {
	cert := newTestServerCert(t)
	addr := startTLSTestServer(t, cert.serverConfig(), nil)
	leaf := leafExpiry(cert)
	res := runProber(t, probeTLS, newProbeTarget(t, &endpoint.Endpoint{URL: "tls://" + addr, Client: &endpoint.ClientConfig{Insecure: true}}, Options{}))
	wantNoErrors(t, res)
	if !res.Connected {
		t.Fatal("Connected = false, want true")
	}
	wantExpiryOf(t, leaf, res)
	if res.Duration <= 0 || res.Timings.Connect <= 0 || res.Timings.TLS <= 0 {
		t.Errorf("Duration = %v, Timings = %+v; want Duration, Connect and TLS > 0", res.Duration, res.Timings)
	}
	if res.IP != "127.0.0.1" {
		t.Errorf("IP = %q, want 127.0.0.1", res.IP)
	}
}

func TestTLSProbeSendsBodyAndKeepsReply(t *testing.T) {
	cert := newTestServerCert(t)
	addr := startTLSTestServer(t, cert.serverConfig(), echo)
	target := newProbeTarget(t, &endpoint.Endpoint{Name: "tls-echo", URL: "tls://" + addr, Body: "hi [ENDPOINT_NAME]", Client: &endpoint.ClientConfig{Insecure: true}}, Options{})
	res := runProber(t, probeTLS, target)
	wantNoErrors(t, res)
	if string(res.Body) != "hi tls-echo" {
		t.Errorf("Body = %q, want %q", res.Body, "hi tls-echo")
	}
	if res.CertificateExpiration <= 0 {
		t.Errorf("CertificateExpiration = %v, want > 0", res.CertificateExpiration)
	}
}

func TestTLSProbeFailures(t *testing.T) {
	cert := newTestServerCert(t)
	tlsAddr := startTLSTestServer(t, cert.serverConfig(), nil)
	plain := startTCPTestServer(t, echo) // echoes the ClientHello: not TLS
	ca := newTestCA(t)
	mtlsAddr := startTLSTestServer(t, ca.clientAuthConfig(ca.serverCert(t)), echo)
	tests := []struct {
		name      string
		url       string
		body      string
		client    *endpoint.ClientConfig
		wantError string
	}{
		{name: "untrusted certificate without insecure", url: "tls://" + tlsAddr, wantError: "certificate signed by unknown authority"},
		{name: "not a TLS server", url: "tls://" + plain.addr, client: &endpoint.ClientConfig{Insecure: true}, wantError: "tls: "},
		{name: "closed port", url: "tls://" + closedTCPAddr(t), wantError: "connect: connection refused"},
		// TLS 1.3 clients finish the handshake before the server checks their
		// certificate; the rejection shows when reading the reply (as Gatus).
		{name: "server requires a client certificate", url: "tls://" + mtlsAddr, body: "hello", client: &endpoint.ClientConfig{Insecure: true}, wantError: "certificate required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runProber(t, probeTLS, newProbeTarget(t, &endpoint.Endpoint{URL: tt.url, Body: tt.body, Client: tt.client}, Options{}))
			wantErrorContaining(t, res, tt.wantError)
			if res.CertificateExpiration != 0 || res.Body != nil {
				t.Errorf("CertificateExpiration = %v, Body = %q; want neither after a failure", res.CertificateExpiration, res.Body)
			}
		})
	}
}

func TestTLSProbePresentsClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	addr := startTLSTestServer(t, ca.clientAuthConfig(ca.serverCert(t)), echo)
	client := ca.clientCert(t, "agent")
	target := newProbeTarget(t, &endpoint.Endpoint{URL: "tls://" + addr, Body: "hello", Client: &endpoint.ClientConfig{
		Insecure: true,
		TLS:      &endpoint.ClientTLSConfig{CertificateFile: client.CertFile, PrivateKeyFile: client.KeyFile},
	}}, Options{})
	// The body round trip proves the server accepted the certificate: with
	// TLS 1.3 a rejection only shows after the client's handshake is done.
	res := runProber(t, probeTLS, target)
	wantNoErrors(t, res)
	if !res.Connected || string(res.Body) != "hello" {
		t.Errorf("Connected = %v, Body = %q; want true and the echo", res.Connected, res.Body)
	}
}
