// Package monitoring loads the central's monitoring config: a Gatus config
// file (endpoints, alerts, maintenance) plus the agents that probe it and,
// per endpoint, which agents monitor it and how many must agree.
//
// # Gatus compatibility
//
// A Gatus config loads unchanged. Top-level keys other than endpoints,
// agents and maintenance (alerting providers, ui, web, storage, metrics,
// security, external-endpoints, suites, ...) are accepted and listed in
// Config.Unused so the caller can log them once; an unknown top-level key
// lands there too, because Gatus configs vary by version. Inside endpoints,
// alerts, maintenance windows and agents an unknown key is an error that
// names its path. Alert keys Gatus has but Quorate does not act on
// (provider-override, failover) are accepted and listed in Unused.
//
// Alerts follow Gatus: failure-threshold defaults to 3, success-threshold to
// 2, enabled to true, send-on-resolved to false; minimum-reminder-interval is
// 0 (no reminders) or at least 5m; a description must not contain " or \.
// As in Gatus, `alerting.<type>.default-alert` fills the fields an endpoint's
// alert of that type leaves unset, even though the provider itself is never
// called (Quorate emits transitions as log records; alert types are labels).
// Quorate adds agent-quorum (default 1, at most the number of agents in
// monitored-by).
//
// # Environment variables
//
// ${VAR} and ${env:VAR} are replaced inside values of agents, endpoints,
// maintenance and default-alert blocks, after YAML parsing, so a value can
// never change the file's structure. An unset variable is an error naming
// the variable and the field (never the value). $${ stands for a literal ${.
// Unlike Gatus, $VAR without braces is left as is (bodies often contain $),
// and provider blocks under alerting are not expanded: Quorate does not use
// them, so their variables need not be set on the central.
//
// # Agents
//
// An agent has an id (its agent_id: 1 to 63 lowercase letters, digits, '.',
// '_' or '-', starting with a letter or digit), a name (default: the id), a
// token, a rate-per-second (default 50: requests per second the central
// accepts from it) and a stale-after (default: three times the shortest
// interval of the endpoints it monitors, at least 5m, because an agent
// reports every endpoint on its interval and three missed reports are a
// clear silence).
//
// monitored-by defaults to [local]. When an endpoint uses the agent local
// and no agent local is declared, the config defines it implicitly, without
// a token: only the central's own in-process probe receiver can report as
// local, so a pasted Gatus config runs as it did in Gatus. A declared local
// agent may omit its token for the same meaning; every other agent needs a
// non-empty token of its own.
//
// # Maintenance
//
// Global `maintenance:` and per-endpoint `maintenance-windows:` have Gatus's
// shape (enabled, start "hh:mm", duration up to 24h, IANA timezone, default
// UTC, every: [Monday, ...] naming the day a window starts). A window covers
// [start, start+duration); Gatus excludes the first instant too.
package monitoring
