package state

import (
	"errors"
	"fmt"
	"time"

	"github.com/quorate/quorate/quorum/internal/monitoring"
)

// Config is what the machine needs from the monitoring config.
type Config struct {
	Agents    []AgentConfig
	Endpoints []EndpointConfig
}

// AgentConfig is one agent.
type AgentConfig struct {
	ID         string
	StaleAfter time.Duration
}

// EndpointConfig is one enabled endpoint.
type EndpointConfig struct {
	Key string
	// Checksum identifies the endpoint's configuration; when it changes,
	// Apply resets the endpoint's state.
	Checksum string
	// Agents are the ids of monitored-by (M = len(Agents)).
	Agents []string
	// Alerts are the enabled alerts only.
	Alerts []AlertConfig
}

// AlertConfig is one enabled alert.
type AlertConfig struct {
	// Index is the alert's position in the endpoint's alerts list in the
	// file (disabled ones included): its identity in events and snapshots.
	Index                   int
	Type                    string
	Description             string
	FailureThreshold        int
	SuccessThreshold        int
	SendOnResolved          bool
	MinimumReminderInterval time.Duration
	// Quorum is K, the agent-quorum.
	Quorum int
}

// ConfigFrom extracts the machine's view of a monitoring config: enabled
// endpoints with their enabled alerts, and every agent.
func ConfigFrom(mc *monitoring.Config) Config {
	var c Config
	for _, a := range mc.Agents {
		c.Agents = append(c.Agents, AgentConfig{ID: a.ID, StaleAfter: a.StaleAfter})
	}
	for i := range mc.Endpoints {
		ep := &mc.Endpoints[i]
		if !ep.IsEnabled() {
			continue
		}
		ec := EndpointConfig{Key: ep.Key(), Checksum: mc.EndpointChecksum(ep.Key()), Agents: append([]string(nil), ep.MonitoredBy...)}
		for j, a := range ep.Alerts {
			if !a.Enabled {
				continue
			}
			ec.Alerts = append(ec.Alerts, AlertConfig{
				Index:                   j,
				Type:                    a.Type,
				Description:             a.Description,
				FailureThreshold:        a.FailureThreshold,
				SuccessThreshold:        a.SuccessThreshold,
				SendOnResolved:          a.SendOnResolved,
				MinimumReminderInterval: a.MinimumReminderInterval,
				Quorum:                  a.AgentQuorum,
			})
		}
		c.Endpoints = append(c.Endpoints, ec)
	}
	return c
}

// validate catches a hand-built Config the machine cannot run; one built by
// ConfigFrom from a loaded monitoring config always passes.
func (c *Config) validate() error {
	var errs []error
	agents := map[string]bool{}
	for _, a := range c.Agents {
		if agents[a.ID] {
			errs = append(errs, fmt.Errorf("agent %q is listed twice", a.ID))
		}
		if a.StaleAfter <= 0 {
			errs = append(errs, fmt.Errorf("agent %q: stale-after %s must be greater than 0", a.ID, a.StaleAfter))
		}
		agents[a.ID] = true
	}
	keys := map[string]bool{}
	for _, e := range c.Endpoints {
		if keys[e.Key] {
			errs = append(errs, fmt.Errorf("endpoint %q is listed twice", e.Key))
		}
		keys[e.Key] = true
		seen := map[string]bool{}
		for _, id := range e.Agents {
			if !agents[id] || seen[id] {
				errs = append(errs, fmt.Errorf("endpoint %q: agent %q is unknown or listed twice", e.Key, id))
			}
			seen[id] = true
		}
		indexes := map[int]bool{}
		for _, a := range e.Alerts {
			if indexes[a.Index] {
				errs = append(errs, fmt.Errorf("endpoint %q: alert index %d is used twice", e.Key, a.Index))
			}
			indexes[a.Index] = true
			if a.Quorum < 1 || a.Quorum > len(e.Agents) {
				errs = append(errs, fmt.Errorf("endpoint %q alert %d: quorum %d must be between 1 and %d", e.Key, a.Index, a.Quorum, len(e.Agents)))
			}
			if a.FailureThreshold < 1 || a.SuccessThreshold < 1 {
				errs = append(errs, fmt.Errorf("endpoint %q alert %d: thresholds must be at least 1", e.Key, a.Index))
			}
		}
	}
	return errors.Join(errs...)
}
