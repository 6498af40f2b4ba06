package monitoring

import (
	"errors"
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/quorate/quorate/internal/agentid"
)

type agentYAML struct {
	ID            string         `mapstructure:"id"`
	Name          string         `mapstructure:"name"`
	Token         *string        `mapstructure:"token"`
	RatePerSecond *float64       `mapstructure:"rate-per-second"`
	StaleAfter    *time.Duration `mapstructure:"stale-after"`
}

// decodeAgents reads and checks the agents list. The returned flags tell
// which agents left stale-after unset (its default needs the endpoints).
func decodeAgents(raw any) ([]Agent, []bool, error) {
	if raw == nil {
		return nil, nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, nil, errors.New("agents: expected a list of agents, e.g. agents: [{id: eu-west, token: ${QUORATE_TOKEN_EU}}]")
	}
	var (
		agents     []Agent
		defaulted  []bool
		errs       []error
		firstID    = map[string]int{}
		firstToken = map[string]int{}
	)
	for i, item := range list {
		w := where{entity: fmt.Sprintf("agents[%d]", i)}
		if id, ok := stringKey(item, "id"); ok && id != "" {
			w.entity += fmt.Sprintf(" %q", id)
		}
		var y agentYAML
		if err := decodeStrict(item, &y, w); err != nil {
			errs = append(errs, err)
			continue
		}
		a := Agent{ID: y.ID, Name: y.Name, RatePerSecond: DefaultRatePerSecond}
		if a.Name == "" {
			a.Name = a.ID
		}
		switch {
		case y.ID == "":
			errs = append(errs, w.errorf("id", "is required, e.g. id: eu-west"))
		case !agentid.Valid(y.ID):
			errs = append(errs, w.errorf("id", "must be "+agentid.Rule+", e.g. eu-west (the agent's agent_id)"))
		default:
			if first, dup := firstID[y.ID]; dup {
				errs = append(errs, w.errorf("id", "duplicates agents[%d]; agent ids must be unique", first))
			} else {
				firstID[y.ID] = i
			}
		}
		switch {
		case y.Token == nil && y.ID == LocalAgentID:
			a.InProcess = true
		case y.Token == nil:
			errs = append(errs, w.errorf("token", "is required, e.g. token: ${QUORATE_TOKEN_%s}", envSuffix(y.ID)))
		case *y.Token == "":
			errs = append(errs, w.errorf("token", "is empty (is its environment variable set but empty?)"))
		default:
			// The message names the other agent, never the token.
			if first, dup := firstToken[*y.Token]; dup {
				errs = append(errs, fmt.Errorf("%s: token duplicates agents[%d]'s token; give each agent its own", w.at(""), first))
			} else {
				firstToken[*y.Token] = i
			}
			a.Token = configopaque.String(*y.Token)
		}
		if y.RatePerSecond != nil {
			a.RatePerSecond = *y.RatePerSecond
			if !(a.RatePerSecond > 0) || math.IsInf(a.RatePerSecond, 0) {
				errs = append(errs, w.errorf("rate-per-second", "%v must be a number greater than 0; leave it out for the default of %v", a.RatePerSecond, DefaultRatePerSecond))
			}
		}
		if y.StaleAfter != nil {
			a.StaleAfter = *y.StaleAfter
			if a.StaleAfter <= 0 {
				errs = append(errs, w.errorf("stale-after", "%s must be greater than 0; leave it out for the default (3 intervals, at least %s)", a.StaleAfter, MinDefaultStaleAfter))
			}
		}
		agents = append(agents, a)
		defaulted = append(defaulted, y.StaleAfter == nil)
	}
	return agents, defaulted, errors.Join(errs...)
}

// stringKey reads a text value from a raw mapping, for labels in errors
// before the mapping is decoded.
func stringKey(raw any, key string) (string, bool) {
	m, ok := raw.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m[key].(string)
	return s, ok
}

// envSuffix suggests an environment variable name for an agent id.
func envSuffix(id string) string {
	out := []byte(id)
	for i, c := range out {
		switch {
		case c >= 'a' && c <= 'z':
			out[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			out[i] = '_'
		}
	}
	if len(out) == 0 {
		return "AGENT"
	}
	return string(out)
}

// defaultStaleAfter is three times the shortest interval of the agent's
// endpoints, at least MinDefaultStaleAfter.
func defaultStaleAfter(shortest time.Duration) time.Duration {
	if d := StaleAfterIntervals * shortest; d > MinDefaultStaleAfter {
		return d
	}
	return MinDefaultStaleAfter
}
