//go:generate go tool mdatagen metadata.yaml

// Package receiver is the `probe` receiver: it probes endpoints written
// in Gatus syntax on their intervals and emits each result as a log record
// (internal/resultschema) and as gauges.
package receiver // import "github.com/quorate/quorate/receiver"
