// Package assignments keeps an agent's endpoint list in step with the
// central: a Client fetches GET /api/v1/agents/{agentId}/assignments with
// If-None-Match, a Poller repeats that on the refresh interval with backoff
// and hands each new version to the receiver, and a disk cache lets an agent
// restarted during a central outage probe its last assignments.
package assignments

import "github.com/quorate/quorate/internal/endpoint"

// Snapshot is one version of an agent's assignments. Its JSON is the body of
// the central's 200 answer (quorum/internal/api.AssignmentsResponse), so the
// same type decodes the answer and is stored in the cache.
type Snapshot struct {
	AgentID string `json:"agent_id"`
	// Checksum is the central's SHA-256 of the assignments, also the ETag.
	Checksum string `json:"checksum"`
	// Endpoints are the Gatus endpoints to probe; time.Durations (interval,
	// client.timeout) are integer nanoseconds in JSON.
	Endpoints []endpoint.Endpoint `json:"endpoints"`
}
