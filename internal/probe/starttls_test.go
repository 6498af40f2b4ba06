package probe

import (
	"crypto/tls"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// smtpTestServer speaks just enough SMTP for STARTTLS: greeting, EHLO/HELO,
// STARTTLS (when offered), QUIT. It records the commands it got.
type smtpTestServer struct {
	addr string
	tls  *tls.Config
	// offer makes EHLO advertise STARTTLS and accept it; without it the
	// command is refused with 502.
	offer bool

	mu       sync.Mutex
	commands []string
}

func startSMTPTestServer(t testing.TB, cfg *tls.Config, offer bool) *smtpTestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpTestServer{addr: ln.Addr().String(), tls: cfg, offer: offer}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(conn) })
		}
	})
	return s
}

func (s *smtpTestServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	tp := textproto.NewConn(conn)
	secure := false
	_ = tp.PrintfLine("220 mail.test ESMTP quorate-test")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		s.mu.Lock()
		s.commands = append(s.commands, verb)
		s.mu.Unlock()
		switch verb {
		case "EHLO":
			if s.offer && !secure {
				_ = tp.PrintfLine("250-mail.test")
				_ = tp.PrintfLine("250 STARTTLS")
			} else {
				_ = tp.PrintfLine("250 mail.test")
			}
		case "HELO":
			_ = tp.PrintfLine("250 mail.test")
		case "STARTTLS":
			if !s.offer || secure {
				_ = tp.PrintfLine("502 5.5.1 STARTTLS not available")
				continue
			}
			_ = tp.PrintfLine("220 2.0.0 Ready to start TLS")
			tlsConn := tls.Server(conn, s.tls)
			if err := tlsConn.Handshake(); err != nil {
				return
			}
			conn, tp, secure = tlsConn, textproto.NewConn(tlsConn), true
		case "QUIT":
			_ = tp.PrintfLine("221 2.0.0 Bye")
			return
		default:
			_ = tp.PrintfLine("502 5.5.2 Command not recognized")
		}
	}
}

func (s *smtpTestServer) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.commands, " ")
}

func TestSTARTTLSProbeUpgradesAndReportsExpiry(t *testing.T) {
	cert := newTestServerCert(t)
	srv := startSMTPTestServer(t, cert.serverConfig(), true)
	leaf := leafExpiry(cert)
	res := runProber(t, probeSTARTTLS, newProbeTarget(t, &endpoint.Endpoint{URL: "starttls://" + srv.addr, Client: &endpoint.ClientConfig{Insecure: true}}, Options{}))
	wantNoErrors(t, res)
	if !res.Connected {
		t.Fatal("Connected = false, want true")
	}
	wantExpiryOf(t, leaf, res)
	if res.Duration <= 0 || res.Timings.Connect <= 0 {
		t.Errorf("Duration = %v, Timings = %+v; want Duration and Connect > 0", res.Duration, res.Timings)
	}
	if res.IP != "127.0.0.1" {
		t.Errorf("IP = %q, want 127.0.0.1", res.IP)
	}
	if got := srv.received(); got != "EHLO STARTTLS EHLO QUIT" {
		t.Errorf("server got %q, want EHLO STARTTLS EHLO QUIT", got)
	}
}

func TestSTARTTLSProbeFailures(t *testing.T) {
	cert := newTestServerCert(t)
	upgrading := startSMTPTestServer(t, cert.serverConfig(), true)
	refusing := startSMTPTestServer(t, cert.serverConfig(), false)
	notSMTP := startTCPTestServer(t, nil) // closes at once: no greeting
	insecure := &endpoint.ClientConfig{Insecure: true}
	tests := []struct {
		name      string
		url       string
		client    *endpoint.ClientConfig
		wantError string
	}{
		{name: "untrusted certificate without insecure", url: "starttls://" + upgrading.addr, wantError: "certificate signed by unknown authority"},
		{name: "server refuses STARTTLS", url: "starttls://" + refusing.addr, client: insecure, wantError: "5.5.1 STARTTLS not available"},
		{name: "no SMTP greeting", url: "starttls://" + notSMTP.addr, client: insecure, wantError: "reading SMTP greeting: EOF"},
		{name: "closed port", url: "starttls://" + closedTCPAddr(t), wantError: "connect: connection refused"},
		{name: "address without port", url: "starttls://127.0.0.1", wantError: "format must be host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runProber(t, probeSTARTTLS, newProbeTarget(t, &endpoint.Endpoint{URL: tt.url, Client: tt.client}, Options{}))
			wantErrorContaining(t, res, tt.wantError)
			if res.Connected || res.CertificateExpiration != 0 {
				t.Errorf("Connected = %v, CertificateExpiration = %v; want false and 0", res.Connected, res.CertificateExpiration)
			}
		})
	}
}
