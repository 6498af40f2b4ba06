// Package api is the central's agent-facing HTTP API.
//
//	GET /api/v1/agents/{agentId}/assignments
//
// returns the slim probe spec of the enabled endpoints whose monitored-by
// lists the agent: no alerts, no maintenance windows, no agent tokens. Only
// that agent's bearer token is accepted. The checks run in this order:
//
//   - 401 with WWW-Authenticate: Bearer when the token is missing, not a
//     bearer token, or unknown;
//   - 429 with Retry-After (whole seconds, rounded up) when the token's
//     agent has used up its rate-per-second bucket; the bucket is the one
//     its result pushes use, so polling counts against the same budget;
//   - 403 when the path names any other agent, existing or not, so a token
//     only ever answers for itself;
//   - 200 with {"agent_id", "checksum", "endpoints"} and ETag: "<checksum>"
//     (the config's SHA-256 AssignmentsChecksum, a strong validator), or
//     304 with the same ETag and no body when If-None-Match names the
//     current checksum (quoted or not, weak or strong, in a list, or *).
//
// Both carry Cache-Control: no-cache, so an intermediary revalidates on
// every poll, and Vary: Authorization.
//
//	GET /api/v1/agents
//
// lists every agent of the monitoring config, sorted by id, with its name,
// when its last result arrived (RFC 3339, or null when never), whether it
// is stale and its stale-after. It needs no token: it is read-only and holds
// nothing secret (ids and names are labels on every metric the central
// exports too), and dashboards and operators read it without an agent's
// identity. Tokens never appear in any response.
//
// Other methods get 405 with an Allow header, other paths 404; every error
// body is JSON {"error": "..."}. HEAD is served like GET without a body.
package api
