// Package probe runs one probe of one endpoint and judges it with the
// endpoint's conditions. One file per protocol, each a proberFunc; the
// dispatcher is the probers map.
package probe

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/quorate/quorate/internal/conditions"
	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// Options are the agent-wide settings every probe shares.
type Options struct {
	// AgentID is sent in the X-Quorate-Agent header of HTTP and WebSocket
	// probes and in the metadata of gRPC probes.
	AgentID string
	// DisableAgentHeader stops probes from sending X-Quorate-Agent.
	DisableAgentHeader bool
	// RDAPBaseURL overrides where [DOMAIN_EXPIRATION] looks domains up
	// (default: the RDAP bootstrap of the domain's TLD).
	RDAPBaseURL string
}

// AgentHeader is the request header that tells a target which agent probes it.
const AgentHeader = "X-Quorate-Agent"

// proberFunc probes t once and records what it saw in res. It sets
// res.Duration, res.Connected and the protocol's fields, and adds errors; it
// does not judge conditions.
type proberFunc func(ctx context.Context, t *Target, res *result.Result)

var probers = map[endpoint.Type]proberFunc{
	endpoint.TypeHTTP:      probeHTTP,
	endpoint.TypeTCP:       probeTCP,
	endpoint.TypeUDP:       probeUDP,
	endpoint.TypeICMP:      probeICMP,
	endpoint.TypeDNS:       probeDNS,
	endpoint.TypeTLS:       probeTLS,
	endpoint.TypeSTARTTLS:  probeSTARTTLS,
	endpoint.TypeSSH:       probeSSH,
	endpoint.TypeWebSocket: probeWebSocket,
	endpoint.TypeGRPC:      probeGRPC,
}

// Target is an endpoint prepared for repeated probing: conditions parsed once,
// type resolved once.
type Target struct {
	Endpoint   *endpoint.Endpoint
	Type       endpoint.Type
	Conditions []*conditions.Condition
	Options    Options

	probe     proberFunc
	needsIP   bool
	needsRDAP bool

	clientOnce sync.Once
	client     *targetClient
}

// NewTarget prepares ep. Errors name the endpoint and the faulty part.
func NewTarget(ep *endpoint.Endpoint, opts Options) (*Target, error) {
	t := &Target{Endpoint: ep, Type: ep.Type(), Options: opts}
	p, ok := probers[t.Type]
	if !ok {
		return nil, fmt.Errorf("endpoint %q: url %q: unknown endpoint type; use http(s)://, tcp://, udp://, icmp://, tls://, starttls://, ssh://, ws(s)://, grpc(s):// or a dns: block", ep.DisplayName(), endpoint.RedactURL(ep.URL))
	}
	t.probe = p
	if c := clientFor(t); c.err != nil {
		return nil, fmt.Errorf("endpoint %q: client: %w", ep.DisplayName(), c.err)
	}
	for _, raw := range ep.Conditions {
		c, err := conditions.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("endpoint %q: condition %q: %w", ep.DisplayName(), raw, err)
		}
		t.Conditions = append(t.Conditions, c)
		t.needsIP = t.needsIP || c.UsesIP()
		t.needsRDAP = t.needsRDAP || c.UsesDomainExpiration()
	}
	return t, nil
}

// Probe runs one probe and judges it. It never returns nil.
func (t *Target) Probe(ctx context.Context) *result.Result {
	res := &result.Result{Timestamp: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, t.Endpoint.Timeout())
	defer cancel()
	res.Hostname = hostname(t)
	if t.needsIP {
		resolveIP(ctx, t, res)
	}
	if t.needsRDAP && res.Hostname != "" {
		lookupDomainExpiration(ctx, t, res)
	}
	if len(res.Errors) == 0 {
		t.probe(ctx, t, res)
	}
	res.Success = len(res.Errors) == 0
	var display conditions.Display
	if ui := t.Endpoint.UI; ui != nil {
		display = conditions.Display{DontResolveFailed: ui.DontResolveFailedConditions, ResolveSuccessful: ui.ResolveSuccessfulConditions}
	}
	for _, c := range t.Conditions {
		if !c.EvaluateWith(res, display) {
			res.Success = false
		}
	}
	return res
}
