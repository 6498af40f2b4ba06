//go:generate go tool mdatagen metadata.yaml

// Package quorum is the `quorum` processor of the central collector.
//
// It must come first in a logs pipeline fed by the otlp receiver (and, on a
// central that also probes, by the probe receiver), before any processor
// that batches: the agent's identity travels in the request's context
// (client.Info.Auth), and batching hands data on with a new context.
//
// For each batch it
//  1. takes the agent from the context: an agent the quorate_central
//     authenticator identified by its bearer token, or the tokenless
//     in-process agent (local) when the batch comes from a probe receiver
//     of the same collector (package inprocess). Anything else is rejected
//     as unauthenticated: a remote caller without a token can never act as
//     local;
//  2. decodes every record as a probe result (internal/resultschema);
//     records that are not one, or lack a required attribute, are malformed;
//  3. hands the results to the engine, which rejects those naming another
//     agent (agent_mismatch), an unknown endpoint or one the agent does not
//     monitor, and decides on the rest;
//  4. passes the accepted result records on, unchanged, so exporters can
//     archive them. Rejected records are dropped. Every transition of the
//     quorum is emitted as its own log record (see transition.go).
//
// Records for an endpoint that is unknown or not assigned to the agent are
// dropped and counted but the batch succeeds: the agent learns of the
// change at its next assignments poll, and an error would hold its queue.
// When other records were rejected the batch fails with PermissionDenied
// (HTTP 403, a record naming another agent), or InvalidArgument (400) when
// they were only malformed, naming the counts: the agent's exporter logs it
// and does not resend (the accepted records were processed). The accepted
// results are written before the batch is answered, in a transaction shared
// with concurrent batches; when that write fails the batch fails with a
// permanent error (HTTP 500). A rate-limited request fails with
// ResourceExhausted and a retry delay (HTTP 429 with Retry-After) when the
// quorate_central middleware did not already answer it.
package quorum // import "github.com/quorate/quorate/quorum"
