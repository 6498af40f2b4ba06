package monitoring

import (
	"errors"
	"strings"
	"time"
)

// alertYAML is one alert as written. Pointers tell "unset" from a zero, so
// that a provider's default-alert can fill only what is unset, as in Gatus.
type alertYAML struct {
	Type                    string         `mapstructure:"type"`
	Enabled                 *bool          `mapstructure:"enabled"`
	FailureThreshold        int            `mapstructure:"failure-threshold"`
	SuccessThreshold        int            `mapstructure:"success-threshold"`
	MinimumReminderInterval time.Duration  `mapstructure:"minimum-reminder-interval"`
	Description             *string        `mapstructure:"description"`
	SendOnResolved          *bool          `mapstructure:"send-on-resolved"`
	AgentQuorum             *int           `mapstructure:"agent-quorum"`
	ProviderOverride        map[string]any `mapstructure:"provider-override"`
	Failover                any            `mapstructure:"failover"`
}

// decodeAlert reads one alert and records the Gatus keys Quorate ignores.
func decodeAlert(raw any, w where, unused map[string]bool) (alertYAML, error) {
	var a alertYAML
	if err := decodeStrict(raw, &a, w); err != nil {
		return a, err
	}
	if a.ProviderOverride != nil {
		unused["endpoints.alerts.provider-override"] = true
	}
	if a.Failover != nil {
		unused["endpoints.alerts.failover"] = true
	}
	return a, nil
}

// mergeDefault fills the fields a left unset from a provider's default-alert,
// the way Gatus merges them: pointers when nil, numbers when zero.
func mergeDefault(a *alertYAML, d *alertYAML) {
	if d == nil {
		return
	}
	if a.Enabled == nil {
		a.Enabled = d.Enabled
	}
	if a.SendOnResolved == nil {
		a.SendOnResolved = d.SendOnResolved
	}
	if a.Description == nil {
		a.Description = d.Description
	}
	if a.FailureThreshold == 0 {
		a.FailureThreshold = d.FailureThreshold
	}
	if a.SuccessThreshold == 0 {
		a.SuccessThreshold = d.SuccessThreshold
	}
	if a.MinimumReminderInterval == 0 {
		a.MinimumReminderInterval = d.MinimumReminderInterval
	}
	if a.AgentQuorum == nil {
		a.AgentQuorum = d.AgentQuorum
	}
}

// checkAlertFields applies Gatus's rules shared by endpoint alerts and
// default-alert blocks. Negative thresholds are refused (Gatus silently
// replaces them with the default).
func checkAlertFields(a *alertYAML, w where) []error {
	var errs []error
	if a.FailureThreshold < 0 {
		errs = append(errs, w.errorf("failure-threshold", "%d must be at least 1; leave it out for the default of %d", a.FailureThreshold, DefaultFailureThreshold))
	}
	if a.SuccessThreshold < 0 {
		errs = append(errs, w.errorf("success-threshold", "%d must be at least 1; leave it out for the default of %d", a.SuccessThreshold, DefaultSuccessThreshold))
	}
	if a.MinimumReminderInterval < 0 || a.MinimumReminderInterval > 0 && a.MinimumReminderInterval < MinMinimumReminderInterval {
		errs = append(errs, w.errorf("minimum-reminder-interval", "%s must be at least %s, or left out for no reminders (as in Gatus)", a.MinimumReminderInterval, MinMinimumReminderInterval))
	}
	if a.Description != nil && strings.ContainsAny(*a.Description, `"\`) {
		errs = append(errs, w.errorf("description", `must not contain " or \ (as in Gatus)`))
	}
	return errs
}

// finishAlert checks an endpoint alert (after merging its default) and
// applies the defaults. monitors is the number of agents in monitored-by.
// quorumFrom names the default-alert block agent-quorum came from, if any.
func finishAlert(a alertYAML, w where, monitors int, quorumFrom string) (Alert, error) {
	errs := checkAlertFields(&a, w)
	if strings.TrimSpace(a.Type) == "" {
		errs = append(errs, w.errorf("type", "is required, e.g. type: slack (any provider name; Quorate uses it as a label)"))
	}
	out := Alert{
		Type:                    a.Type,
		Enabled:                 a.Enabled == nil || *a.Enabled,
		FailureThreshold:        a.FailureThreshold,
		SuccessThreshold:        a.SuccessThreshold,
		SendOnResolved:          a.SendOnResolved != nil && *a.SendOnResolved,
		MinimumReminderInterval: a.MinimumReminderInterval,
		AgentQuorum:             DefaultAgentQuorum,
	}
	if out.FailureThreshold == 0 {
		out.FailureThreshold = DefaultFailureThreshold
	}
	if out.SuccessThreshold == 0 {
		out.SuccessThreshold = DefaultSuccessThreshold
	}
	if a.Description != nil {
		out.Description = *a.Description
	}
	if a.AgentQuorum != nil {
		out.AgentQuorum = *a.AgentQuorum
		if out.AgentQuorum < 1 || out.AgentQuorum > monitors {
			origin := ""
			if quorumFrom != "" {
				origin = " (set by " + quorumFrom + ")"
			}
			errs = append(errs, w.errorf("agent-quorum", "%d%s must be between 1 and %d, the number of agents in monitored-by", out.AgentQuorum, origin, monitors))
		}
	}
	return out, errors.Join(errs...)
}
