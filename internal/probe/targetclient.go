package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// targetClient is what every probe of one target shares, built once from the
// endpoint's `client:` block: the dialer (client.dns-resolver,
// client.network), the TLS settings (client.insecure, client.tls) and, for
// HTTP targets, the http.Client. It must not point back to its Target so that
// the cache below does not keep dropped targets alive.
type targetClient struct {
	network  string        // "ip", "ip4" or "ip6"
	resolver *net.Resolver // client.dns-resolver, or the system resolver
	// resolverAddr is client.dns-resolver's host:port, "" for the system one.
	resolverAddr string
	dialer       *net.Dialer
	tls          *tls.Config // never mutated once built: Clone before setting ServerName
	http         *httpClient // HTTP targets only
	// err is a configuration error; every probe of the target reports it.
	err error
}

// dial connects to addr over proto ("tcp" or "udp"), narrowed to IPv4 or
// IPv6 by client.network and resolved with client.dns-resolver.
func (c *targetClient) dial(ctx context.Context, proto, addr string) (net.Conn, error) {
	conn, err := c.dialer.DialContext(ctx, c.narrow(proto), addr)
	return conn, c.namedResolver(err)
}

// narrow turns "tcp" or "udp" into its IPv4 or IPv6 form per
// client.network; an already narrowed proto is kept.
func (c *targetClient) narrow(proto string) string {
	if proto != "tcp" && proto != "udp" {
		return proto
	}
	switch c.network {
	case "ip4":
		return proto + "4"
	case "ip6":
		return proto + "6"
	}
	return proto
}

// lookup resolves host as Gatus's [IP] does: client.dns-resolver and
// client.network, addresses in resolver order.
func (c *targetClient) lookup(ctx context.Context, host string) ([]net.IP, error) {
	ips, err := c.resolver.LookupIP(ctx, c.network, host)
	if err != nil {
		return nil, c.namedResolver(err)
	}
	if len(ips) == 0 { // LookupIP promises an error instead, but be safe
		return nil, fmt.Errorf("lookup %s: no %s address", host, c.network)
	}
	return ips, nil
}

// namedResolver makes a lookup error name the client.dns-resolver server.
// Go's resolver reports the resolv.conf server it meant to ask, but the
// custom Dial sent the query elsewhere; users must see where it really went.
func (c *targetClient) namedResolver(err error) error {
	var dnsErr *net.DNSError
	if c.resolverAddr != "" && errors.As(err, &dnsErr) && dnsErr.Server != "" {
		dnsErr.Server = c.resolverAddr
	}
	return err
}

func newTargetClient(ep *endpoint.Endpoint, typ endpoint.Type, opts Options) *targetClient {
	cfg := ep.Client
	if cfg == nil {
		cfg = &endpoint.ClientConfig{}
	}
	c := &targetClient{resolver: net.DefaultResolver}
	var err error
	if c.network, err = parseNetwork(cfg.Network); err != nil {
		return &targetClient{err: err}
	}
	if cfg.DNSResolver != "" {
		proto, addr, err := parseDNSResolver(cfg.DNSResolver)
		if err != nil {
			return &targetClient{err: err}
		}
		c.resolverAddr = addr
		c.resolver = &net.Resolver{
			PreferGo: true,
			// Every query goes to the configured server, whatever
			// resolv.conf says.
			Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, proto, addr)
			},
		}
	}
	// Probes are one-shot: no TCP keep-alive probes on their connections.
	c.dialer = &net.Dialer{Resolver: c.resolver, KeepAlive: -1}
	if c.tls, err = clientTLSConfig(cfg); err != nil {
		return &targetClient{err: err}
	}
	if typ == endpoint.TypeHTTP {
		if c.http, err = newHTTPClient(ep, cfg, c, opts); err != nil {
			return &targetClient{err: err}
		}
	}
	return c
}

func parseNetwork(n string) (string, error) {
	switch n {
	case "", "ip":
		return "ip", nil
	case "ip4", "ip6":
		return n, nil
	}
	return "", fmt.Errorf("client.network %q: unknown network; use ip, ip4 or ip6", n)
}

// dnsResolverFormat is what Gatus accepts for client.dns-resolver:
// {proto}://{host}:{port}, host made of letters, digits, '-' and '.', anything
// after the port ignored.
var dnsResolverFormat = regexp.MustCompile(`^(.*)://([A-Za-z0-9.\-]+):([0-9]*)(.*)$`)

var errDNSResolverFormat = errors.New("invalid DNS resolver; use {proto}://{ip}:{port}, e.g. udp://10.0.0.53:53")

// parseDNSResolver validates client.dns-resolver as Gatus does and returns
// what to dial. The protocol is also checked here (Gatus would only fail when
// dialing).
func parseDNSResolver(s string) (proto, addr string, err error) {
	m := dnsResolverFormat.FindStringSubmatch(s)
	if m == nil {
		return "", "", fmt.Errorf("client.dns-resolver %q: %w", s, errDNSResolverFormat)
	}
	proto, host, rawPort := m[1], m[2], m[3]
	port, err := strconv.Atoi(rawPort)
	if err != nil {
		return "", "", fmt.Errorf("client.dns-resolver %q: missing or invalid port: %w", s, errDNSResolverFormat)
	}
	if port < 1 || port > 65535 {
		return "", "", fmt.Errorf("client.dns-resolver %q: port %d out of range 1-65535", s, port)
	}
	switch proto {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return "", "", fmt.Errorf("client.dns-resolver %q: protocol %q unsupported; use udp or tcp", s, proto)
	}
	return proto, net.JoinHostPort(host, rawPort), nil
}

// probeContext bounds a probe by the endpoint's timeout even when the caller
// set no deadline (Target.Probe already does; direct calls may not). The
// result always has a deadline.
func probeContext(ctx context.Context, t *Target) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.Endpoint.Timeout())
}

// probeDeadline is when a probe must give up: the context's deadline, or the
// endpoint's timeout from now when the caller set none.
func probeDeadline(ctx context.Context, t *Target) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(t.Endpoint.Timeout())
}

// watchConn unblocks reads and writes on conn as soon as ctx is cancelled
// (agent shutdown), not only at the deadline. Call the returned stop when done.
func watchConn(ctx context.Context, conn net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
}

// clientFor returns t's client, building it on first use. Safe for concurrent
// probes of the same target. The endpoint must not change after the first call.
// NewTarget builds it up front so bad client config fails at load time.
func clientFor(t *Target) *targetClient {
	t.clientOnce.Do(func() { t.client = newTargetClient(t.Endpoint, t.Type, t.Options) })
	return t.client
}
