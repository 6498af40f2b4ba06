package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// phaseTrace collects the phase timings of one probe from net/http/httptrace
// hooks. The DNS and connect hooks also fire for plain net.Dialer dials made
// with the traced context, so TCP, UDP, TLS and STARTTLS probes use it too.
//
// Phases, summed over every connection of the probe (redirects, retries):
//   - DNS: name lookup.
//   - Connect: TCP connect of each successful dial.
//   - TLS: TLS handshake.
//   - FirstByte: request written until the first response byte (the
//     target's think time plus one round trip).
//
// Hooks may fire concurrently (parallel dials for IPv4 and IPv6) and even
// after the probe returned (a losing dial), hence the mutex.
type phaseTrace struct {
	mu        sync.Mutex
	timings   result.Timings
	dnsStart  time.Time
	connStart map[string]time.Time
	tlsStart  time.Time
	wrote     time.Time
	remote    net.Addr
	proxied   bool
}

type phaseTraceKey struct{}

// with returns ctx carrying the trace's hooks.
func (p *phaseTrace) with(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, phaseTraceKey{}, p)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { p.mark(&p.dnsStart) },
		DNSDone:              func(httptrace.DNSDoneInfo) { p.since(&p.dnsStart, &p.timings.DNS) },
		ConnectStart:         p.connectStart,
		ConnectDone:          p.connectDone,
		TLSHandshakeStart:    func() { p.mark(&p.tlsStart) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { p.since(&p.tlsStart, &p.timings.TLS) },
		GotConn:              p.gotConn,
		WroteRequest:         func(httptrace.WroteRequestInfo) { p.mark(&p.wrote) },
		GotFirstResponseByte: func() { p.since(&p.wrote, &p.timings.FirstByte) },
	})
}

// traceFrom is the phaseTrace of a context made by with, or nil.
func traceFrom(ctx context.Context) *phaseTrace {
	p, _ := ctx.Value(phaseTraceKey{}).(*phaseTrace)
	return p
}

func (p *phaseTrace) mark(at *time.Time) {
	p.mu.Lock()
	*at = time.Now()
	p.mu.Unlock()
}

// since adds the time elapsed from *start to *total, once per start.
func (p *phaseTrace) since(start *time.Time, total *time.Duration) {
	p.mu.Lock()
	if !start.IsZero() {
		*total += time.Since(*start)
		*start = time.Time{}
	}
	p.mu.Unlock()
}

func (p *phaseTrace) connectStart(network, addr string) {
	p.mu.Lock()
	if p.connStart == nil {
		p.connStart = make(map[string]time.Time, 2)
	}
	p.connStart[network+" "+addr] = time.Now()
	p.mu.Unlock()
}

func (p *phaseTrace) connectDone(network, addr string, err error) {
	p.mu.Lock()
	key := network + " " + addr
	if start, ok := p.connStart[key]; ok && err == nil {
		p.timings.Connect += time.Since(start)
	}
	delete(p.connStart, key)
	p.mu.Unlock()
}

func (p *phaseTrace) gotConn(info httptrace.GotConnInfo) {
	p.mu.Lock()
	p.remote = info.Conn.RemoteAddr()
	p.mu.Unlock()
}

// markProxied records that the request went through a proxy, whose address
// must not be reported as the target's IP.
func (p *phaseTrace) markProxied() {
	p.mu.Lock()
	p.proxied = true
	p.mu.Unlock()
}

// firstByte adds the time from start to now as FirstByte, for probers that
// write and read themselves.
func (p *phaseTrace) firstByte(start time.Time) {
	p.mu.Lock()
	p.timings.FirstByte += time.Since(start)
	p.mu.Unlock()
}

// tlsHandshake adds d as TLS, for probers that handshake themselves.
func (p *phaseTrace) tlsHandshake(d time.Duration) {
	p.mu.Lock()
	p.timings.TLS += d
	p.mu.Unlock()
}

// result copies the timings into res, and the remote IP of the last HTTP
// connection when the target was reached directly and res.IP is still empty
// (an [IP] condition's lookup wins, as in Gatus).
func (p *phaseTrace) result(res *result.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	res.Timings = p.timings
	if res.IP == "" && !p.proxied && p.remote != nil {
		res.IP = addrIP(p.remote)
	}
}

// addrIP is the IP of a TCP or UDP address, "" for other kinds.
func addrIP(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UDPAddr:
		return a.IP.String()
	}
	return ""
}
