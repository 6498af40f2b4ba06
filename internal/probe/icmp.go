package probe

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/quorate/quorate/internal/result"
)

// probeICMP sends one echo request to the host after icmp:// and waits for
// the reply until the timeout. As in Gatus, [CONNECTED] is whether a reply
// came, [RESPONSE_TIME] is its round trip (the timeout when none came), and
// an unresolvable host is "not connected" rather than an error. Only a
// failure to open any ping socket is an error: that is the agent's problem,
// not the target's.
func probeICMP(ctx context.Context, t *Target, res *result.Result) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	ip, err := icmpAddress(ctx, c, icmpHost(t.Endpoint.URL))
	if err != nil {
		return
	}
	res.IP = firstNonEmpty(res.IP, ip.String())
	deadline, _ := ctx.Deadline()
	timeout := time.Until(deadline)
	if timeout <= 0 {
		return
	}
	rtt, replied, err := ping(ctx, ip, timeout)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	if !replied {
		res.Duration = timeout
		return
	}
	res.Connected = true
	res.Duration = rtt
}

// icmpAddress resolves host with client.dns-resolver and client.network,
// preferring IPv4 for "ip" as pro-bing's own resolution does.
func icmpAddress(ctx context.Context, c *targetClient, host string) (net.IP, error) {
	ips, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			return ip, nil
		}
	}
	return ips[0], nil
}

// Ping socket modes. Raw ICMP sockets (privileged) need root or CAP_NET_RAW;
// unprivileged "ping sockets" need the group in net.ipv4.ping_group_range.
// Like Gatus, root starts with privileged; whichever mode first works is kept
// for the life of the process.
const (
	pingModeUnknown int32 = iota
	pingModePrivileged
	pingModeUnprivileged
)

var pingMode atomic.Int32

// ping sends one echo request to ip and reports the round trip, or replied
// false when no reply came before timeout. err is only set when no ping
// socket can be opened in either mode.
func ping(ctx context.Context, ip net.IP, timeout time.Duration) (rtt time.Duration, replied bool, err error) {
	if mode := pingMode.Load(); mode != pingModeUnknown {
		privileged := mode == pingModePrivileged
		rtt, replied, err = pingOnce(ctx, ip, timeout, privileged)
		if err != nil {
			return 0, false, fmt.Errorf("icmp: opening %s ping socket: %w", modeName(privileged), err)
		}
		return rtt, replied, nil
	}
	first := runtime.GOOS == "windows" || os.Geteuid() == 0
	rtt, replied, err = pingOnce(ctx, ip, timeout, first)
	if err == nil {
		pingMode.CompareAndSwap(pingModeUnknown, modeOf(first))
		return rtt, replied, nil
	}
	rtt, replied, err2 := pingOnce(ctx, ip, timeout, !first)
	if err2 == nil {
		pingMode.CompareAndSwap(pingModeUnknown, modeOf(!first))
		return rtt, replied, nil
	}
	return 0, false, fmt.Errorf("icmp: cannot open a ping socket (%s: %v; %s: %v); run as root, grant CAP_NET_RAW, or allow the agent's group in sysctl net.ipv4.ping_group_range",
		modeName(first), err, modeName(!first), err2)
}

// pingOnce pings in one socket mode. err is only set when the socket could
// not be set up; anything after that (send failure, context ending) is "no
// reply", as Gatus treats every ping failure.
func pingOnce(ctx context.Context, ip net.IP, timeout time.Duration, privileged bool) (time.Duration, bool, error) {
	p := probing.New("")
	p.SetIPAddr(&net.IPAddr{IP: ip})
	p.SetPrivileged(privileged)
	p.SetLogger(probing.NoopLogger{})
	p.Count = 1
	p.Timeout = timeout
	p.RecordRtts = false
	p.RecordTTLs = false
	var ready atomic.Bool
	p.OnSetup = func() { ready.Store(true) }
	err := p.RunWithContext(ctx)
	if err != nil && !ready.Load() {
		return 0, false, err
	}
	if stats := p.Statistics(); stats.PacketsRecv > 0 {
		return stats.MaxRtt, true, nil
	}
	return 0, false, nil
}

func modeOf(privileged bool) int32 {
	if privileged {
		return pingModePrivileged
	}
	return pingModeUnprivileged
}

func modeName(privileged bool) string {
	if privileged {
		return "privileged"
	}
	return "unprivileged"
}
