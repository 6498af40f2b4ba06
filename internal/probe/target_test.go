package probe

import (
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// newProbeTarget prepares ep like the receiver does.
func newProbeTarget(t testing.TB, ep *endpoint.Endpoint, opts Options) *Target {
	t.Helper()
	if ep.Name == "" {
		ep.Name = "probe"
	}
	target, err := NewTarget(ep, opts)
	if err != nil {
		t.Fatalf("NewTarget(%q): %v", ep.URL, err)
	}
	return target
}

// wantConfigError asserts that NewTarget rejects ep with an error containing want.
func wantConfigError(t testing.TB, ep *endpoint.Endpoint, want string) {
	t.Helper()
	if ep.Name == "" {
		ep.Name = "probe"
	}
	_, err := NewTarget(ep, Options{})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("NewTarget(%q) error = %v, want one containing %q", ep.URL, err, want)
	}
}

// resolverServer is a DNS server on loopback answering from a fixed zone;
// unknown names get NXDOMAIN. queries counts what it was asked.
type resolverServer struct {
	addr    string // 127.0.0.1:port, UDP
	queries atomic.Int64
}

var resolverZone = map[string][]string{
	"probe.test. A":     {"probe.test. 60 IN A 127.0.0.1"},
	"dual.test. A":      {"dual.test. 60 IN A 127.0.0.1"},
	"dual.test. AAAA":   {"dual.test. 60 IN AAAA ::1"},
	"v6only.test. AAAA": {"v6only.test. 60 IN AAAA ::1"},
}

func startResolverServer(t testing.TB) *resolverServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &resolverServer{addr: pc.LocalAddr().String()}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		s.queries.Add(1)
		m := new(dns.Msg)
		m.SetReply(req)
		m.RecursionAvailable = true // a resolver, not a lame authority
		q := req.Question[0]
		name := strings.ToLower(q.Name)
		known := false
		for k := range resolverZone {
			known = known || strings.HasPrefix(k, name+" ")
		}
		if !known {
			m.SetRcode(req, dns.RcodeNameError)
		}
		for _, rr := range resolverZone[name+" "+dns.TypeToString[q.Qtype]] {
			parsed, err := dns.NewRR(rr)
			if err != nil {
				panic(err)
			}
			m.Answer = append(m.Answer, parsed)
		}
		_ = w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return s
}

func (s *resolverServer) resolver() string { return "udp://" + s.addr }

// hasIPv6Loopback reports whether ::1 can be bound, for tests that need it.
func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

func TestHostnameIsDerivedFromURLAsGatus(t *testing.T) {
	tests := []struct {
		name string
		ep   endpoint.Endpoint
		want string
	}{
		{"http url host without port", endpoint.Endpoint{URL: "https://example.org:8443/health?x=1"}, "example.org"},
		{"http ipv6 literal", endpoint.Endpoint{URL: "http://[::1]:8080/"}, "::1"},
		{"tcp host", endpoint.Endpoint{URL: "tcp://db.internal:5432"}, "db.internal"},
		{"starttls host", endpoint.Endpoint{URL: "starttls://smtp.example.org:587"}, "smtp.example.org"},
		{"icmp keeps whole ipv6 address", endpoint.Endpoint{URL: "icmp://1111:2222:3333::4444"}, "1111:2222:3333::4444"},
		{"icmp bracketed ipv6", endpoint.Endpoint{URL: "icmp://[::1]"}, "::1"},
		{"icmp name", endpoint.Endpoint{URL: "icmp://example.org"}, "example.org"},
		{"dns drops port 53", endpoint.Endpoint{URL: "8.8.8.8:53", DNS: &endpoint.DNSConfig{QueryType: "A", QueryName: "example.org."}}, "8.8.8.8"},
		{"dns keeps other ports", endpoint.Endpoint{URL: "127.0.0.1:5353", DNS: &endpoint.DNSConfig{QueryType: "A", QueryName: "example.org."}}, "127.0.0.1:5353"},
		{"unparsable url", endpoint.Endpoint{URL: "http://[::1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := tt.ep
			target := &Target{Endpoint: &ep, Type: ep.Type()}
			if got := hostname(target); got != tt.want {
				t.Errorf("hostname(%q) = %q, want %q", ep.URL, got, tt.want)
			}
		})
	}
}

func TestResolveIPUsesClientResolverAndNetwork(t *testing.T) {
	dnsServer := startResolverServer(t)
	tests := []struct {
		name      string
		host      string
		client    *endpoint.ClientConfig
		want      string
		wantError string
		needsIPv6 bool
	}{
		{name: "ip literal", host: "127.0.0.1", want: "127.0.0.1"},
		{name: "custom resolver", host: "probe.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()}, want: "127.0.0.1"},
		{name: "ip4 picks the A record", host: "dual.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver(), Network: "ip4"}, want: "127.0.0.1"},
		{name: "ip6 picks the AAAA record", host: "dual.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver(), Network: "ip6"}, want: "::1"},
		{name: "ip4 without A record fails", host: "v6only.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver(), Network: "ip4"}, wantError: "lookup v6only.test on " + dnsServer.addr + ": no such host"},
		{name: "unknown name", host: "missing.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()}, wantError: "lookup missing.test on " + dnsServer.addr + ": no such host"},
	}
	t.Run("invalid resolver is a config error", func(t *testing.T) {
		wantConfigError(t, &endpoint.Endpoint{URL: "http://probe.test:80/", Client: &endpoint.ClientConfig{DNSResolver: "8.8.8.8:53"}}, `client.dns-resolver "8.8.8.8:53"`)
	})
	t.Run("invalid network is a config error", func(t *testing.T) {
		wantConfigError(t, &endpoint.Endpoint{URL: "http://probe.test:80/", Client: &endpoint.ClientConfig{Network: "ipv4"}}, `client.network "ipv4"`)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newProbeTarget(t, &endpoint.Endpoint{URL: "http://" + net.JoinHostPort(tt.host, "80") + "/", Client: tt.client}, Options{})
			res := &result.Result{Hostname: hostname(target)}
			resolveIP(context.Background(), target, res)
			if tt.wantError != "" {
				if len(res.Errors) == 0 || !strings.Contains(res.Errors[0], tt.wantError) {
					t.Fatalf("errors = %q, want one containing %q", res.Errors, tt.wantError)
				}
				return
			}
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected errors: %q", res.Errors)
			}
			if res.IP != tt.want {
				t.Errorf("IP = %q, want %q", res.IP, tt.want)
			}
		})
	}
	if dnsServer.queries.Load() == 0 {
		t.Error("the custom resolver was never asked")
	}
}

func TestParseDNSResolverValidatesAsGatus(t *testing.T) {
	tests := []struct {
		in        string
		wantProto string
		wantAddr  string
		wantError string
	}{
		{in: "tcp://1.2.3.4:53", wantProto: "tcp", wantAddr: "1.2.3.4:53"},
		{in: "udp://dns.internal:5353", wantProto: "udp", wantAddr: "dns.internal:5353"},
		{in: "udp://1.2.3.4:53/ignored", wantProto: "udp", wantAddr: "1.2.3.4:53"},
		{in: "1.2.3.4:53", wantError: "invalid DNS resolver"},
		{in: "tcp://1.2.3.4", wantError: "invalid DNS resolver"},
		{in: "tcp://1.2.3.4:", wantError: "missing or invalid port"},
		{in: "tcp://[::1]:53", wantError: "invalid DNS resolver"},
		{in: "tcp://1.2.3.4:0", wantError: "out of range"},
		{in: "tcp://1.2.3.4:65536", wantError: "out of range"},
		{in: "http://1.2.3.4:53", wantError: `protocol "http" unsupported`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			proto, addr, err := parseDNSResolver(tt.in)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if proto != tt.wantProto || addr != tt.wantAddr {
				t.Errorf("got %q %q, want %q %q", proto, addr, tt.wantProto, tt.wantAddr)
			}
		})
	}
}

func TestRequestBodySubstitutesGatusPlaceholders(t *testing.T) {
	ep := &endpoint.Endpoint{
		Name:  "api",
		Group: "core",
		URL:   "tcp://127.0.0.1:9",
		Body:  "[ENDPOINT_NAME]|[ENDPOINT_GROUP]|[ENDPOINT_URL]|[RANDOM_STRING_12]|[RANDOM_STRING_99999]|[RANDOM_STRING_0]",
	}
	got := requestBody(ep)
	parts := strings.Split(got, "|")
	if len(parts) != 6 {
		t.Fatalf("body %q: want 6 parts", got)
	}
	if parts[0] != "api" || parts[1] != "core" || parts[2] != "tcp://127.0.0.1:9" {
		t.Errorf("name/group/url = %q, want api|core|tcp://127.0.0.1:9", parts[:3])
	}
	if !regexp.MustCompile(`^[A-Za-z0-9]{12}$`).MatchString(parts[3]) {
		t.Errorf("RANDOM_STRING_12 = %q, want 12 letters or digits", parts[3])
	}
	if len(parts[4]) != maxRandomStringLength {
		t.Errorf("RANDOM_STRING_99999 has %d characters, want the cap %d", len(parts[4]), maxRandomStringLength)
	}
	if parts[5] != "" {
		t.Errorf("RANDOM_STRING_0 = %q, want empty", parts[5])
	}
	if again := requestBody(ep); strings.Split(again, "|")[3] == parts[3] {
		t.Error("RANDOM_STRING_12 did not change between two bodies")
	}
}

func TestClientIsBuiltOncePerTargetAndDroppedWithIt(t *testing.T) {
	target := newProbeTarget(t, &endpoint.Endpoint{URL: "http://127.0.0.1:1/"}, Options{})
	var wg sync.WaitGroup
	clients := make([]*targetClient, 8)
	for i := range clients {
		wg.Go(func() { clients[i] = clientFor(target) })
	}
	wg.Wait()
	for _, c := range clients[1:] {
		if c != clients[0] {
			t.Fatal("concurrent first probes built different clients for one target")
		}
	}
	if clients[0].http == nil {
		t.Fatal("HTTP target without an HTTP client")
	}
}
