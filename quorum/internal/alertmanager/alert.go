package alertmanager

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Alert is Alertmanager's postableAlert (API v2).
type Alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	StartsAt    time.Time         `json:"startsAt"`
	// EndsAt is zero while firing: the sender stamps it at each post (see
	// Config.ResendInterval). Set, it resolves the alert.
	EndsAt       time.Time `json:"endsAt,omitzero"`
	GeneratorURL string    `json:"generatorURL,omitempty"`
}

// AlertName is the alertname of every alert Quorate posts.
const AlertName = "QuorateQuorumFiring"

// Labels: the identity of an alert in Alertmanager. They never change
// while an incident lasts; an empty value is left out (Alertmanager drops
// empty labels anyway).
const (
	LabelAlertName      = "alertname"
	LabelEndpointKey    = "endpoint_key"
	LabelEndpointName   = "endpoint_name"
	LabelEndpointGroup  = "endpoint_group"
	LabelAlertType      = "alert_type"  // the Gatus provider name
	LabelAlertIndex     = "alert_index" // position in the endpoint's alerts: two alerts of one type stay apart
	LabelSendOnResolved = "send_on_resolved"
)

// ownLabels cannot be replaced by Config.Labels.
var ownLabels = []string{LabelAlertName, LabelEndpointKey, LabelEndpointName, LabelEndpointGroup,
	LabelAlertType, LabelAlertIndex, LabelSendOnResolved}

// Annotations: the detail, refreshed at every post. Their names are fixed
// because Alertmanager validates annotation names like label names, and
// agent ids may contain characters a label name may not.
const (
	AnnotationSummary         = "summary"
	AnnotationDescription     = "description" // the alert's description, when set
	AnnotationTriggeredAgents = "triggered_agents"
	AnnotationStaleAgents     = "stale_agents"
	AnnotationQuorum          = "quorum" // "K/M": agent-quorum of monitored-by
	AnnotationFailures        = "failures"
)

// Bounds of the failures annotation: enough to see why, small enough for a
// chat message.
const (
	maxFailuresPerAgent = 5
	maxFailureLen       = 200
)

// incident is one endpoint alert's quorum as the notifier renders it.
type incident struct {
	endpointKey    string
	endpointName   string
	endpointGroup  string
	alertIndex     int
	alertType      string
	description    string
	sendOnResolved bool
	firedAt        time.Time
	// removed: the endpoint or alert is gone from the monitoring config.
	removed bool

	triggered int // reporting agents triggered
	quorum    int // K
	monitors  int // M

	triggeredAgents []string // in monitored-by order, stale ones included
	staleAgents     []string
	// failures are the triggered agents' last failures, same order.
	failures [][]string
}

// displayName is how Gatus names an endpoint: group/name, or name.
func (in *incident) displayName() string {
	if in.endpointGroup == "" {
		return in.endpointName
	}
	return in.endpointGroup + "/" + in.endpointName
}

// labels are the alert's identity, plus the configured extra labels.
func (in *incident) labels(extra map[string]string) map[string]string {
	l := make(map[string]string, len(extra)+len(ownLabels))
	maps.Copy(l, extra)
	l[LabelAlertName] = AlertName
	l[LabelEndpointKey] = in.endpointKey
	l[LabelAlertIndex] = strconv.Itoa(in.alertIndex)
	l[LabelSendOnResolved] = strconv.FormatBool(in.sendOnResolved)
	for name, v := range map[string]string{
		LabelEndpointName:  in.endpointName,
		LabelEndpointGroup: in.endpointGroup,
		LabelAlertType:     in.alertType,
	} {
		if v != "" {
			l[name] = v
		}
	}
	return l
}

// annotations describe the incident now; resolved says it is over.
func (in *incident) annotations(resolved bool) map[string]string {
	a := map[string]string{
		AnnotationQuorum: fmt.Sprintf("%d/%d", in.quorum, in.monitors),
	}
	switch {
	case in.removed:
		a[AnnotationSummary] = in.displayName() + ": no longer in the monitoring config"
		delete(a, AnnotationQuorum)
	case resolved:
		a[AnnotationSummary] = fmt.Sprintf("%s: recovered, %d of %d agents failing (agent-quorum %d)",
			in.displayName(), in.triggered, in.monitors, in.quorum)
	default:
		a[AnnotationSummary] = fmt.Sprintf("%s: %d of %d agents failing (agent-quorum %d)",
			in.displayName(), in.triggered, in.monitors, in.quorum)
	}
	if in.description != "" {
		a[AnnotationDescription] = in.description
	}
	if len(in.triggeredAgents) > 0 {
		a[AnnotationTriggeredAgents] = strings.Join(in.triggeredAgents, ",")
	}
	if len(in.staleAgents) > 0 {
		a[AnnotationStaleAgents] = strings.Join(in.staleAgents, ",")
	}
	if f := in.failureText(); f != "" {
		a[AnnotationFailures] = f
	}
	return a
}

// failureText is one line per triggered agent that reported a failure:
// "eu: [STATUS] (503) == 200; [RESPONSE_TIME] (812) < 300".
func (in *incident) failureText() string {
	var lines []string
	for i, agent := range in.triggeredAgents {
		if i >= len(in.failures) || len(in.failures[i]) == 0 {
			continue
		}
		what := in.failures[i]
		more := ""
		if len(what) > maxFailuresPerAgent {
			more = fmt.Sprintf("; and %d more", len(what)-maxFailuresPerAgent)
			what = what[:maxFailuresPerAgent]
		}
		parts := make([]string, len(what))
		for j, w := range what {
			parts[j] = truncate(w, maxFailureLen)
		}
		lines = append(lines, agent+": "+strings.Join(parts, "; ")+more)
	}
	return strings.Join(lines, "\n")
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// firing is the alert while the incident lasts.
func (in *incident) firing(extra map[string]string) Alert {
	return Alert{Labels: in.labels(extra), Annotations: in.annotations(false), StartsAt: in.firedAt}
}
