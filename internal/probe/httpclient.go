package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/quorate/quorate/internal/endpoint"
)

// defaultUserAgent is sent unless the endpoint sets User-Agent, as Gatus
// sends Gatus/1.0.
const defaultUserAgent = "Quorate/1.0"

// httpClient is the per-target part of an HTTP probe that does not change
// between probes: the client and the request minus its body.
type httpClient struct {
	client   *http.Client
	method   string
	header   http.Header // cloned into every request
	host     string      // Host header override, "" for the URL's host
	graphql  bool
	readBody bool // a condition uses [BODY]
}

func newHTTPClient(ep *endpoint.Endpoint, cfg *endpoint.ClientConfig, tc *targetClient, opts Options) (*httpClient, error) {
	transport, err := transportFor(cfg, tc)
	if err != nil {
		return nil, err
	}
	h := &httpClient{
		client: &http.Client{
			Transport: transport,
			Timeout:   ep.Timeout(),
		},
		method:   ep.Method,
		header:   requestHeader(ep, opts),
		graphql:  ep.GraphQL,
		readBody: usesBody(ep),
	}
	if h.method == "" {
		h.method = http.MethodGet
	}
	if cfg.IgnoreRedirect {
		h.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	for k, v := range ep.Headers {
		if strings.EqualFold(k, "Host") {
			h.host = v
		}
	}
	// Fail at the first probe, not at every probe with a different message.
	if _, err := http.NewRequest(h.method, ep.URL, nil); err != nil {
		return nil, fmt.Errorf("url %q or method %q: %w", ep.URL, h.method, err)
	}
	return h, nil
}

// requestHeader is the endpoint's headers plus the defaults: User-Agent,
// Content-Type for GraphQL, and the agent header. The endpoint's own values
// win, whatever their case.
func requestHeader(ep *endpoint.Endpoint, opts Options) http.Header {
	h := http.Header{}
	h.Set("User-Agent", defaultUserAgent)
	if ep.GraphQL {
		h.Set("Content-Type", "application/json")
	}
	if !opts.DisableAgentHeader && opts.AgentID != "" {
		h.Set(AgentHeader, opts.AgentID)
	}
	for k, v := range ep.Headers {
		h.Set(k, v)
	}
	return h
}

// usesBody reports whether a condition reads [BODY]. Like Gatus, the response
// body is only read then.
func usesBody(ep *endpoint.Endpoint) bool {
	for _, c := range ep.Conditions {
		if strings.Contains(c, "[BODY]") {
			return true
		}
	}
	return false
}

// newRequest builds one probe's request; the body is rebuilt every time
// because [RANDOM_STRING_N] must differ between probes.
func (h *httpClient) newRequest(ctx context.Context, ep *endpoint.Endpoint) (*http.Request, error) {
	body := requestBody(ep)
	if h.graphql {
		b, err := json.Marshal(struct {
			Query string `json:"query"`
		}{body})
		if err != nil {
			return nil, fmt.Errorf("encoding graphql body: %w", err)
		}
		body = string(b)
	}
	req, err := http.NewRequestWithContext(ctx, h.method, ep.URL, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h.header.Clone()
	if h.host != "" {
		req.Host = h.host
	}
	return req, nil
}

func parseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("client.proxy-url %q: %w", raw, err)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("client.proxy-url %q: scheme must be http, https, socks5 or socks5h, e.g. http://proxy.internal:3128", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client.proxy-url %q: missing host, e.g. http://proxy.internal:3128", raw)
	}
	return u, nil
}

// transports shares one Transport between targets whose client settings
// match when they are the plain ones (no resolver, proxy or certificate):
// with keep-alives off a Transport holds no connection between probes, so
// sharing costs nothing in isolation and saves a Transport per target.
var transports sync.Map // key string -> *http.Transport

func transportFor(cfg *endpoint.ClientConfig, tc *targetClient) (*http.Transport, error) {
	plain := cfg.DNSResolver == "" && cfg.ProxyURL == "" && (cfg.TLS == nil || cfg.TLS.CertificateFile == "")
	key := fmt.Sprintf("%s|%v", cfg.Network, cfg.Insecure)
	if plain {
		if t, ok := transports.Load(key); ok {
			return t.(*http.Transport), nil
		}
	}
	t, err := newTransport(cfg, tc)
	if err != nil || !plain {
		return t, err
	}
	actual, _ := transports.LoadOrStore(key, t)
	return actual.(*http.Transport), nil
}

func newTransport(cfg *endpoint.ClientConfig, tc *targetClient) (*http.Transport, error) {
	proxy := http.ProxyFromEnvironment
	if cfg.ProxyURL != "" {
		u, err := parseProxyURL(cfg.ProxyURL)
		if err != nil {
			return nil, err
		}
		proxy = http.ProxyURL(u)
	}
	return &http.Transport{
		Proxy: func(req *http.Request) (*url.URL, error) {
			u, err := proxy(req)
			if u != nil {
				if p := traceFrom(req.Context()); p != nil {
					p.markProxied()
				}
			}
			return u, err
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := tc.dialer.DialContext(ctx, tc.narrow(network), addr)
			return conn, tc.namedResolver(err)
		},
		TLSClientConfig: tc.tls,
		// A fresh connection per probe: every probe sees DNS, connect and TLS
		// failures, and measures those phases, instead of reusing a
		// connection a previous probe warmed up.
		DisableKeepAlives: true,
	}, nil
}
