//go:generate go tool mdatagen metadata.yaml

// Package agentexporter is the `agent` exporter: it pushes an agent's probe
// results (log records) to the Quorate central over OTLP/HTTP with the
// agent's bearer token, stamping quorate.agent.id on every resource.
//
// ConsumeLogs never waits for the network: records go into a bounded FIFO
// (internal/queue) that drops the oldest records when full and counts them;
// one sender goroutine drains it in order, retrying the same batch with
// backoff until central takes it (internal/push speaks OTLP/HTTP).
package agentexporter // import "github.com/quorate/quorate/agentexporter"
