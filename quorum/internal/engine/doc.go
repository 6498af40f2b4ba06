// Package engine is the central's decision core: it owns the monitoring
// config (and its reloads), the agent authenticator, the K-of-M state
// machine, the store and the product metrics, and keeps them in step.
//
// The quorate_central extension opens one Engine, serves its API and
// metrics, authenticates OTLP requests with it and ticks it; the quorum
// processor feeds it the probe results of authenticated agents (Ingest) and
// emits its transitions downstream (Subscribe).
//
// # Who owns which state
//
//   - The monitoring Watcher owns the config; every call reads the current
//     one once and uses it throughout.
//   - The state Machine owns runs, triggered agents, quorum state and agent
//     liveness in memory; it is the only place decisions are made.
//   - The Store holds a copy of that state for restarts, the results, and
//     the events. Everything is written by the committer (commit.go), which
//     groups what concurrent requests hand it into one transaction. A
//     request's results, its transitions, the quorum state of the endpoints
//     that had one and the runs of agents whose triggered flag changed are
//     written before Ingest returns and before the transitions reach the
//     sinks (so an acknowledged result survives a crash, and a restart after
//     a Fired never fires again). Each Tick writes the runs that merely
//     moved, agents' last contact and the hourly uptime sums kept in the
//     store's memory: a crash loses at most one tick of run progress, which
//     the next results make up, and of uptime counts.
//   - For readers of the store (the Grafana plugin), Open (after restore)
//     and every reload record the assignments (each enabled endpoint's
//     monitored-by) and write the quorum row of every enabled alert, so
//     that K, M and the reporting count are there before any transition;
//     afterwards a row is rewritten whenever its endpoint has a transition
//     or one of its agents goes stale or comes back (reporting count).
//   - Metrics mirror the machine: each result counts as it is taken, before
//     it is written; the gauges of what a batch changed are set at once, and
//     every Tick sets them all.
//
// # Persisted runs
//
// The store keeps one run row per (endpoint, alert configuration, agent),
// as Gatus does per alert. The engine writes one row per enabled alert
// with the configuration checksum "<endpoint checksum>/<alert index>" and
// that alert's triggered flag; an endpoint without enabled alerts gets one
// row with the bare endpoint checksum. Rows of an older configuration do
// not restore and are deleted on start and reload.
package engine
