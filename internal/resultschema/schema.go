// Package resultschema is the wire format of a probe result: one OTel log
// record per probe, with the attributes below. Agents encode it, the central
// decodes it, and docs/result-schema.md documents it for people who query it.
//
// The schema is versioned by quorate.schema.version. Adding an optional
// attribute keeps the version; renaming, removing or changing the type or
// meaning of one bumps it, and Decode refuses versions it does not know.
package resultschema

// Version is the schema version written by AppendLogRecord.
const Version = 1

// EventName identifies probe results among other log records (LogRecord.EventName).
const EventName = "quorate.probe.result"

// Resource attribute.
const (
	// AttrAgentID names the agent that probed (string).
	AttrAgentID = "quorate.agent.id"
)

// Log record attributes of schema v1. Durations are seconds as doubles.
const (
	AttrSchemaVersion = "quorate.schema.version" // int, always Version

	AttrEndpointKey   = "quorate.endpoint.key"   // string, Gatus key group_name
	AttrEndpointName  = "quorate.endpoint.name"  // string
	AttrEndpointGroup = "quorate.endpoint.group" // string, empty without group
	AttrEndpointType  = "quorate.endpoint.type"  // string, e.g. HTTP
	AttrEndpointURL   = "quorate.endpoint.url"   // string, absent with ui.hide-url

	AttrSuccess    = "quorate.result.success"    // bool
	AttrDuration   = "quorate.result.duration"   // double, s ([RESPONSE_TIME])
	AttrStatus     = "quorate.result.status"     // int, HTTP status, 0 when none
	AttrConnected  = "quorate.result.connected"  // bool
	AttrErrors     = "quorate.result.errors"     // []string
	AttrConditions = "quorate.result.conditions" // []map{condition: string, success: bool}
	// AttrUnknown marks a failed probe the agent cannot vouch for: it was
	// offline by its own connectivity check. Present (true) only then;
	// consumers count such a result as neither success nor failure.
	AttrUnknown = "quorate.result.unknown" // bool

	AttrCertificateExpiresIn = "quorate.result.certificate.expires_in" // double, s, when a certificate was seen
	AttrDomainExpiresIn      = "quorate.result.domain.expires_in"      // double, s, when looked up
	AttrIP                   = "quorate.result.ip"                     // string, when resolved
	AttrDNSRCode             = "quorate.result.dns.rcode"              // string, DNS probes

	AttrTimingDNS       = "quorate.result.timing.dns"        // double, s, when non-zero
	AttrTimingConnect   = "quorate.result.timing.connect"    // double, s, when non-zero
	AttrTimingTLS       = "quorate.result.timing.tls"        // double, s, when non-zero
	AttrTimingFirstByte = "quorate.result.timing.first_byte" // double, s, when non-zero

	// LabelPrefix precedes each of the endpoint's extra-labels.
	LabelPrefix = "quorate.label."
)

// Keys of one element of AttrConditions.
const (
	ConditionKey        = "condition" // string, the display string users read in alerts
	ConditionSuccessKey = "success"   // bool
)

// Redacted replaces what an endpoint's ui.hide-* settings hide, as in Gatus.
const Redacted = "<redacted>"
