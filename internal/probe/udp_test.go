package probe

import (
	"net"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// startUDPTestServer answers every datagram with reply(datagram), or stays
// silent when reply returns nil.
func startUDPTestServer(t testing.TB, reply func([]byte) []byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { _ = pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(buf[:n]); out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// closedUDPAddr is a loopback UDP address where nothing listens.
func closedUDPAddr(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	_ = pc.Close()
	return addr
}

func TestUDPProbe(t *testing.T) {
	echoAddr := startUDPTestServer(t, echo)
	silentAddr := startUDPTestServer(t, func([]byte) []byte { return nil })
	tests := []struct {
		name          string
		addr          string
		body          string
		wantConnected bool
		wantBody      string
	}{
		{name: "echo server replies", addr: echoAddr, body: "ping [ENDPOINT_NAME]", wantConnected: true, wantBody: "ping udp"},
		// As Gatus: without a body nothing is sent, so even a closed port
		// counts as connected.
		{name: "no body sends nothing", addr: closedUDPAddr(t), wantConnected: true},
		{name: "closed port with body", addr: closedUDPAddr(t), body: "ping"},
		{name: "silent server with body", addr: silentAddr, body: "ping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{Name: "udp", URL: "udp://" + tt.addr, Body: tt.body, Client: &endpoint.ClientConfig{Timeout: 200 * time.Millisecond}}, Options{})
			res := runProber(t, probeUDP, target)
			wantNoErrors(t, res)
			if res.Connected != tt.wantConnected {
				t.Errorf("Connected = %v, want %v", res.Connected, tt.wantConnected)
			}
			if string(res.Body) != tt.wantBody {
				t.Errorf("Body = %q, want %q", res.Body, tt.wantBody)
			}
			if res.IP != "127.0.0.1" {
				t.Errorf("IP = %q, want 127.0.0.1", res.IP)
			}
		})
	}
}
