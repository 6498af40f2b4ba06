package probe

import (
	"context"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// hostname is the host part of the target, derived as Gatus does: a DNS
// endpoint's URL names the server (":53" dropped), an ICMP URL is everything
// after the scheme (so an IPv6 literal keeps its last group), anything else is
// the host of the parsed URL. It is "" when the URL does not parse.
func hostname(t *Target) string {
	ep := t.Endpoint
	switch {
	case t.Type == endpoint.TypeDNS:
		return strings.TrimSuffix(ep.URL, ":53")
	case t.Type == endpoint.TypeICMP:
		return icmpHost(ep.URL)
	}
	u, err := url.Parse(ep.URL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// resolveIP fills res.IP with the first address of res.Hostname, looked up
// with the endpoint's client.dns-resolver and client.network as Gatus's
// [IP] placeholder does.
func resolveIP(ctx context.Context, t *Target, res *result.Result) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	ips, err := c.lookup(ctx, res.Hostname)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	res.IP = ips[0].String()
}

// afterScheme is the URL without its scheme ("tcp://", "tls://", ...). The
// scheme matches case-insensitively because endpoint.Type does.
func afterScheme(rawURL string) string {
	if i := strings.Index(rawURL, "://"); i >= 0 {
		return rawURL[i+3:]
	}
	return rawURL
}

// icmpHost is the host of an icmp:// URL. Brackets around an IPv6 literal are
// accepted and dropped; Gatus takes the rest of the URL verbatim.
func icmpHost(rawURL string) string {
	h := afterScheme(rawURL)
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return h
}

// Gatus caps [RANDOM_STRING_N] so a typo cannot allocate gigabytes.
const maxRandomStringLength = 8192

var randomStringPlaceholder = regexp.MustCompile(`\[RANDOM_STRING_\d+\]`)

const randomStringAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// requestBody is the endpoint's body with Gatus's placeholders substituted:
// [ENDPOINT_NAME], [ENDPOINT_GROUP], [ENDPOINT_URL] and [RANDOM_STRING_N]
// (N random letters and digits, fresh on every call).
func requestBody(ep *endpoint.Endpoint) string {
	body := ep.Body
	if !strings.Contains(body, "[") {
		return body
	}
	body = strings.ReplaceAll(body, "[ENDPOINT_NAME]", ep.Name)
	body = strings.ReplaceAll(body, "[ENDPOINT_GROUP]", ep.Group)
	body = strings.ReplaceAll(body, "[ENDPOINT_URL]", ep.URL)
	if !strings.Contains(body, "[RANDOM_STRING_") {
		return body
	}
	return randomStringPlaceholder.ReplaceAllStringFunc(body, func(m string) string {
		n, _ := strconv.Atoi(m[len("[RANDOM_STRING_") : len(m)-1]) // too many digits: 0, as Gatus
		n = min(n, maxRandomStringLength)
		b := make([]byte, n)
		for i := range b {
			b[i] = randomStringAlphabet[rand.IntN(len(randomStringAlphabet))]
		}
		return string(b)
	})
}

// withLocalAddress substitutes Gatus's [LOCAL_ADDRESS] (the local ip:port of
// the probe's connection) in a TCP, UDP or TLS body.
func withLocalAddress(body string, local net.Addr) string {
	if local == nil || !strings.Contains(body, "[LOCAL_ADDRESS]") {
		return body
	}
	return strings.ReplaceAll(body, "[LOCAL_ADDRESS]", local.String())
}
