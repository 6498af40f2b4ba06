package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/quorate/quorate/internal/result"
)

// dnsDefaultPort is used when the endpoint URL names the server without a port.
const dnsDefaultPort = "53"

// dnsUnsupportedBody is what Gatus puts in [BODY] when an answer record has a
// type it cannot render; kept verbatim so conditions written for Gatus agree.
const dnsUnsupportedBody = "query type is not supported yet"

// probeDNS sends one query to the server named by the endpoint URL and records
// the response code and the answer the way Gatus does: [DNS_RCODE] is the
// rcode's name and [BODY] is the value of the last answer record.
func probeDNS(ctx context.Context, t *Target, res *result.Result) {
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	cfg := t.Endpoint.DNS
	if cfg == nil {
		res.AddError("dns: endpoint has no dns block; add dns.query-type and dns.query-name")
		return
	}
	qtype, qname, err := dnsQuestion(cfg.QueryType, cfg.QueryName)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	server := dnsServerAddress(t.Endpoint.URL)

	start := time.Now()
	msg, err := dnsExchange(ctx, server, qtype, qname)
	res.Duration = time.Since(start)
	if err != nil {
		res.AddError(fmt.Sprintf("dns: query %s %s to %s: %v", dns.TypeToString[qtype], qname, server, err))
		return
	}
	res.Connected = true
	res.DNSRCode = dns.RcodeToString[msg.Rcode]
	if body := dnsAnswerBody(msg.Answer); body != nil {
		res.Body = body
	}
}

// dnsQuestion validates the dns block and returns the query in wire form. The
// name is made fully qualified as Gatus does; a PTR query for a plain IP
// address is turned into its reverse-lookup name.
func dnsQuestion(queryType, queryName string) (uint16, string, error) {
	if strings.TrimSpace(queryName) == "" {
		return 0, "", fmt.Errorf("dns: query-name is empty; set dns.query-name, e.g. example.org")
	}
	qtype, ok := dns.StringToType[strings.ToUpper(strings.TrimSpace(queryType))]
	if !ok {
		return 0, "", fmt.Errorf("dns: query-type %q is not a DNS record type; use A, AAAA, CNAME, MX, NS, PTR, SRV or TXT", queryType)
	}
	name := strings.TrimSpace(queryName)
	if qtype == dns.TypePTR && !strings.HasSuffix(name, ".in-addr.arpa.") && !strings.HasSuffix(name, ".ip6.arpa.") {
		if net.ParseIP(name) == nil {
			return 0, "", fmt.Errorf("dns: query-name %q for a PTR query must be an IP address or a name under in-addr.arpa./ip6.arpa.", queryName)
		}
		rev, err := dns.ReverseAddr(name)
		if err != nil {
			return 0, "", fmt.Errorf("dns: reverse name of %q: %w", queryName, err)
		}
		name = rev
	}
	return qtype, dns.Fqdn(name), nil
}

// dnsServerAddress turns the endpoint URL (a host, host:port, [v6]:port or a
// bare IPv6 address) into host:port, port 53 when absent.
func dnsServerAddress(raw string) string {
	s := strings.TrimSpace(raw)
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	// A bare IPv6 literal contains colons but no port; bracket it.
	return net.JoinHostPort(strings.Trim(s, "[]"), dnsDefaultPort)
}

// dnsExchange queries over UDP within ctx's deadline and retries over TCP when
// the answer was truncated, so a large answer is judged whole.
func dnsExchange(ctx context.Context, server string, qtype uint16, qname string) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(qname, qtype)
	c := &dns.Client{}
	if deadline, ok := ctx.Deadline(); ok {
		// The client's own 2s defaults would otherwise cut a longer endpoint timeout short.
		c.Timeout = time.Until(deadline)
	}
	msg, _, err := c.ExchangeContext(ctx, q, server)
	if err != nil {
		return nil, err
	}
	if msg.Truncated {
		c.Net = "tcp"
		if deadline, ok := ctx.Deadline(); ok {
			c.Timeout = time.Until(deadline)
		}
		tcpMsg, _, tcpErr := c.ExchangeContext(ctx, q, server)
		if tcpErr == nil {
			return tcpMsg, nil
		}
	}
	return msg, nil
}

// dnsAnswerBody renders the answer as Gatus does: each record overwrites the
// previous one, so the body is the value of the last record (for a CNAME
// chain, the final address). TXT is a Quorate addition (Gatus reports it as
// unsupported): its strings are joined as one value.
func dnsAnswerBody(answer []dns.RR) []byte {
	var body []byte
	for _, rr := range answer {
		switch v := rr.(type) {
		case *dns.A:
			body = []byte(v.A.String())
		case *dns.AAAA:
			body = []byte(v.AAAA.String())
		case *dns.CNAME:
			body = []byte(v.Target)
		case *dns.MX:
			body = []byte(v.Mx)
		case *dns.NS:
			body = []byte(v.Ns)
		case *dns.PTR:
			body = []byte(v.Ptr)
		case *dns.SRV:
			body = []byte(fmt.Sprintf("%s:%d", v.Target, v.Port))
		case *dns.TXT:
			body = []byte(strings.Join(v.Txt, ""))
		default:
			body = []byte(dnsUnsupportedBody)
		}
	}
	return body
}
