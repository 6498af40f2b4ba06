// Package dashboards holds Quorate's Prometheus rules, Grafana dashboards and
// Grafana provisioning files (see README.md). It has no Go code of its own:
// its tests check those files with promtool and against docs/metrics.md, so
// that rules and dashboards cannot drift from the metrics the central
// exports.
package dashboards
