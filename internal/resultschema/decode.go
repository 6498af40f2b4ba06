package resultschema

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// ErrNotProbeResult is returned by Decode for a record whose event name is not
// EventName, so callers can skip other logs that share a pipeline.
var ErrNotProbeResult = errors.New("log record is not a " + EventName + " event")

// Decoded is one probe result read back from a log record.
type Decoded struct {
	// AgentID comes from the resource; DecodeLogs fills it, Decode cannot.
	AgentID       string
	SchemaVersion int64

	Key   string
	Name  string
	Group string
	Type  endpoint.Type
	// URL is empty when the endpoint hides it.
	URL string
	// Labels are the endpoint's extra-labels.
	Labels map[string]string

	// Result holds what the record carries; Body and Hostname never travel.
	Result result.Result
	// Unknown is set on a failed probe of an agent that was offline
	// (AttrUnknown): count it as neither success nor failure.
	Unknown  bool
	Observed time.Time
}

// DecodeLogs decodes every probe result in ld, skipping records of other
// events. Records that fail to decode are left out and reported together in
// the error, with their position.
func DecodeLogs(ld plog.Logs) ([]Decoded, error) {
	var out []Decoded
	var errs []error
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		agent, _ := rl.Resource().Attributes().Get(AttrAgentID)
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				d, err := Decode(lrs.At(k))
				if errors.Is(err, ErrNotProbeResult) {
					continue
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("resource %d scope %d record %d: %w", i, j, k, err))
					continue
				}
				d.AgentID = agent.AsString()
				out = append(out, d)
			}
		}
	}
	return out, errors.Join(errs...)
}

// Decode reads one log record written by AppendLogRecord.
func Decode(lr plog.LogRecord) (Decoded, error) {
	if lr.EventName() != EventName {
		return Decoded{}, ErrNotProbeResult
	}
	a := lr.Attributes()
	r := reader{attrs: a}
	d := Decoded{
		SchemaVersion: r.int(AttrSchemaVersion, true),
		Key:           r.str(AttrEndpointKey, true),
		Name:          r.str(AttrEndpointName, true),
		Group:         r.str(AttrEndpointGroup, false),
		Type:          endpoint.Type(r.str(AttrEndpointType, true)),
		URL:           r.str(AttrEndpointURL, false),
		Observed:      lr.ObservedTimestamp().AsTime(),
	}
	if r.err == nil && d.SchemaVersion != Version {
		return Decoded{}, fmt.Errorf("%s %d is not supported; this build reads version %d", AttrSchemaVersion, d.SchemaVersion, Version)
	}
	res := &d.Result
	res.Timestamp = lr.Timestamp().AsTime()
	res.Success = r.bool(AttrSuccess, true)
	res.Duration = r.seconds(AttrDuration, true)
	res.HTTPStatus = int(r.int(AttrStatus, false))
	res.Connected = r.bool(AttrConnected, false)
	d.Unknown = r.bool(AttrUnknown, false)
	if d.Unknown && res.Success {
		r.fail(fmt.Errorf("attribute %s is true on a successful result; only failures can be unknown", AttrUnknown))
	}
	res.Errors = r.strings(AttrErrors)
	res.ConditionResults = r.conditions(AttrConditions)
	res.CertificateExpiration = r.seconds(AttrCertificateExpiresIn, false)
	res.DomainExpiration = r.seconds(AttrDomainExpiresIn, false)
	res.IP = r.str(AttrIP, false)
	res.DNSRCode = r.str(AttrDNSRCode, false)
	res.Timings.DNS = r.seconds(AttrTimingDNS, false)
	res.Timings.Connect = r.seconds(AttrTimingConnect, false)
	res.Timings.TLS = r.seconds(AttrTimingTLS, false)
	res.Timings.FirstByte = r.seconds(AttrTimingFirstByte, false)
	a.Range(func(k string, v pcommon.Value) bool {
		if name, ok := strings.CutPrefix(k, LabelPrefix); ok {
			if d.Labels == nil {
				d.Labels = map[string]string{}
			}
			d.Labels[name] = v.AsString()
		}
		return true
	})
	if r.err != nil {
		return Decoded{}, r.err
	}
	return d, nil
}

// reader reads typed attributes and keeps the first error, so Decode reads
// straight through instead of checking after every attribute.
type reader struct {
	attrs pcommon.Map
	err   error
}

func (r *reader) get(key string, typ pcommon.ValueType, required bool) (pcommon.Value, bool) {
	v, ok := r.attrs.Get(key)
	switch {
	case !ok && required:
		r.fail(fmt.Errorf("attribute %s is missing", key))
	case !ok:
	case v.Type() != typ:
		r.fail(fmt.Errorf("attribute %s is %s, want %s", key, v.Type(), typ))
		ok = false
	}
	return v, ok
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) str(key string, required bool) string {
	if v, ok := r.get(key, pcommon.ValueTypeStr, required); ok {
		return v.Str()
	}
	return ""
}

func (r *reader) int(key string, required bool) int64 {
	if v, ok := r.get(key, pcommon.ValueTypeInt, required); ok {
		return v.Int()
	}
	return 0
}

func (r *reader) bool(key string, required bool) bool {
	if v, ok := r.get(key, pcommon.ValueTypeBool, required); ok {
		return v.Bool()
	}
	return false
}

func (r *reader) seconds(key string, required bool) time.Duration {
	v, ok := r.get(key, pcommon.ValueTypeDouble, required)
	if !ok {
		return 0
	}
	s := v.Double()
	if math.IsNaN(s) || math.IsInf(s, 0) || math.Abs(s) > math.MaxInt64/1e9 {
		r.fail(fmt.Errorf("attribute %s: %v is not a duration in seconds", key, s))
		return 0
	}
	return time.Duration(math.Round(s * 1e9))
}

func (r *reader) strings(key string) []string {
	v, ok := r.get(key, pcommon.ValueTypeSlice, false)
	if !ok || v.Slice().Len() == 0 {
		return nil
	}
	s := v.Slice()
	out := make([]string, 0, s.Len())
	for i := 0; i < s.Len(); i++ {
		if s.At(i).Type() != pcommon.ValueTypeStr {
			r.fail(fmt.Errorf("attribute %s[%d] is %s, want Str", key, i, s.At(i).Type()))
			return nil
		}
		out = append(out, s.At(i).Str())
	}
	return out
}

func (r *reader) conditions(key string) []result.ConditionResult {
	v, ok := r.get(key, pcommon.ValueTypeSlice, false)
	if !ok || v.Slice().Len() == 0 {
		return nil
	}
	s := v.Slice()
	out := make([]result.ConditionResult, 0, s.Len())
	for i := 0; i < s.Len(); i++ {
		if s.At(i).Type() != pcommon.ValueTypeMap {
			r.fail(fmt.Errorf("attribute %s[%d] is %s, want Map", key, i, s.At(i).Type()))
			return nil
		}
		m := s.At(i).Map()
		c, hasC := m.Get(ConditionKey)
		succ, hasS := m.Get(ConditionSuccessKey)
		if !hasC || !hasS || c.Type() != pcommon.ValueTypeStr || succ.Type() != pcommon.ValueTypeBool {
			r.fail(fmt.Errorf("attribute %s[%d] needs %s (Str) and %s (Bool)", key, i, ConditionKey, ConditionSuccessKey))
			return nil
		}
		out = append(out, result.ConditionResult{Condition: c.Str(), Success: succ.Bool()})
	}
	return out
}
