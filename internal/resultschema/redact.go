package resultschema

import (
	"net/url"
	"strings"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// view is what of a result may leave the agent once the endpoint's ui.hide-*
// settings are applied.
type view struct {
	url        string // empty when hidden
	ip         string // empty when hidden
	errors     []string
	conditions []result.ConditionResult
}

// redact applies Gatus's ui.hide-* rules without changing res: hide-url and
// hide-hostname and hide-port replace the URL, host and port inside error
// messages with <redacted>, hide-errors drops errors, hide-conditions drops
// condition results. Beyond Gatus, which never exports the URL or IP, the
// exported URL is dropped with hide-url and has its host or port redacted
// with hide-hostname or hide-port, and the IP is dropped with either
// hide-url or hide-hostname. A password in the URL is never exported.
func redact(ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result) view {
	ui := ep.UI
	if ui == nil {
		ui = &endpoint.UIConfig{}
	}
	v := view{
		url:        endpoint.RedactURL(ep.URL),
		ip:         res.IP,
		errors:     append([]string(nil), res.Errors...),
		conditions: append([]result.ConditionResult(nil), res.ConditionResults...),
	}
	host, port := hostPort(ep, typ, res)
	replace := func(old string) {
		if old == "" {
			return
		}
		for i, e := range v.errors {
			v.errors[i] = strings.ReplaceAll(e, old, Redacted)
		}
	}
	if ui.HideURL {
		replace(ep.URL)
		v.url, v.ip = "", ""
	}
	if ui.HideHostname {
		replace(host)
		if host != "" {
			v.url = strings.ReplaceAll(v.url, host, Redacted)
		}
		v.ip = ""
	}
	if ui.HidePort && port != "" {
		replace(port)
		v.url = strings.ReplaceAll(v.url, ":"+port, ":"+Redacted)
	}
	if ui.HideErrors {
		v.errors = nil
	}
	if ui.HideConditions {
		v.conditions = nil
	}
	return v
}

// hostPort finds the target host as Gatus does: the DNS server for DNS
// endpoints, everything after icmp:// for ICMP, the URL's host otherwise.
// The prober's res.Hostname wins when set.
func hostPort(ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result) (host, port string) {
	switch typ {
	case endpoint.TypeDNS:
		host = strings.TrimSuffix(ep.URL, ":53")
	case endpoint.TypeICMP:
		host = ep.URL[min(len(ep.URL), len("icmp://")):]
	default:
		if u, err := url.Parse(ep.URL); err == nil {
			host, port = u.Hostname(), u.Port()
		}
	}
	if res.Hostname != "" {
		host = res.Hostname
	}
	return host, port
}
