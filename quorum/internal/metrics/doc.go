// Package metrics holds the central's product metrics: the quorum state of
// every endpoint and agent and the flow of probe results, as Prometheus
// metrics for PromQL dashboards and alerting rules. docs/metrics.md
// documents every metric; a test keeps that table and the code in step.
//
// The metrics live in their own prometheus.Registry, served by Handler on
// the central's metrics endpoint. It holds product metrics only: the Go
// runtime and process metrics of the binary belong to the collector's own
// telemetry (service::telemetry), which already exports them, and mixing
// them in here would duplicate those series and tie the product schema to
// the runtime's.
//
// # Cardinality
//
// Series labelled with endpoint_key and agent_id exist only for pairs that
// are assigned: SetEndpoint creates them for the endpoint's monitored-by
// agents and drops the pairs that left that list, ObserveResult is called
// only for accepted results, and Forget drops everything of removed
// endpoints and agents.
//
// # Unknown is absent
//
// A value the central does not know is not exported, rather than exported
// as 0: an agent never seen has no last-seen timestamp, a stale agent has
// no per-endpoint success or triggered series until it is heard from
// again, and an endpoint without an enabled alert has no alert series.
// This matches how Prometheus itself treats a target that stopped
// answering (its series go stale), so `== 0` never matches an unknown.
//
// # Hot path
//
// ObserveResult runs for every accepted result. The counter, histogram and
// gauge children of each (endpoint, agent) pair are looked up once and
// cached in a sync.Map, so a call costs a map load and a few atomic
// operations, without allocating.
package metrics
