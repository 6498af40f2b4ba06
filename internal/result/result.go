// Package result holds the outcome of one probe of one endpoint. Probers fill
// it, the conditions language reads it, and the receiver turns it into telemetry.
package result

import "time"

// Result is what one probe observed. Field meanings follow Gatus so that the
// same conditions judge the same observations the same way.
type Result struct {
	// Timestamp is when the probe started.
	Timestamp time.Time
	// Duration is the time the probe itself took ([RESPONSE_TIME]).
	Duration time.Duration
	// HTTPStatus is the HTTP status code, 0 when not HTTP or no response ([STATUS]).
	HTTPStatus int
	// Connected is whether a connection to the target was established ([CONNECTED]).
	Connected bool
	// Body is the response body (HTTP), the response text (TCP/UDP/SSH/WebSocket)
	// or the DNS answer ([BODY]). It is never exported.
	Body []byte
	// Hostname is the host part of the target.
	Hostname string
	// IP is the resolved address of the target ([IP]).
	IP string
	// DNSRCode is the DNS response code in text form, e.g. NOERROR ([DNS_RCODE]).
	DNSRCode string
	// CertificateExpiration is the time left before the leaf certificate expires
	// ([CERTIFICATE_EXPIRATION]); zero when no certificate was seen.
	CertificateExpiration time.Duration
	// DomainExpiration is the time left before the domain registration expires
	// ([DOMAIN_EXPIRATION]); filled only when a condition uses it.
	DomainExpiration time.Duration
	// Timings are the phases of the probe where the protocol exposes them.
	Timings Timings
	// Errors are what went wrong, without duplicates.
	Errors []string
	// ConditionResults are the judged conditions, in configuration order.
	ConditionResults []ConditionResult
	// Success is true when the probe ran and every condition held.
	Success bool
}

// Timings are the phase durations of a probe; a zero value means the phase
// did not happen (for example no DNS lookup for an IP literal).
type Timings struct {
	DNS       time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
}

// ConditionResult is one judged condition with the string users read in alerts.
type ConditionResult struct {
	Condition string
	Success   bool
}

// AddError records an error once.
func (r *Result) AddError(msg string) {
	for _, e := range r.Errors {
		if e == msg {
			return
		}
	}
	r.Errors = append(r.Errors, msg)
}
