package receiver

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"

	"github.com/quorate/quorate/internal/agentid"
	"github.com/quorate/quorate/internal/conditions"
	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/probe"
	"github.com/quorate/quorate/receiver/internal/metadata"
)

// Config is the `probe` receiver's configuration. The knobs are snake_case
// like other collector components; the endpoint list is Gatus syntax
// verbatim, so an existing Gatus `endpoints:` list can be pasted in.
type Config struct {
	// AgentID names this vantage point in every result (resource attribute
	// quorate.agent.id) and seeds the spread of probe start times.
	AgentID string `mapstructure:"agent_id"`
	// AgentHeader sends X-Quorate-Agent: <agent_id> on HTTP and WebSocket
	// probes, so targets can tell agents apart.
	AgentHeader bool `mapstructure:"agent_header"`
	// MaxConcurrentProbes bounds the probes in flight across all endpoints.
	MaxConcurrentProbes int `mapstructure:"max_concurrent_probes"`
	// RDAPBaseURL overrides where [DOMAIN_EXPIRATION] looks domains up.
	RDAPBaseURL string `mapstructure:"rdap_base_url"`
	// Endpoints are probed on their own intervals; enabled: false ones are
	// validated but not probed.
	Endpoints []EndpointConfig `mapstructure:"endpoints"`
	// Central, when set, adds the endpoints the central assigns to this
	// agent, polled from its agent API and kept in step without a restart.
	Central configoptional.Optional[CentralConfig] `mapstructure:"central"`
	// Connectivity, when set, is the agent's self-check: while it cannot
	// reach its target, failed probes are reported as unknown.
	Connectivity configoptional.Optional[ConnectivityConfig] `mapstructure:"connectivity"`

	metadata.MetricsBuilderConfig `mapstructure:",squash"`
}

// ConnectivityConfig is the agent's self-check, Gatus's connectivity checker:
// the agent is online while a TCP connection to Target opens. A failed probe
// counts as a failure only if a check started after the probe ended
// succeeded; otherwise it is reported unknown, so an agent that lost its own
// network never counts toward quorum.
type ConnectivityConfig struct {
	ConnectivityCheck `mapstructure:",squash"`
	// Checker is Gatus's spelling, connectivity: {checker: {target,
	// interval}}, accepted so that a Gatus config can be pasted; use one
	// form or the other.
	Checker *ConnectivityCheck `mapstructure:"checker"`
}

// ConnectivityCheck is what the self-check dials and how often.
type ConnectivityCheck struct {
	// Target is the host:port dialled over TCP, e.g. 1.1.1.1:53.
	Target string `mapstructure:"target"`
	// Interval is the longest time between two checks; zero means
	// DefaultConnectivityInterval.
	Interval time.Duration `mapstructure:"interval"`
}

// DefaultConnectivityInterval is Gatus's default checker interval.
const DefaultConnectivityInterval = time.Minute

// minConnectivityInterval keeps a unitless typo (interval: 1, one
// nanosecond) from turning the self-check into a flood.
const minConnectivityInterval = 10 * time.Millisecond

// effective is the check to run, from whichever form was used, with the
// default interval filled in, and the key prefix that names its fields.
func (cc *ConnectivityConfig) effective() (ConnectivityCheck, string) {
	check, prefix := cc.ConnectivityCheck, "connectivity."
	if cc.Checker != nil {
		check, prefix = *cc.Checker, "connectivity.checker."
	}
	if check.Interval == 0 {
		check.Interval = DefaultConnectivityInterval
	}
	return check, prefix
}

// validate reports the connectivity block's problems, naming the keys as
// the user wrote them.
func (cc *ConnectivityConfig) validate() []error {
	if cc.Checker != nil && cc.ConnectivityCheck != (ConnectivityCheck{}) {
		return []error{errors.New("connectivity: set target and interval either directly or under checker: (Gatus's form), not both")}
	}
	check, prefix := cc.effective()
	var errs []error
	if check.Target == "" {
		errs = append(errs, fmt.Errorf("%starget is required: a host:port this agent must reach to count as online, e.g. 1.1.1.1:53", prefix))
	} else if host, port, err := net.SplitHostPort(check.Target); err != nil || host == "" || !validPort(port) {
		errs = append(errs, fmt.Errorf("%starget %q must be host:port with a port from 1 to 65535, e.g. 1.1.1.1:53", prefix, check.Target))
	}
	if check.Interval < minConnectivityInterval {
		errs = append(errs, fmt.Errorf("%sinterval %s must be at least %s, e.g. 60s", prefix, check.Interval, minConnectivityInterval))
	}
	return errs
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// CentralConfig is where the agent's assignments come from. The HTTP client
// settings (endpoint, tls, timeout, proxy_url, headers, ...) are the
// collector's confighttp ones.
type CentralConfig struct {
	// Endpoint is the base URL of the central's agent API, e.g.
	// https://central.example:4319; the assignments are polled at
	// <endpoint>/api/v1/agents/<agent_id>/assignments.
	confighttp.ClientConfig `mapstructure:",squash"`
	// Token is this agent's bearer token from the monitoring config.
	Token configopaque.String `mapstructure:"token"`
	// RefreshInterval is the longest time between two polls, hence how
	// soon a change on the central reaches this agent.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// CacheFile keeps the last assignments so that an agent restarted while
	// the central is down still probes. Empty means the default,
	// <user cache dir>/quorate/assignments-<agent_id>.json.
	CacheFile string `mapstructure:"cache_file"`
}

// minRefreshInterval keeps a typo from turning the agent into a load test
// of the central.
const minRefreshInterval = 100 * time.Millisecond

// EndpointConfig is one endpoint in Gatus syntax. It is a defined type rather
// than endpoint.Endpoint itself so that the collector's recursive validation
// does not report every endpoint error a second time: Config.Validate already
// reports it with the endpoint's index and name.
type EndpointConfig endpoint.Endpoint

// Endpoint is the configured endpoint as the shared type.
func (e *EndpointConfig) Endpoint() *endpoint.Endpoint { return (*endpoint.Endpoint)(e) }

// minDomainExpirationInterval is Gatus's floor for endpoints using
// [DOMAIN_EXPIRATION], so that RDAP servers are not hammered.
const minDomainExpirationInterval = 5 * time.Minute

// Validate reports every problem at once, each naming the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	if !agentid.Valid(c.AgentID) {
		errs = append(errs, fmt.Errorf("agent_id %q must be %s", c.AgentID, agentid.Rule))
	}
	if c.MaxConcurrentProbes < 1 {
		errs = append(errs, fmt.Errorf("max_concurrent_probes %d must be at least 1", c.MaxConcurrentProbes))
	}
	if c.RDAPBaseURL != "" {
		if u, err := url.Parse(c.RDAPBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("rdap_base_url %q must be an http(s) URL, e.g. https://rdap.example.org/", endpoint.RedactURL(c.RDAPBaseURL)))
		}
	}
	central := c.Central.Get()
	if central != nil {
		errs = append(errs, central.validate()...)
	}
	if conn := c.Connectivity.Get(); conn != nil {
		errs = append(errs, conn.validate()...)
	}
	if len(c.Endpoints) == 0 && central == nil {
		errs = append(errs, errors.New("endpoints: at least one endpoint is required unless central: is set; list them in Gatus syntax under endpoints:, or set central: to probe what the central assigns"))
	}
	opts := c.probeOptions()
	firstWithKey := map[string]int{}
	for i := range c.Endpoints {
		ep := c.Endpoints[i].Endpoint()
		where := fmt.Sprintf("endpoints[%d] %q", i, ep.DisplayName())
		_, epErrs := prepareEndpoint(where, ep, opts)
		errs = append(errs, epErrs...)
		if j, dup := firstWithKey[ep.Key()]; dup {
			errs = append(errs, fmt.Errorf("%s: key %q is also the key of endpoints[%d] %q; give one of them another name or group",
				where, ep.Key(), j, c.Endpoints[j].Endpoint().DisplayName()))
		} else {
			firstWithKey[ep.Key()] = i
		}
	}
	return errors.Join(errs...)
}

// validate reports the central block's problems, prefixed central.
func (cc *CentralConfig) validate() []error {
	var errs []error
	if u, err := url.Parse(cc.Endpoint); cc.Endpoint == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("central.endpoint %q must be the http(s) base URL of the central's agent API, e.g. https://central.example:4319", endpoint.RedactURL(cc.Endpoint)))
	} else if u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("central.endpoint %q must not have a query or fragment; give the base URL only", endpoint.RedactURL(cc.Endpoint)))
	}
	if cc.Token == "" {
		errs = append(errs, errors.New("central.token is required: this agent's token from the central's monitoring config, e.g. token: ${env:QUORATE_AGENT_TOKEN}"))
	}
	if cc.RefreshInterval < minRefreshInterval {
		errs = append(errs, fmt.Errorf("central.refresh_interval %s must be at least %s, e.g. 30s", cc.RefreshInterval, minRefreshInterval))
	}
	if cc.Timeout < 0 {
		errs = append(errs, fmt.Errorf("central.timeout %s must not be negative", cc.Timeout))
	}
	if info, err := os.Stat(cc.CacheFile); cc.CacheFile != "" && err == nil && info.IsDir() {
		errs = append(errs, fmt.Errorf("central.cache_file %q is a directory; name a file in it, e.g. %s", cc.CacheFile, filepath.Join(cc.CacheFile, "assignments.json")))
	}
	if err := cc.ClientConfig.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("central: %w", err))
	}
	return errs
}

// prepareEndpoint checks ep the way `validate` does, naming it by where, and
// prepares its probe. Static endpoints and those the central assigns go
// through the same checks. ep is not changed; the target gets a copy.
func prepareEndpoint(where string, ep *endpoint.Endpoint, opts probe.Options) (*probe.Target, []error) {
	errs := append(prefixed(where, ep.Validate()), validateConditions(where, ep)...)
	if len(errs) > 0 {
		return nil, errs
	}
	// What only preparing the probe finds, e.g. an unreadable client.tls
	// file: refused by `validate`, not at start.
	probeEP := *ep
	t, err := probe.NewTarget(&probeEP, opts)
	if err != nil {
		// NewTarget names the endpoint itself; where already does.
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("endpoint %q: ", ep.DisplayName()))
		return nil, []error{fmt.Errorf("%s: %s", where, msg)}
	}
	return t, nil
}

// probeOptions are the agent-wide probe settings the config implies.
func (c *Config) probeOptions() probe.Options {
	return probe.Options{AgentID: c.AgentID, DisableAgentHeader: !c.AgentHeader, RDAPBaseURL: c.RDAPBaseURL}
}

// validateConditions parses every condition so that `validate` catches a
// typo instead of the first probe.
func validateConditions(where string, ep *endpoint.Endpoint) []error {
	var errs []error
	for _, raw := range ep.Conditions {
		cond, err := conditions.Parse(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: condition %q: %w", where, raw, err))
			continue
		}
		if cond.UsesDomainExpiration() && ep.EffectiveInterval() < minDomainExpirationInterval {
			errs = append(errs, fmt.Errorf("%s: condition %q: [DOMAIN_EXPIRATION] needs interval of at least %s, have %s",
				where, raw, minDomainExpirationInterval, ep.EffectiveInterval()))
		}
	}
	return errs
}

// prefixed puts where before each error joined in err.
func prefixed(where string, err error) []error {
	if err == nil {
		return nil
	}
	var list []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		list = joined.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, len(list))
	for i, e := range list {
		out[i] = fmt.Errorf("%s: %w", where, e)
	}
	return out
}
