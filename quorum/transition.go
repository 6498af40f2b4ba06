package quorum

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/quorum/internal/engine"
	"github.com/quorate/quorate/quorum/internal/metadata"
	"github.com/quorate/quorate/quorum/internal/state"
)

// TransitionEventName identifies transition records (LogRecord.EventName).
const TransitionEventName = "quorate.quorum.transition"

// Attributes of a transition record. Endpoint and alert attributes are set
// on every kind but agent_stale and agent_back; the agent id on agent_*
// kinds. The quorum counts are the ones right after the transition.
const (
	AttrTransition      = "quorate.transition" // fired, resolved, reminder, degraded, degraded_cleared, agent_triggered, agent_cleared, agent_stale, agent_back
	AttrEndpointKey     = "quorate.endpoint.key"
	AttrEndpointName    = "quorate.endpoint.name"
	AttrEndpointGroup   = "quorate.endpoint.group"
	AttrAgentID         = "quorate.agent.id"
	AttrAlertIndex      = "quorate.alert.index" // int: position in the endpoint's alerts list
	AttrAlertType       = "quorate.alert.type"  // the Gatus provider name, a label only
	AttrAlertDesc       = "quorate.alert.description"
	AttrSendOnResolved  = "quorate.alert.send_on_resolved" // bool, on resolved
	AttrFiredAt         = "quorate.alert.fired_at"         // RFC 3339, on reminder and resolved
	AttrQuorumTriggered = "quorate.quorum.triggered"       // int: reporting agents triggered
	AttrQuorumReporting = "quorate.quorum.reporting"       // int: agents not stale
	AttrQuorumRequired  = "quorate.quorum.required"        // int: agent-quorum K
	AttrQuorumMonitors  = "quorate.quorum.monitoring"      // int: agents in monitored-by, M
)

// transitionLogs renders transitions as one resource and scope of records.
func transitionLogs(ts []engine.Transition) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	now := pcommon.NewTimestampFromTime(time.Now())
	lrs := sl.LogRecords()
	lrs.EnsureCapacity(len(ts))
	for i := range ts {
		appendTransition(lrs.AppendEmpty(), &ts[i], now)
	}
	return ld
}

func appendTransition(lr plog.LogRecord, t *engine.Transition, observed pcommon.Timestamp) {
	lr.SetEventName(TransitionEventName)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(t.At))
	lr.SetObservedTimestamp(observed)
	sev, text := severity(t.Kind)
	lr.SetSeverityNumber(sev)
	lr.SetSeverityText(text)
	lr.Body().SetStr(summary(t))

	a := lr.Attributes()
	a.PutStr(AttrTransition, t.Kind.String())
	if t.AgentID != "" {
		a.PutStr(AttrAgentID, t.AgentID)
	}
	if t.EndpointKey == "" {
		return
	}
	a.PutStr(AttrEndpointKey, t.EndpointKey)
	a.PutStr(AttrEndpointName, t.EndpointName)
	a.PutStr(AttrEndpointGroup, t.EndpointGroup)
	a.PutInt(AttrAlertIndex, int64(t.AlertIndex))
	a.PutStr(AttrAlertType, t.AlertType)
	if t.Description != "" {
		a.PutStr(AttrAlertDesc, t.Description)
	}
	a.PutInt(AttrQuorumTriggered, int64(t.Triggered))
	a.PutInt(AttrQuorumReporting, int64(t.Reporting))
	a.PutInt(AttrQuorumRequired, int64(t.Quorum))
	a.PutInt(AttrQuorumMonitors, int64(t.Monitors))
	if t.Kind == state.Resolved {
		a.PutBool(AttrSendOnResolved, t.SendOnResolved)
	}
	if !t.FiredAt.IsZero() {
		a.PutStr(AttrFiredAt, t.FiredAt.UTC().Format(time.RFC3339Nano))
	}
}

// severity: what a person must act on is WARN, the rest INFO.
func severity(k state.Kind) (plog.SeverityNumber, string) {
	switch k {
	case state.Fired, state.Reminder, state.AgentStale:
		return plog.SeverityNumberWarn, "WARN"
	default:
		return plog.SeverityNumberInfo, "INFO"
	}
}

// summary is the record's body, one line for people.
func summary(t *engine.Transition) string {
	if t.EndpointKey == "" {
		return fmt.Sprintf("agent %s: %s", t.AgentID, t.Kind)
	}
	name := t.EndpointName
	if t.EndpointGroup != "" {
		name = t.EndpointGroup + "/" + name
	}
	alert := fmt.Sprintf("alert %d (%s)", t.AlertIndex, t.AlertType)
	if t.AgentID != "" {
		return fmt.Sprintf("%s %s: agent %s %s; %d of %d reporting agents triggered, quorum %d of %d",
			name, alert, t.AgentID, verb(t.Kind), t.Triggered, t.Reporting, t.Quorum, t.Monitors)
	}
	return fmt.Sprintf("%s %s %s: %d of %d reporting agents triggered, quorum %d of %d",
		name, alert, t.Kind, t.Triggered, t.Reporting, t.Quorum, t.Monitors)
}

func verb(k state.Kind) string {
	switch k {
	case state.AgentTriggered:
		return "triggered"
	case state.AgentCleared:
		return "cleared"
	}
	return k.String()
}
