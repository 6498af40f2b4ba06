// Package push sends log batches to the Quorate central as OTLP/HTTP
// protobuf requests and sorts central's answer into what the agent
// exporter must do next: forget the batch, retry it, or pause because
// central refuses the agent's credentials.
package push
