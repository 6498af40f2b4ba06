package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// testZone is what the test DNS server answers, by query name and type.
var testZone = map[string][]string{
	"a.test. A":                   {"a.test. 60 IN A 127.0.0.1"},
	"v6.test. AAAA":               {"v6.test. 60 IN AAAA ::1"},
	"www.test. CNAME":             {"www.test. 60 IN CNAME a.test."},
	"chain.test. A":               {"chain.test. 60 IN CNAME a.test.", "a.test. 60 IN A 127.0.0.2"},
	"test. MX":                    {"test. 60 IN MX 10 mail.test."},
	"test. NS":                    {"test. 60 IN NS ns1.test."},
	"txt.test. TXT":               {`txt.test. 60 IN TXT "v=spf1 " "-all"`},
	"_sip._tcp.test. SRV":         {"_sip._tcp.test. 60 IN SRV 10 5 5060 sip.test."},
	"1.0.0.127.in-addr.arpa. PTR": {"1.0.0.127.in-addr.arpa. 60 IN PTR localhost."},
	"test. SOA":                   {"test. 60 IN SOA ns1.test. admin.test. 1 2 3 4 5"},
	"multi.test. A":               {"multi.test. 60 IN A 127.0.0.3", "multi.test. 60 IN A 127.0.0.4"},
}

// startDNSServer serves testZone over UDP on 127.0.0.1 and returns its address.
// Unknown names get NXDOMAIN.
func startDNSServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		records, ok := testZone[q.Name+" "+dns.TypeToString[q.Qtype]]
		if !ok {
			m.SetRcode(req, dns.RcodeNameError)
		}
		for _, s := range records {
			rr, err := dns.NewRR(s)
			if err != nil {
				panic(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

func dnsTarget(t *testing.T, server, qtype, qname string) *Target {
	t.Helper()
	ep := &endpoint.Endpoint{Name: "dns", URL: server, DNS: &endpoint.DNSConfig{QueryType: qtype, QueryName: qname}}
	target, err := NewTarget(ep, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return target
}

func TestDNSProbeRecordsAnswerAsGatus(t *testing.T) {
	server := startDNSServer(t)
	tests := []struct {
		name, qtype, qname string
		wantRcode          string
		wantBody           string
	}{
		{"A record gives the address", "A", "a.test", "NOERROR", "127.0.0.1"},
		{"AAAA record gives the address", "AAAA", "v6.test", "NOERROR", "::1"},
		{"CNAME record gives the target", "CNAME", "www.test", "NOERROR", "a.test."},
		{"CNAME chain gives the last answer", "A", "chain.test", "NOERROR", "127.0.0.2"},
		{"several answers give the last one", "A", "multi.test", "NOERROR", "127.0.0.4"},
		{"MX record gives the exchanger", "MX", "test.", "NOERROR", "mail.test."},
		{"NS record gives the server", "NS", "test", "NOERROR", "ns1.test."},
		{"SRV record gives target:port", "SRV", "_sip._tcp.test", "NOERROR", "sip.test.:5060"},
		{"TXT strings are joined", "TXT", "txt.test", "NOERROR", "v=spf1 -all"},
		{"PTR of an IP is looked up in in-addr.arpa", "PTR", "127.0.0.1", "NOERROR", "localhost."},
		{"unrendered type says so as Gatus does", "SOA", "test", "NOERROR", dnsUnsupportedBody},
		{"lower-case query type is accepted", "a", "a.test", "NOERROR", "127.0.0.1"},
		{"unknown name is NXDOMAIN with empty body", "A", "missing.test", "NXDOMAIN", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res := &result.Result{}
			probeDNS(ctx, dnsTarget(t, server, tc.qtype, tc.qname), res)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if res.DNSRCode != tc.wantRcode {
				t.Errorf("DNSRCode = %q, want %q", res.DNSRCode, tc.wantRcode)
			}
			if string(res.Body) != tc.wantBody {
				t.Errorf("Body = %q, want %q", res.Body, tc.wantBody)
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want > 0", res.Duration)
			}
		})
	}
}

func TestDNSProbeTimesOutWhenServerDoesNotAnswer(t *testing.T) {
	// A UDP socket that reads queries and never answers.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := &result.Result{}
	probeDNS(ctx, dnsTarget(t, pc.LocalAddr().String(), "A", "a.test"), res)
	if len(res.Errors) == 0 {
		t.Fatal("no error, want a timeout error")
	}
	if res.Connected {
		t.Error("Connected = true, want false")
	}
	if res.DNSRCode != "" {
		t.Errorf("DNSRCode = %q, want empty", res.DNSRCode)
	}
}

func TestDNSProbeRejectsInvalidConfig(t *testing.T) {
	tests := []struct {
		name, qtype, qname, wantErr string
	}{
		{"unknown query type", "BOGUS", "a.test", "query-type"},
		{"empty query name", "A", "", "query-name"},
		{"PTR of a non-IP name", "PTR", "host.test", "PTR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := &result.Result{}
			probeDNS(context.Background(), dnsTarget(t, "127.0.0.1:1", tc.qtype, tc.qname), res)
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], tc.wantErr) {
				t.Fatalf("errors = %v, want one mentioning %q", res.Errors, tc.wantErr)
			}
		})
	}
}

func TestDNSServerAddressDefaultsToPort53(t *testing.T) {
	tests := map[string]string{
		"8.8.8.8":         "8.8.8.8:53",
		"127.0.0.1:5353":  "127.0.0.1:5353",
		"2001:db8::1":     "[2001:db8::1]:53",
		"[2001:db8::1]":   "[2001:db8::1]:53",
		"[::1]:5353":      "[::1]:5353",
		"dns.example.org": "dns.example.org:53",
	}
	for in, want := range tests {
		if got := dnsServerAddress(in); got != want {
			t.Errorf("dnsServerAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDNSProbeRetriesOverTCPWhenTruncated(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", ln.Addr().String())
	if err != nil {
		_ = ln.Close()
		t.Skipf("UDP port of %s is taken: %v", ln.Addr(), err)
	}
	// Over UDP the answer "does not fit": only the truncated flag comes back.
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncated = true
		} else {
			rr, _ := dns.NewRR("big.test. 60 IN TXT \"whole answer\"")
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := &result.Result{}
	probeDNS(ctx, dnsTarget(t, ln.Addr().String(), "TXT", "big.test"), res)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if string(res.Body) != "whole answer" {
		t.Errorf("Body = %q, want the answer fetched over TCP", res.Body)
	}
}
