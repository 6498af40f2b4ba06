package endpoint

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Validate checks the endpoint the way Gatus does at startup, so a config
// that Gatus refuses is refused here too, with an error per problem that names
// the field and the fix. Conditions are only checked for presence: parsing
// them belongs to the conditions package. Validate does not change e, and it
// does not read files (client.tls), because the machine that validates a
// config is not always the one that probes.
func (e *Endpoint) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if e.Name == "" {
		add("name is required; give the endpoint a name, e.g. name: api")
	}
	if strings.ContainsAny(e.Name, `"\`) {
		add(`name %q must not contain " or \`, e.Name)
	}
	if strings.ContainsAny(e.Group, `"\`) {
		add(`group %q must not contain " or \`, e.Group)
	}

	typ := e.Type()
	switch {
	case e.URL == "" && typ == TypeDNS:
		add("url is required: for a dns endpoint it names the DNS server, e.g. url: 8.8.8.8")
	case e.URL == "":
		add("url is required, e.g. url: https://example.org/health")
	case typ == TypeUnknown:
		add("url %q: unknown endpoint type; use http(s)://, tcp://, udp://, icmp://, tls://, starttls://, ssh://, ws(s)://, grpc(s):// or add a dns: block", RedactURL(e.URL))
	case typ != TypeDNS && typ != TypeICMP:
		// ICMP URLs may hold bare IPv6 addresses that net/url rejects, and
		// a DNS URL is a server address, not a URL; Gatus skips both too.
		if _, err := url.Parse(e.URL); err != nil {
			add("url %q is not a valid URL: %v", RedactURL(e.URL), parseCause(err))
		}
	}

	if len(e.Conditions) == 0 {
		add(`conditions: at least one condition is required, e.g. conditions: ["[STATUS] == 200"]`)
	}
	if e.Interval < 0 {
		add("interval %s must not be negative; leave it out for the default of %s", e.Interval, DefaultInterval)
	}
	if e.Method != "" && !isToken(e.Method) {
		add("method %q is not a valid HTTP method; use e.g. GET, POST or HEAD", e.Method)
	}
	if e.Client != nil {
		errs = append(errs, e.Client.validate()...)
	}
	if e.DNS != nil {
		errs = append(errs, e.DNS.validate()...)
	}
	if e.SSH != nil {
		errs = append(errs, e.SSH.validate()...)
	}
	return errors.Join(errs...)
}

func (c *ClientConfig) validate() []error {
	var errs []error
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("client.timeout %s must not be negative; leave it out for the default of %s", c.Timeout, DefaultTimeout))
	}
	if c.DNSResolver != "" {
		if err := validateDNSResolver(c.DNSResolver); err != nil {
			errs = append(errs, fmt.Errorf("client.dns-resolver %q: %w", c.DNSResolver, err))
		}
	}
	if c.ProxyURL != "" {
		if u, err := url.Parse(c.ProxyURL); err != nil {
			errs = append(errs, fmt.Errorf("client.proxy-url %q is not a valid URL: %v", RedactURL(c.ProxyURL), parseCause(err)))
		} else if u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("client.proxy-url %q needs a scheme and a host, e.g. http://proxy:3128", u.Redacted()))
		}
	}
	switch c.Network {
	case "", "ip", "ip4", "ip6":
	default:
		errs = append(errs, fmt.Errorf("client.network %q must be ip, ip4 or ip6", c.Network))
	}
	if c.TLS != nil && (c.TLS.CertificateFile == "") != (c.TLS.PrivateKeyFile == "") {
		errs = append(errs, errors.New("client.tls: certificate-file and private-key-file must be set together"))
	}
	switch c.TLS.renegotiation() {
	case "", "never", "once", "freely":
	default:
		errs = append(errs, fmt.Errorf("client.tls.renegotiation %q must be never, once or freely", c.TLS.renegotiation()))
	}
	return errs
}

func (t *ClientTLSConfig) renegotiation() string {
	if t == nil {
		return ""
	}
	return t.Renegotiation
}

// dnsResolverProtocols are the networks a custom resolver can be dialed on.
var dnsResolverProtocols = map[string]bool{"tcp": true, "tcp4": true, "tcp6": true, "udp": true, "udp4": true, "udp6": true}

// validateDNSResolver accepts Gatus's `{proto}://{host}:{port}` form.
func validateDNSResolver(s string) error {
	const fix = "use {proto}://{host}:{port}, e.g. udp://1.1.1.1:53"
	proto, hostPort, ok := strings.Cut(s, "://")
	if !ok {
		return errors.New(fix)
	}
	if !dnsResolverProtocols[proto] {
		return fmt.Errorf("protocol %q must be tcp or udp; %s", proto, fix)
	}
	host, rest, ok := strings.Cut(hostPort, ":")
	if !ok || host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != "" {
		return fmt.Errorf("host must be a hostname or IPv4 address; %s", fix)
	}
	// Like Gatus, anything after the port's digits is ignored.
	port := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q must be a number from 1 to 65535; %s", port, fix)
	}
	return nil
}

func (d *DNSConfig) validate() []error {
	var errs []error
	if d.QueryName == "" {
		errs = append(errs, errors.New("dns.query-name is required, e.g. query-name: example.org"))
	}
	if _, ok := dns.StringToType[d.QueryType]; !ok || d.QueryType == "" {
		errs = append(errs, fmt.Errorf("dns.query-type %q is not a DNS record type; use e.g. A, AAAA, CNAME, MX, NS or TXT", d.QueryType))
	}
	return errs
}

// validate follows Gatus: no credentials checks the banner only; any
// credential needs a username, and a username needs a password or a key.
func (s *SSHConfig) validate() []error {
	if s.Username == "" && s.Password == "" && s.PrivateKey == "" {
		return nil
	}
	if s.Username == "" {
		return []error{errors.New("ssh.username is required when ssh.password or ssh.private-key is set")}
	}
	if s.Password == "" && s.PrivateKey == "" {
		return []error{errors.New("ssh: set ssh.password or ssh.private-key for ssh.username, or remove all three to check the banner only")}
	}
	return nil
}

// RedactURL hides the password of a URL's user info, so that errors and
// logs can name a URL without leaking credentials, even when it does not parse.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return s
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return s
	}
	prefix := s[:len(s)-len(rest)]
	return prefix + user + ":xxxxx" + rest[at:]
}

// parseCause is the reason inside a *url.Error, without the URL it repeats.
func parseCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isToken reports whether s is an RFC 9110 token, which is what an HTTP
// method must be.
func isToken(s string) bool {
	for _, r := range s {
		if r >= 0x80 || !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return s != ""
}
