package resultschema

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// SetResource writes the resource attributes of the schema: the agent id.
func SetResource(r pcommon.Resource, agentID string) {
	r.Attributes().PutStr(AttrAgentID, agentID)
}

// AppendLogRecord appends one record for res, a probe of ep of type typ, to
// sl and returns it. The record's timestamp is the probe start, observed is
// when the agent recorded it. The endpoint's ui.hide-* settings are applied.
func AppendLogRecord(sl plog.ScopeLogs, ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result, observed time.Time) plog.LogRecord {
	return appendLogRecord(sl, ep, typ, res, observed, false)
}

// AppendUnknownLogRecord is AppendLogRecord for a failed probe that the agent
// cannot vouch for because it was offline: the record says what the probe
// saw, with AttrUnknown set so that nobody counts it as a failure. A
// successful res proves the agent was online and is appended as usual.
func AppendUnknownLogRecord(sl plog.ScopeLogs, ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result, observed time.Time) plog.LogRecord {
	return appendLogRecord(sl, ep, typ, res, observed, !res.Success)
}

func appendLogRecord(sl plog.ScopeLogs, ep *endpoint.Endpoint, typ endpoint.Type, res *result.Result, observed time.Time, unknown bool) plog.LogRecord {
	v := redact(ep, typ, res)
	lr := sl.LogRecords().AppendEmpty()
	lr.SetEventName(EventName)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(res.Timestamp))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	if res.Success {
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
	} else {
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
	}
	lr.Body().SetStr(summary(ep, res, v, unknown))

	a := lr.Attributes()
	a.PutInt(AttrSchemaVersion, Version)
	a.PutStr(AttrEndpointKey, ep.Key())
	a.PutStr(AttrEndpointName, ep.Name)
	a.PutStr(AttrEndpointGroup, ep.Group)
	a.PutStr(AttrEndpointType, string(typ))
	if v.url != "" {
		a.PutStr(AttrEndpointURL, v.url)
	}
	a.PutBool(AttrSuccess, res.Success)
	a.PutDouble(AttrDuration, res.Duration.Seconds())
	a.PutInt(AttrStatus, int64(res.HTTPStatus))
	a.PutBool(AttrConnected, res.Connected)
	if unknown {
		a.PutBool(AttrUnknown, true)
	}
	errs := a.PutEmptySlice(AttrErrors)
	errs.EnsureCapacity(len(v.errors))
	for _, e := range v.errors {
		errs.AppendEmpty().SetStr(e)
	}
	conds := a.PutEmptySlice(AttrConditions)
	conds.EnsureCapacity(len(v.conditions))
	for _, c := range v.conditions {
		m := conds.AppendEmpty().SetEmptyMap()
		m.PutStr(ConditionKey, c.Condition)
		m.PutBool(ConditionSuccessKey, c.Success)
	}
	putSeconds(a, AttrCertificateExpiresIn, res.CertificateExpiration)
	putSeconds(a, AttrDomainExpiresIn, res.DomainExpiration)
	if v.ip != "" {
		a.PutStr(AttrIP, v.ip)
	}
	if res.DNSRCode != "" {
		a.PutStr(AttrDNSRCode, res.DNSRCode)
	}
	putSeconds(a, AttrTimingDNS, res.Timings.DNS)
	putSeconds(a, AttrTimingConnect, res.Timings.Connect)
	putSeconds(a, AttrTimingTLS, res.Timings.TLS)
	putSeconds(a, AttrTimingFirstByte, res.Timings.FirstByte)

	// Sorted so that the same endpoint always yields the same record.
	names := make([]string, 0, len(ep.ExtraLabels))
	for n := range ep.ExtraLabels {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a.PutStr(LabelPrefix+n, ep.ExtraLabels[n])
	}
	return lr
}

// putSeconds writes d as seconds unless it is zero, which means "not seen".
func putSeconds(a pcommon.Map, key string, d time.Duration) {
	if d != 0 {
		a.PutDouble(key, d.Seconds())
	}
}

// summary is the record body a person reads in a log viewer, e.g.
// `core/api: failed in 12ms (HTTP 503): [STATUS] (503) == 200`, or with
// unknown `core/api: unknown, agent offline: failed in 12ms ...`.
func summary(ep *endpoint.Endpoint, res *result.Result, v view, unknown bool) string {
	var b strings.Builder
	b.WriteString(ep.DisplayName())
	if unknown {
		b.WriteString(": unknown, agent offline")
	}
	if res.Success {
		b.WriteString(": succeeded")
	} else {
		b.WriteString(": failed")
	}
	fmt.Fprintf(&b, " in %s", roundDuration(res.Duration))
	if res.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", res.HTTPStatus)
	}
	if res.Success {
		return b.String()
	}
	var why []string
	why = append(why, v.errors...)
	for _, c := range v.conditions {
		if !c.Success {
			why = append(why, c.Condition)
		}
	}
	if len(why) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(why, "; "))
	}
	return b.String()
}

// roundDuration rounds to milliseconds, or to microseconds below one
// millisecond so that a fast loopback probe does not read "0s".
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
