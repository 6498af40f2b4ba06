package probe

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// skipWithoutPing skips when this machine can open no ping socket at all
// (neither raw nor unprivileged), which is the only reason to skip.
func skipWithoutPing(t *testing.T) {
	t.Helper()
	ip := net.ParseIP("127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _, errPriv := pingOnce(ctx, ip, time.Second, true)
	_, _, errUnpriv := pingOnce(ctx, ip, time.Second, false)
	if errPriv != nil && errUnpriv != nil {
		t.Skipf("no ping socket available: privileged: %v; unprivileged: %v", errPriv, errUnpriv)
	}
}

func TestICMPProbePingsLoopback(t *testing.T) {
	skipWithoutPing(t)
	dnsServer := startResolverServer(t)
	tests := []struct {
		name      string
		url       string
		client    *endpoint.ClientConfig
		wantIP    string
		needsIPv6 bool
	}{
		{name: "ipv4 literal", url: "icmp://127.0.0.1", wantIP: "127.0.0.1"},
		{name: "name through client resolver", url: "icmp://probe.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()}, wantIP: "127.0.0.1"},
		{name: "ip6 network picks the AAAA record", url: "icmp://dual.test", client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver(), Network: "ip6"}, wantIP: "::1", needsIPv6: true},
		{name: "ipv6 literal", url: "icmp://::1", wantIP: "::1", needsIPv6: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsIPv6 && !hasIPv6Loopback() {
				t.Skip("needs IPv6 loopback (::1)")
			}
			res := runProber(t, probeICMP, newProbeTarget(t, &endpoint.Endpoint{URL: tt.url, Client: tt.client}, Options{}))
			wantNoErrors(t, res)
			if !res.Connected {
				t.Fatal("Connected = false, want a reply from loopback")
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want the round trip > 0", res.Duration)
			}
			if res.IP != tt.wantIP {
				t.Errorf("IP = %q, want %q", res.IP, tt.wantIP)
			}
		})
	}
}

func TestICMPProbeUnresolvableHostIsNotConnected(t *testing.T) {
	dnsServer := startResolverServer(t)
	target := newProbeTarget(t, &endpoint.Endpoint{URL: "icmp://missing.test", Client: &endpoint.ClientConfig{DNSResolver: dnsServer.resolver()}}, Options{})
	res := runProber(t, probeICMP, target)
	// As Gatus: an observation, not an error.
	wantNoErrors(t, res)
	if res.Connected {
		t.Error("Connected = true for a host that does not resolve")
	}
}

func TestICMPPingModeIsDetectedAndKept(t *testing.T) {
	skipWithoutPing(t)
	saved := pingMode.Load()
	t.Cleanup(func() { pingMode.Store(saved) })
	pingMode.Store(pingModeUnknown)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, replied, err := ping(ctx, net.ParseIP("127.0.0.1"), 4*time.Second)
	if err != nil || !replied {
		t.Fatalf("ping = replied %v, err %v; want a reply", replied, err)
	}
	if mode := pingMode.Load(); mode == pingModeUnknown {
		t.Error("no ping mode remembered after a successful ping")
	} else {
		t.Logf("ping mode: %s", modeName(mode == pingModePrivileged))
	}
}

func TestICMPSocketSetupFailureIsAnErrorNotALoss(t *testing.T) {
	// Where unprivileged ping sockets are not allowed (the group is outside
	// net.ipv4.ping_group_range), opening one fails: that must surface as
	// an error so the other mode is tried, not pass as "no reply".
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, replied, err := pingOnce(ctx, net.ParseIP("127.0.0.1"), time.Second, false)
	if err == nil {
		if !replied {
			t.Fatal("unprivileged socket opened but loopback did not reply")
		}
		t.Skip("unprivileged ping sockets are allowed here; nothing fails to set up")
	}
	if replied {
		t.Errorf("replied with a setup error %v", err)
	}
	t.Logf("unprivileged setup error: %v", err)
}
