package endpoint

import (
	"strings"
	"testing"
	"time"
)

func validHTTP() Endpoint {
	return Endpoint{Name: "api", Group: "core", URL: "http://127.0.0.1:8080/health", Conditions: []string{"[STATUS] == 200"}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(e *Endpoint)
		want   []string // substrings of the error; none means valid
	}{
		{name: "valid http endpoint passes", modify: func(*Endpoint) {}},
		{name: "every known scheme passes", modify: func(e *Endpoint) { e.URL = "grpcs://127.0.0.1:50051" }},
		{name: "icmp with bare ipv6 passes", modify: func(e *Endpoint) { e.URL = "icmp://fe80::1" }},
		{name: "missing name is refused", modify: func(e *Endpoint) { e.Name = "" }, want: []string{"name is required"}},
		{name: "quote in name is refused", modify: func(e *Endpoint) { e.Name = `a"b` }, want: []string{`name "a\"b" must not contain`}},
		{name: "backslash in group is refused", modify: func(e *Endpoint) { e.Group = `a\b` }, want: []string{"group"}},
		{name: "missing url is refused", modify: func(e *Endpoint) { e.URL = "" }, want: []string{"url is required"}},
		{name: "missing url of dns endpoint names the server", modify: func(e *Endpoint) {
			e.URL = ""
			e.DNS = &DNSConfig{QueryType: "A", QueryName: "example.org"}
		}, want: []string{"names the DNS server"}},
		{name: "unknown scheme is refused", modify: func(e *Endpoint) { e.URL = "ftp://127.0.0.1" }, want: []string{`url "ftp://127.0.0.1": unknown endpoint type`}},
		{name: "unparsable url is refused without its password", modify: func(e *Endpoint) { e.URL = "http://bob:s3cret@127.0.0.1:80x/" }, want: []string{"is not a valid URL", "bob:xxxxx@"}},
		{name: "no conditions is refused", modify: func(e *Endpoint) { e.Conditions = nil }, want: []string{"at least one condition"}},
		{name: "negative interval is refused", modify: func(e *Endpoint) { e.Interval = -time.Second }, want: []string{"interval -1s must not be negative"}},
		{name: "zero interval means default", modify: func(e *Endpoint) { e.Interval = 0 }},
		{name: "method with space is refused", modify: func(e *Endpoint) { e.Method = "GET X" }, want: []string{`method "GET X"`}},
		{name: "custom method token passes", modify: func(e *Endpoint) { e.Method = "PROPFIND" }},
		{name: "negative client timeout is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{Timeout: -time.Second} }, want: []string{"client.timeout -1s must not be negative"}},
		{name: "dns resolver in gatus format passes", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "tcp://8.8.8.8:53"} }},
		{name: "dns resolver without protocol is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "8.8.8.8:53"} }, want: []string{`client.dns-resolver "8.8.8.8:53"`, "{proto}://{host}:{port}"}},
		{name: "dns resolver with unknown protocol is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "http://8.8.8.8:53"} }, want: []string{`protocol "http"`}},
		{name: "dns resolver ignores what follows the port as gatus does", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "udp://1.1.1.1:53/"} }},
		{name: "dns resolver without port is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "udp://8.8.8.8"} }, want: []string{"client.dns-resolver"}},
		{name: "dns resolver with port out of range is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{DNSResolver: "udp://8.8.8.8:70000"} }, want: []string{`port "70000"`}},
		{name: "proxy url without host is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{ProxyURL: "proxy:3128"} }, want: []string{"client.proxy-url"}},
		{name: "unparsable proxy url is refused without its password", modify: func(e *Endpoint) { e.Client = &ClientConfig{ProxyURL: "http://u:pw@[::1"} }, want: []string{"client.proxy-url", "u:xxxxx@"}},
		{name: "proxy url passes", modify: func(e *Endpoint) { e.Client = &ClientConfig{ProxyURL: "http://127.0.0.1:3128"} }},
		{name: "unknown network is refused", modify: func(e *Endpoint) { e.Client = &ClientConfig{Network: "tcp"} }, want: []string{`client.network "tcp" must be ip, ip4 or ip6`}},
		{name: "ip6 network passes", modify: func(e *Endpoint) { e.Client = &ClientConfig{Network: "ip6"} }},
		{name: "tls certificate without key is refused", modify: func(e *Endpoint) {
			e.Client = &ClientConfig{TLS: &ClientTLSConfig{CertificateFile: "c.pem"}}
		}, want: []string{"certificate-file and private-key-file must be set together"}},
		{name: "tls key without certificate is refused", modify: func(e *Endpoint) {
			e.Client = &ClientConfig{TLS: &ClientTLSConfig{PrivateKeyFile: "k.pem"}}
		}, want: []string{"must be set together"}},
		{name: "unknown renegotiation is refused", modify: func(e *Endpoint) {
			e.Client = &ClientConfig{TLS: &ClientTLSConfig{CertificateFile: "c.pem", PrivateKeyFile: "k.pem", Renegotiation: "always"}}
		}, want: []string{`client.tls.renegotiation "always"`}},
		{name: "dns endpoint passes", modify: func(e *Endpoint) {
			e.URL = "127.0.0.1:53"
			e.DNS = &DNSConfig{QueryType: "AAAA", QueryName: "example.org"}
		}},
		{name: "unknown dns query type is refused", modify: func(e *Endpoint) {
			e.DNS = &DNSConfig{QueryType: "BOGUS", QueryName: "example.org"}
		}, want: []string{`dns.query-type "BOGUS"`}},
		{name: "lowercase dns query type is refused as gatus does", modify: func(e *Endpoint) {
			e.DNS = &DNSConfig{QueryType: "a", QueryName: "example.org"}
		}, want: []string{`dns.query-type "a"`}},
		{name: "missing dns query name is refused", modify: func(e *Endpoint) { e.DNS = &DNSConfig{QueryType: "A"} }, want: []string{"dns.query-name is required"}},
		{name: "ssh without credentials passes", modify: func(e *Endpoint) { e.URL = "ssh://127.0.0.1:22"; e.SSH = &SSHConfig{} }},
		{name: "ssh password without username is refused", modify: func(e *Endpoint) {
			e.URL = "ssh://127.0.0.1:22"
			e.SSH = &SSHConfig{Password: "pw"}
		}, want: []string{"ssh.username is required"}},
		{name: "ssh username without secret is refused", modify: func(e *Endpoint) {
			e.URL = "ssh://127.0.0.1:22"
			e.SSH = &SSHConfig{Username: "u"}
		}, want: []string{"ssh.password or ssh.private-key"}},
		{name: "every problem is reported at once", modify: func(e *Endpoint) {
			e.Name, e.URL, e.Conditions = "", "", nil
		}, want: []string{"name is required", "url is required", "at least one condition"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validHTTP()
			tt.modify(&e)
			err := e.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), ":pw@") {
				t.Errorf("Validate() leaks a password: %q", err)
			}
		})
	}
}

func TestValidateLeavesEndpointUnchanged(t *testing.T) {
	e := validHTTP()
	e.DNS = &DNSConfig{QueryType: "A", QueryName: "example.org"}
	before := *e.DNS
	_ = e.Validate()
	if *e.DNS != before {
		t.Errorf("Validate changed dns config: %+v, want %+v", *e.DNS, before)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://127.0.0.1/health", "https://127.0.0.1/health"},
		{"https://u:p@127.0.0.1/health", "https://u:xxxxx@127.0.0.1/health"},
		{"https://u@127.0.0.1/health", "https://u@127.0.0.1/health"},
		{"https://u:p@127.0.0.1:80x/a@b", "https://u:xxxxx@127.0.0.1:80x/a@b"},
		{"127.0.0.1:53", "127.0.0.1:53"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
