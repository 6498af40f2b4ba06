package probe

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// tcpTestServer accepts TCP connections on loopback; per connection it reads
// once and answers with reply(what it read), or closes without answering
// when reply is nil. The last peer address it saw is kept.
type tcpTestServer struct {
	addr string

	mu       sync.Mutex
	lastPeer string
}

func startTCPTestServer(t testing.TB, reply func([]byte) []byte) *tcpTestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tcpTestServer{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.lastPeer = conn.RemoteAddr().String()
			s.mu.Unlock()
			wg.Go(func() {
				defer conn.Close()
				if reply == nil {
					return
				}
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				n, err := conn.Read(buf)
				if err != nil {
					return
				}
				if out := reply(buf[:n]); out != nil {
					_, _ = conn.Write(out)
				} else {
					_, _ = conn.Read(buf) // stay silent until the client gives up
				}
			})
		}
	})
	return s
}

func (s *tcpTestServer) peer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastPeer
}

func echo(in []byte) []byte { return in }

func runProber(t testing.TB, probe proberFunc, target *Target) *result.Result {
	t.Helper()
	res := &result.Result{}
	probe(context.Background(), target, res)
	return res
}

func TestTCPProbeConnects(t *testing.T) {
	open := startTCPTestServer(t, nil)
	tests := []struct {
		name          string
		addr          string
		wantConnected bool
	}{
		{"open port", open.addr, true},
		// As Gatus: a refused connection is an observation ([CONNECTED]
		// false), not an error, so `[CONNECTED] == false` can hold.
		{"closed port", closedTCPAddr(t), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runProber(t, probeTCP, newProbeTarget(t, &endpoint.Endpoint{URL: "tcp://" + tt.addr}, Options{}))
			wantNoErrors(t, res)
			if res.Connected != tt.wantConnected {
				t.Errorf("Connected = %v, want %v", res.Connected, tt.wantConnected)
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want > 0", res.Duration)
			}
			if tt.wantConnected && (res.IP != "127.0.0.1" || res.Timings.Connect <= 0) {
				t.Errorf("IP = %q, Timings = %+v; want 127.0.0.1 and Connect > 0", res.IP, res.Timings)
			}
			if res.Body != nil {
				t.Errorf("Body = %q without a request body", res.Body)
			}
		})
	}
}

func TestTCPProbeSendsBodyAndKeepsReply(t *testing.T) {
	srv := startTCPTestServer(t, echo)
	target := newProbeTarget(t, &endpoint.Endpoint{Name: "echo", URL: "tcp://" + srv.addr, Body: "hello [ENDPOINT_NAME] from [LOCAL_ADDRESS]"}, Options{})
	res := runProber(t, probeTCP, target)
	wantNoErrors(t, res)
	if !res.Connected {
		t.Fatal("Connected = false, want true")
	}
	if want := "hello echo from " + srv.peer(); string(res.Body) != want {
		t.Errorf("Body = %q, want %q", res.Body, want)
	}
	if res.Timings.FirstByte <= 0 {
		t.Errorf("Timings.FirstByte = %v, want > 0 after a reply", res.Timings.FirstByte)
	}
}

func TestTCPProbeKeepsOneReadOfAtMost1KiB(t *testing.T) {
	big := make([]byte, 3000)
	for i := range big {
		big[i] = 'a'
	}
	srv := startTCPTestServer(t, func([]byte) []byte { return big })
	res := runProber(t, probeTCP, newProbeTarget(t, &endpoint.Endpoint{URL: "tcp://" + srv.addr, Body: "go"}, Options{}))
	wantNoErrors(t, res)
	if len(res.Body) == 0 || len(res.Body) > maxSocketReply {
		t.Errorf("len(Body) = %d, want 1..%d", len(res.Body), maxSocketReply)
	}
}

func TestTCPProbeWithBodyNeedsAReply(t *testing.T) {
	tests := []struct {
		name  string
		reply func([]byte) []byte
	}{
		{"server closes without answering", nil},
		{"server stays silent until the timeout", func([]byte) []byte { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startTCPTestServer(t, tt.reply)
			target := newProbeTarget(t, &endpoint.Endpoint{URL: "tcp://" + srv.addr, Body: "ping", Client: &endpoint.ClientConfig{Timeout: 100 * time.Millisecond}}, Options{})
			res := runProber(t, probeTCP, target)
			wantNoErrors(t, res)
			if res.Connected {
				t.Error("Connected = true without a reply, want false (as Gatus)")
			}
		})
	}
}

func TestTCPProbeResolvesWithClientResolver(t *testing.T) {
	dnsServer := startResolverServer(t)
	srv := startTCPTestServer(t, nil)
	_, port, _ := net.SplitHostPort(srv.addr)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: "tcp://probe.test:" + port, Client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()}}, Options{})
	res := runProber(t, probeTCP, target)
	wantNoErrors(t, res)
	if !res.Connected || res.Timings.DNS <= 0 {
		t.Errorf("Connected = %v, Timings.DNS = %v; want true and > 0", res.Connected, res.Timings.DNS)
	}
}

func TestTCPProbeReportsConfigErrors(t *testing.T) {
	wantConfigError(t, &endpoint.Endpoint{URL: "tcp://127.0.0.1:1", Client: &endpoint.ClientConfig{Network: "tcp"}}, `client.network "tcp": unknown network; use ip, ip4 or ip6`)
}
