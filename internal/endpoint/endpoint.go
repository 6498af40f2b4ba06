// Package endpoint is the Gatus endpoint syntax shared by the probe receiver
// (static lists and assignments) and the central monitoring config, so that a
// Gatus user can paste an `endpoints:` list unchanged.
package endpoint

import (
	"strings"
	"time"
)

// Type is the kind of probe an endpoint needs, derived from its URL as Gatus does.
type Type string

// Endpoint types. The string values are the ones exported in quorate.endpoint.type.
const (
	TypeHTTP      Type = "HTTP"
	TypeTCP       Type = "TCP"
	TypeUDP       Type = "UDP"
	TypeICMP      Type = "ICMP"
	TypeDNS       Type = "DNS"
	TypeTLS       Type = "TLS"
	TypeSTARTTLS  Type = "STARTTLS"
	TypeSSH       Type = "SSH"
	TypeWebSocket Type = "WEBSOCKET"
	TypeGRPC      Type = "GRPC"
	TypeUnknown   Type = "UNKNOWN"
)

// DefaultInterval is Gatus's default time between two probes of an endpoint.
const DefaultInterval = time.Minute

// DefaultTimeout is Gatus's default client timeout.
const DefaultTimeout = 10 * time.Second

// Endpoint is one monitored target in Gatus's syntax.
type Endpoint struct {
	Name        string            `mapstructure:"name" json:"name"`
	Group       string            `mapstructure:"group" json:"group,omitempty"`
	URL         string            `mapstructure:"url" json:"url"`
	Method      string            `mapstructure:"method" json:"method,omitempty"`
	Headers     map[string]string `mapstructure:"headers" json:"headers,omitempty"`
	Body        string            `mapstructure:"body" json:"body,omitempty"`
	GraphQL     bool              `mapstructure:"graphql" json:"graphql,omitempty"`
	Interval    time.Duration     `mapstructure:"interval" json:"interval,omitempty"`
	Conditions  []string          `mapstructure:"conditions" json:"conditions"`
	Client      *ClientConfig     `mapstructure:"client" json:"client,omitempty"`
	DNS         *DNSConfig        `mapstructure:"dns" json:"dns,omitempty"`
	SSH         *SSHConfig        `mapstructure:"ssh" json:"ssh,omitempty"`
	Enabled     *bool             `mapstructure:"enabled" json:"enabled,omitempty"`
	ExtraLabels map[string]string `mapstructure:"extra-labels" json:"extra-labels,omitempty"`
	UI          *UIConfig         `mapstructure:"ui" json:"ui,omitempty"`

	// Keys of a Gatus endpoint that only the central acts on (alerting,
	// maintenance). A probe accepts and ignores them so pasted configs load.
	Alerts             []map[string]any `mapstructure:"alerts" json:"-"`
	MaintenanceWindows []map[string]any `mapstructure:"maintenance-windows" json:"-"`
}

// ClientConfig is Gatus's `client:` block.
type ClientConfig struct {
	Timeout        time.Duration    `mapstructure:"timeout" json:"timeout,omitempty"`
	Insecure       bool             `mapstructure:"insecure" json:"insecure,omitempty"`
	IgnoreRedirect bool             `mapstructure:"ignore-redirect" json:"ignore-redirect,omitempty"`
	DNSResolver    string           `mapstructure:"dns-resolver" json:"dns-resolver,omitempty"`
	ProxyURL       string           `mapstructure:"proxy-url" json:"proxy-url,omitempty"`
	Network        string           `mapstructure:"network" json:"network,omitempty"`
	TLS            *ClientTLSConfig `mapstructure:"tls" json:"tls,omitempty"`
}

// ClientTLSConfig is a client certificate for mutual TLS.
type ClientTLSConfig struct {
	CertificateFile string `mapstructure:"certificate-file" json:"certificate-file,omitempty"`
	PrivateKeyFile  string `mapstructure:"private-key-file" json:"private-key-file,omitempty"`
	Renegotiation   string `mapstructure:"renegotiation" json:"renegotiation,omitempty"`
}

// DNSConfig is Gatus's `dns:` block; its presence makes the endpoint a DNS probe
// with the URL naming the DNS server.
type DNSConfig struct {
	QueryType string `mapstructure:"query-type" json:"query-type"`
	QueryName string `mapstructure:"query-name" json:"query-name"`
}

// SSHConfig is Gatus's `ssh:` block. Without credentials the probe only checks
// the server banner.
type SSHConfig struct {
	Username   string `mapstructure:"username" json:"username,omitempty"`
	Password   string `mapstructure:"password" json:"password,omitempty"`
	PrivateKey string `mapstructure:"private-key" json:"private-key,omitempty"`
}

// UIConfig is Gatus's `ui:` block. Only the keys that change a probe's result
// matter here; the rest are accepted for compatibility.
type UIConfig struct {
	DontResolveFailedConditions bool           `mapstructure:"dont-resolve-failed-conditions" json:"dont-resolve-failed-conditions,omitempty"`
	ResolveSuccessfulConditions bool           `mapstructure:"resolve-successful-conditions" json:"resolve-successful-conditions,omitempty"`
	HideConditions              bool           `mapstructure:"hide-conditions" json:"hide-conditions,omitempty"`
	HideHostname                bool           `mapstructure:"hide-hostname" json:"hide-hostname,omitempty"`
	HideURL                     bool           `mapstructure:"hide-url" json:"hide-url,omitempty"`
	HidePort                    bool           `mapstructure:"hide-port" json:"hide-port,omitempty"`
	HideErrors                  bool           `mapstructure:"hide-errors" json:"hide-errors,omitempty"`
	Other                       map[string]any `mapstructure:",remain" json:"-"`
}

// IsEnabled reports whether the endpoint should be probed (default true).
func (e *Endpoint) IsEnabled() bool { return e.Enabled == nil || *e.Enabled }

// Key is Gatus's endpoint key: sanitized group and name joined by "_".
func (e *Endpoint) Key() string { return Key(e.Group, e.Name) }

// Key computes Gatus's key for a group and a name.
func Key(group, name string) string { return sanitize(group) + "_" + sanitize(name) }

var keyReplacer = strings.NewReplacer("/", "-", "_", "-", ".", "-", ",", "-", " ", "-", "#", "-")

func sanitize(s string) string {
	return keyReplacer.Replace(strings.TrimSpace(strings.ToLower(s)))
}

// DisplayName is group/name, or the name alone without a group.
func (e *Endpoint) DisplayName() string {
	if e.Group != "" {
		return e.Group + "/" + e.Name
	}
	return e.Name
}

// Type derives the probe type from the configuration the way Gatus does.
func (e *Endpoint) Type() Type {
	u := strings.ToLower(e.URL)
	switch {
	case e.DNS != nil:
		return TypeDNS
	case strings.HasPrefix(u, "tcp://"):
		return TypeTCP
	case strings.HasPrefix(u, "udp://"):
		return TypeUDP
	case strings.HasPrefix(u, "icmp://"):
		return TypeICMP
	case strings.HasPrefix(u, "starttls://"):
		return TypeSTARTTLS
	case strings.HasPrefix(u, "tls://"):
		return TypeTLS
	case strings.HasPrefix(u, "http://"), strings.HasPrefix(u, "https://"):
		return TypeHTTP
	case strings.HasPrefix(u, "ws://"), strings.HasPrefix(u, "wss://"):
		return TypeWebSocket
	case strings.HasPrefix(u, "ssh://"):
		return TypeSSH
	case strings.HasPrefix(u, "grpc://"), strings.HasPrefix(u, "grpcs://"):
		return TypeGRPC
	default:
		return TypeUnknown
	}
}

// Timeout is the client timeout, or Gatus's default.
func (e *Endpoint) Timeout() time.Duration {
	if e.Client != nil && e.Client.Timeout >= time.Millisecond {
		return e.Client.Timeout
	}
	return DefaultTimeout
}

// EffectiveInterval is the probe interval, or Gatus's default.
func (e *Endpoint) EffectiveInterval() time.Duration {
	if e.Interval > 0 {
		return e.Interval
	}
	return DefaultInterval
}
