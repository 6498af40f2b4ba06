// Package alertmanager posts the quorum's incidents to Prometheus
// Alertmanager's API v2 (POST /api/v2/alerts), the direct path for exact
// timing: no scrape interval and no rule evaluation between a quorum
// firing and Alertmanager knowing of it.
//
// # One alert per endpoint alert
//
// An incident is one Alertmanager alert whatever the number of agents: its
// labels name the endpoint and the alert (alertname QuorateQuorumFiring,
// endpoint_key, endpoint_name, endpoint_group, alert_type, alert_index,
// send_on_resolved, plus configured extra labels) and never an agent. The
// agents are detail in the annotations: which are triggered, which are
// stale, and what each triggered one last saw failing. Annotations are
// refreshed at every post; labels are fixed for the incident's life.
//
//   - Fired: posted with startsAt = the time it fired.
//   - Reminder: posted again (same labels). Alertmanager dedupes it; whether
//     people hear of it again is its repeat_interval's decision.
//   - Resolved: posted with endsAt = the time it resolved.
//   - Every resend interval, every firing alert is posted again with endsAt
//     four intervals ahead (as Prometheus does), so Alertmanager resolves
//     it on its own only if the central stops posting.
//
// # send-on-resolved
//
// The resolution is always posted, whatever send-on-resolved says.
// Alertmanager holds the state that silences, inhibitions and its UI use;
// leaving a resolved alert unposted would not spare anyone a notification
// either, since Alertmanager resolves it anyway when its endsAt passes and
// then notifies receivers that have send_resolved. Whether a resolution is
// notified is a receiver's send_resolved setting in Alertmanager, so the
// alert carries send_on_resolved="true" or "false" and a route matching
// send_on_resolved="false" to a receiver with send_resolved: false honours
// the Gatus setting exactly (see the extension's README).
//
// # Delivery
//
// The engine calls Sink on the goroutine that caused the transition; Sink
// only records the newest version of each alert in a map and wakes one
// posting goroutine, so probes are never held up by Alertmanager. Posts that
// fail on the network, time out or get 429/5xx are retried with backoff
// (1s doubling, at most the resend interval or 30s); a newer version of an
// alert replaces an older one still waiting, so a resolution never goes
// before the firing it ends. The map holds at most one entry per alert and
// is capped; beyond the cap new alerts are dropped and that is logged once.
// A 4xx other than 429 means Alertmanager refused the alerts: logged and
// dropped. URLs are logged with any password redacted.
//
// Every resend interval the firing alerts are also reconciled with the
// engine: alerts restored firing after a restart are posted, and one that
// stopped firing without a Resolved (its endpoint was removed from the
// monitoring config, or reset by a change to it) is resolved.
package alertmanager
