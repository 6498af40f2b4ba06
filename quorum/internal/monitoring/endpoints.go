package monitoring

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/quorate/quorate/internal/conditions"
	"github.com/quorate/quorate/internal/endpoint"
)

// domainExpirationMinInterval is Gatus's floor for endpoints whose
// conditions need an RDAP lookup, so the registries are not hammered.
const domainExpirationMinInterval = 5 * time.Minute

// Keys of an endpoint entry that Quorate decodes itself instead of leaving
// them to endpoint.Endpoint.
const (
	keyMonitoredBy        = "monitored-by"
	keyAlerts             = "alerts"
	keyMaintenanceWindows = "maintenance-windows"
)

// defaultAlert is a provider's default-alert block and where it was found.
type defaultAlert struct {
	alert alertYAML
	path  string
}

// endpointDecoder turns the endpoints list into checked endpoints.
type endpointDecoder struct {
	defaults map[string]defaultAlert // by alert type
	unused   map[string]bool
	errs     []error
}

func (d *endpointDecoder) decodeAll(raw any) []Endpoint {
	list, ok := raw.([]any)
	if !ok {
		if raw == nil {
			d.errs = append(d.errs, errors.New("endpoints: no endpoints; add at least one under endpoints:"))
		} else {
			d.errs = append(d.errs, errors.New("endpoints: expected a list of endpoints"))
		}
		return nil
	}
	if len(list) == 0 {
		d.errs = append(d.errs, errors.New("endpoints: no endpoints; add at least one under endpoints:"))
	}
	out := make([]Endpoint, 0, len(list))
	firstKey := map[string]int{}
	for i, item := range list {
		ep, ok := d.decode(i, item)
		if !ok {
			continue
		}
		key := ep.Key()
		if first, dup := firstKey[key]; dup {
			d.errs = append(d.errs, fmt.Errorf("%s: group and name give the key %q, the same as endpoints[%d]; each group and name pair must be unique", label(i, &ep.Endpoint), key, first))
			continue
		}
		firstKey[key] = i
		out = append(out, ep)
	}
	return out
}

func label(i int, e *endpoint.Endpoint) string {
	if e.Name == "" {
		return fmt.Sprintf("endpoints[%d]", i)
	}
	return fmt.Sprintf("endpoints[%d] %q", i, e.DisplayName())
}

// decode reads one endpoint; ok is false when it is too broken to check
// further (its errors are recorded).
func (d *endpointDecoder) decode(i int, raw any) (Endpoint, bool) {
	var ep Endpoint
	m, isMap := raw.(map[string]any)
	if !isMap {
		d.errs = append(d.errs, fmt.Errorf("endpoints[%d]: expected a mapping with name, url and conditions", i))
		return ep, false
	}
	name, _ := m["name"].(string)
	group, _ := m["group"].(string)
	w := where{entity: label(i, &endpoint.Endpoint{Name: name, Group: group})}

	spec := maps.Clone(m)
	delete(spec, keyMonitoredBy)
	delete(spec, keyAlerts)
	delete(spec, keyMaintenanceWindows)
	before := len(d.errs)
	if err := decodeStrict(spec, &ep.Endpoint, w); err != nil {
		// Keep checking the rest, but not the spec: a field that failed to
		// decode would be reported again as missing.
		d.errs = append(d.errs, err)
	} else {
		d.checkSpec(&ep.Endpoint, w)
	}

	ep.MonitoredBy = d.monitoredBy(m[keyMonitoredBy], w)
	ep.Alerts = d.alerts(m[keyAlerts], w, len(ep.MonitoredBy))
	ep.MaintenanceWindows = d.windows(m[keyMaintenanceWindows], w)
	return ep, len(d.errs) == before
}

// checkSpec validates the probe part the way Gatus does at startup.
func (d *endpointDecoder) checkSpec(e *endpoint.Endpoint, w where) {
	if err := e.Validate(); err != nil {
		for _, one := range splitJoined(err) {
			d.errs = append(d.errs, fmt.Errorf("%s: %w", w.at(""), one))
		}
	}
	for j, raw := range e.Conditions {
		c, err := conditions.Parse(raw)
		if err != nil {
			d.errs = append(d.errs, w.errorf(fmt.Sprintf("conditions[%d]", j), "%q: %v", raw, err))
			continue
		}
		if c.UsesDomainExpiration() && e.EffectiveInterval() < domainExpirationMinInterval {
			d.errs = append(d.errs, w.errorf("interval", "%s is below %s, the minimum for an endpoint whose conditions use [DOMAIN_EXPIRATION] (as in Gatus)", e.EffectiveInterval(), domainExpirationMinInterval))
		}
	}
}

func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// monitoredBy reads the agent ids; whether they exist is checked once all
// agents are known. Left out (or null), it is [local].
func (d *endpointDecoder) monitoredBy(raw any, w where) []string {
	if raw == nil {
		return []string{LocalAgentID}
	}
	if _, ok := raw.([]any); !ok {
		d.errs = append(d.errs, w.errorf(keyMonitoredBy, "expected a list of agent ids, e.g. monitored-by: [eu-west, us-east]"))
		return nil
	}
	var ids []string
	if err := decodeStrict(raw, &ids, w.in(keyMonitoredBy)); err != nil {
		d.errs = append(d.errs, err)
		return nil
	}
	if len(ids) == 0 {
		d.errs = append(d.errs, w.errorf(keyMonitoredBy, "is empty; list at least one agent id, or leave it out for [%s]", LocalAgentID))
		return nil
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			d.errs = append(d.errs, w.errorf(keyMonitoredBy, "lists %q twice", id))
		}
		seen[id] = true
	}
	return ids
}

func (d *endpointDecoder) alerts(raw any, w where, monitors int) []Alert {
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		d.errs = append(d.errs, w.errorf(keyAlerts, "expected a list of alerts"))
		return nil
	}
	out := make([]Alert, 0, len(list))
	for j, item := range list {
		aw := w.in(fmt.Sprintf("alerts[%d]", j))
		y, err := decodeAlert(item, aw, d.unused)
		if err != nil {
			d.errs = append(d.errs, err)
			continue
		}
		quorumFrom := ""
		if def, ok := d.defaults[y.Type]; ok {
			if y.AgentQuorum == nil && def.alert.AgentQuorum != nil {
				quorumFrom = def.path
			}
			mergeDefault(&y, &def.alert)
		}
		a, err := finishAlert(y, aw, monitors, quorumFrom)
		if err != nil {
			d.errs = append(d.errs, err)
		}
		out = append(out, a)
	}
	return out
}

func (d *endpointDecoder) windows(raw any, w where) []Maintenance {
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		d.errs = append(d.errs, w.errorf(keyMaintenanceWindows, "expected a list of windows"))
		return nil
	}
	var out []Maintenance
	for j, item := range list {
		m, err := decodeMaintenance(item, w.in(fmt.Sprintf("%s[%d]", keyMaintenanceWindows, j)))
		if err != nil {
			d.errs = append(d.errs, err)
			continue
		}
		out = append(out, *m)
	}
	return out
}
