package monitoring

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
)

// Top-level keys Quorate acts on; every other one is reported as unused.
const (
	keyEndpoints   = "endpoints"
	keyAgents      = "agents"
	keyMaintenance = "maintenance"
	keyAlerting    = "alerting"
	keyDefault     = "default-alert"
)

// Load reads and validates the monitoring config at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read monitoring config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("monitoring config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse validates a monitoring config, expanding environment variables from
// the process environment. Every problem is reported, one per line.
func Parse(data []byte) (*Config, error) {
	return parse(data, os.LookupEnv)
}

func parse(data []byte, lookup lookupFunc) (*Config, error) {
	top, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	unused := map[string]bool{}
	var errs []error

	// Expand variables only where Quorate reads values.
	for _, key := range []string{keyAgents, keyEndpoints, keyMaintenance} {
		if v, ok := top[key]; ok {
			top[key] = expandTree(v, key, lookup, &errs)
		}
	}
	defaults := readDefaultAlerts(top[keyAlerting], lookup, unused, &errs)
	for key := range top {
		switch key {
		case keyAgents, keyEndpoints, keyMaintenance, keyAlerting:
		default:
			unused[key] = true
		}
	}

	agents, staleDefaulted, err := decodeAgents(top[keyAgents])
	if err != nil {
		errs = append(errs, err)
	}
	dec := endpointDecoder{defaults: defaults, unused: unused}
	endpoints := dec.decodeAll(top[keyEndpoints])
	errs = append(errs, dec.errs...)

	cfg := &Config{Agents: agents, Endpoints: endpoints}
	if raw, ok := top[keyMaintenance]; ok && raw != nil {
		m, err := decodeMaintenance(raw, where{path: keyMaintenance})
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Maintenance = m
	}
	errs = append(errs, cfg.resolveAgents(staleDefaulted)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for k := range unused {
		cfg.Unused = append(cfg.Unused, k)
	}
	sort.Strings(cfg.Unused)
	if err := cfg.index(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// readDefaultAlerts collects alerting.<type>.default-alert blocks. The
// providers themselves are reported unused.
func readDefaultAlerts(raw any, lookup lookupFunc, unused map[string]bool, errs *[]error) map[string]defaultAlert {
	out := map[string]defaultAlert{}
	providers, ok := raw.(map[string]any)
	if !ok {
		if raw != nil {
			unused[keyAlerting] = true
		}
		return out
	}
	for _, typ := range slices.Sorted(maps.Keys(providers)) {
		p := providers[typ]
		unused[keyAlerting+"."+typ] = true
		block, ok := p.(map[string]any)
		if !ok || block[keyDefault] == nil {
			continue
		}
		path := keyAlerting + "." + typ + "." + keyDefault
		expanded := expandTree(block[keyDefault], path, lookup, errs)
		w := where{path: path}
		y, err := decodeAlert(expanded, w, unused)
		if err != nil {
			*errs = append(*errs, err)
			continue
		}
		*errs = append(*errs, checkAlertFields(&y, w)...)
		if y.AgentQuorum != nil && *y.AgentQuorum < 1 {
			*errs = append(*errs, w.errorf("agent-quorum", "%d must be at least 1", *y.AgentQuorum))
		}
		out[typ] = defaultAlert{alert: y, path: path}
	}
	return out
}

// resolveAgents checks monitored-by against the agents, defines the
// implicit local agent when needed and fills default stale-after values.
func (c *Config) resolveAgents(staleDefaulted []bool) []error {
	var errs []error
	known := map[string]bool{}
	for _, a := range c.Agents {
		known[a.ID] = true
	}
	needLocal := false
	for i := range c.Endpoints {
		ep := &c.Endpoints[i]
		for _, id := range ep.MonitoredBy {
			switch {
			case known[id]:
			case id == LocalAgentID:
				needLocal = true
			default:
				errs = append(errs, fmt.Errorf("%s: monitored-by: unknown agent %q; declare it under agents: (declared: %s)", label(i, &ep.Endpoint), id, c.agentList()))
			}
		}
	}
	if needLocal {
		c.Agents = append(c.Agents, Agent{ID: LocalAgentID, Name: LocalAgentID, InProcess: true, Implicit: true, RatePerSecond: DefaultRatePerSecond})
		staleDefaulted = append(staleDefaulted, true)
	}
	for i := range c.Agents {
		if i < len(staleDefaulted) && staleDefaulted[i] {
			c.Agents[i].StaleAfter = defaultStaleAfter(c.shortestInterval(c.Agents[i].ID))
		}
	}
	return errs
}

func (c *Config) agentList() string {
	if len(c.Agents) == 0 {
		return "none"
	}
	ids := make([]string, len(c.Agents))
	for i, a := range c.Agents {
		ids[i] = a.ID
	}
	return strings.Join(ids, ", ")
}

// shortestInterval is the shortest probe interval among the enabled
// endpoints the agent monitors; 0 when it monitors none.
func (c *Config) shortestInterval(agentID string) (shortest time.Duration) {
	for i := range c.Endpoints {
		ep := &c.Endpoints[i]
		if !ep.IsEnabled() || !slices.Contains(ep.MonitoredBy, agentID) {
			continue
		}
		if d := ep.EffectiveInterval(); shortest == 0 || d < shortest {
			shortest = d
		}
	}
	return shortest
}
