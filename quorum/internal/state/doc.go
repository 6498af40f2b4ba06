// Package state is the K-of-M quorum state machine of the central: pure
// logic with no I/O and no clock. Every time is passed in, and every
// transition comes back as an Event from the call that caused it.
//
// # Per agent (Gatus semantics)
//
// For each (endpoint, agent) the machine counts failures and successes in a
// row exactly as Gatus does for one endpoint: a failure resets the success
// run, a success resets the failure run. For each enabled alert of the
// endpoint, the agent becomes triggered when its failure run reaches the
// alert's failure-threshold, and clears when, while triggered, its success
// run reaches the success-threshold. The runs are shared by the alerts of an
// endpoint; the triggered flag is per alert, as in Gatus.
//
// # Per alert: the quorum
//
// Each enabled alert has its own quorum K (agent-quorum) over the M agents
// of monitored-by, and its own state: several alerts of one endpoint (say
// slack at K=1 and pagerduty at K=2) fire independently.
//
//   - Fired: at least K agents that are reporting are triggered.
//   - Resolved: fewer than K agents remain triggered. A stale agent keeps
//     its last verdict here, so an incident is never resolved by agents
//     going silent (the outage that triggers them may also cut them off).
//   - Degraded: not firing, and at least one but fewer than K reporting
//     agents are triggered. DegradedCleared when that stops, including just
//     before Fired.
//   - Reminder: while firing, on a failed result from an agent whose failure
//     run is at or above the threshold (Gatus sends reminders only on failed
//     evaluations), when minimum-reminder-interval has passed since the
//     alert's last Fired or Reminder. Reminders are paced per alert quorum,
//     not per agent. (Gatus keeps one reminder clock per endpoint shared by
//     its alerts; per alert lets each alert keep its own pace.)
//
// # Staleness
//
// The machine tracks when each agent was last seen (Observe, Touch) and
// Tick(now) marks an agent stale once it has been silent for its
// stale-after; its first result after that marks it back. A stale agent is
// unknown: it counts neither as triggered nor as healthy, and Reporting
// counts only agents that are not stale. When Reporting < K the alert
// cannot reach quorum (QuorumStatus.CannotReachQuorum). An agent never seen
// gets stale-after from the first Tick; after Restore the same grace starts
// again, so a central that was down does not mark every agent stale at once.
//
// # Maintenance
//
// The caller says whether an endpoint is in maintenance (Observe's
// InMaintenance, Tick's function). Maintenance suppresses Fired, Reminder
// and Resolved; runs, agent transitions and Degraded go on, because probing
// goes on. When the window ends, the next Observe or Tick fires if the
// quorum still holds (or resolves if it no longer does). Gatus instead skips
// alert handling entirely during maintenance, freezing its counters, so it
// needs failure-threshold more failures after the window; Quorate fires at
// the first evaluation after the window because the failures it counted
// during the window are real.
//
// # Configuration changes and restarts
//
// Apply keeps the state of every endpoint whose configuration checksum is
// unchanged, drops removed endpoints and agents without emitting anything
// (Gatus sends no notification for an alert that disappears from its
// config), and resets runs and alert state of an endpoint whose checksum
// changed, as Gatus resets on a config change. Snapshot and Restore carry the
// runs, triggered agents and fired state across a restart: an incident that
// was firing does not fire again.
package state
