package store

import (
	"context"
	"fmt"
)

// sqliteMigrations build Quorate's schema on top of Gatus's. Version 1 is
// Gatus's own schema, so a fresh database and an upgraded Gatus database go
// through the same steps and end up identical.
var sqliteMigrations = []migration{
	{version: 1, name: "gatus_baseline", preserve: gatusTables, up: sqliteGatusBaseline},
	{version: 2, name: "agents_and_endpoint_checksums", preserve: []string{"endpoints"}, up: sqliteAgents},
	{version: 3, name: "results_per_agent", preserve: []string{"endpoint_results", "endpoint_result_conditions"}, up: sqliteResultsPerAgent},
	{version: 4, name: "events_per_agent", preserve: []string{"endpoint_events"}, up: sqliteEventsPerAgent},
	{version: 5, name: "triggered_per_agent", preserve: []string{"endpoint_alerts_triggered"}, up: sqliteTriggeredPerAgent},
	{version: 6, name: "uptimes_per_agent", preserve: []string{"endpoint_uptimes"}, up: sqliteUptimesPerAgent},
	{version: 7, name: "quorum_states", up: sqliteQuorumStates},
	{version: 8, name: "dashboard_columns", up: dashboardColumns},
	{version: 9, name: "dashboard_indexes", up: dashboardIndexes},
	{version: 10, name: "endpoint_agents", up: sqliteEndpointAgents},
}

// sqliteGatusBaseline creates Gatus's tables where missing and adds the
// columns older Gatus versions lack.
func sqliteGatusBaseline(ctx context.Context, d db) error {
	if err := execAll(ctx, d,
		`CREATE TABLE IF NOT EXISTS suites (
			suite_id    INTEGER PRIMARY KEY,
			suite_key   TEXT UNIQUE,
			suite_name  TEXT NOT NULL,
			suite_group TEXT NOT NULL,
			UNIQUE(suite_name, suite_group))`,
		`CREATE TABLE IF NOT EXISTS suite_results (
			suite_result_id  INTEGER PRIMARY KEY,
			suite_id         INTEGER   NOT NULL REFERENCES suites(suite_id) ON DELETE CASCADE,
			success          INTEGER   NOT NULL,
			errors           TEXT      NOT NULL,
			duration         INTEGER   NOT NULL,
			timestamp        TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoints (
			endpoint_id    INTEGER PRIMARY KEY,
			endpoint_key   TEXT UNIQUE,
			endpoint_name  TEXT NOT NULL,
			endpoint_group TEXT NOT NULL,
			UNIQUE(endpoint_name, endpoint_group))`,
		`CREATE TABLE IF NOT EXISTS endpoint_events (
			endpoint_event_id  INTEGER PRIMARY KEY,
			endpoint_id        INTEGER   NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			event_type         TEXT      NOT NULL,
			event_timestamp    TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoint_results (
			endpoint_result_id     INTEGER PRIMARY KEY,
			endpoint_id            INTEGER   NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			success                INTEGER   NOT NULL,
			errors                 TEXT      NOT NULL,
			connected              INTEGER   NOT NULL,
			status                 INTEGER   NOT NULL,
			dns_rcode              TEXT      NOT NULL,
			certificate_expiration INTEGER   NOT NULL,
			domain_expiration      INTEGER   NOT NULL,
			hostname               TEXT      NOT NULL,
			ip                     TEXT      NOT NULL,
			duration               INTEGER   NOT NULL,
			timestamp              TIMESTAMP NOT NULL,
			suite_result_id        INTEGER   REFERENCES suite_results(suite_result_id) ON DELETE CASCADE)`,
		`CREATE TABLE IF NOT EXISTS endpoint_result_conditions (
			endpoint_result_condition_id  INTEGER PRIMARY KEY,
			endpoint_result_id            INTEGER NOT NULL REFERENCES endpoint_results(endpoint_result_id) ON DELETE CASCADE,
			condition                     TEXT    NOT NULL,
			success                       INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoint_uptimes (
			endpoint_uptime_id    INTEGER PRIMARY KEY,
			endpoint_id           INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			hour_unix_timestamp   INTEGER NOT NULL,
			total_executions      INTEGER NOT NULL,
			successful_executions INTEGER NOT NULL,
			total_response_time   INTEGER NOT NULL,
			UNIQUE(endpoint_id, hour_unix_timestamp))`,
		`CREATE TABLE IF NOT EXISTS endpoint_alerts_triggered (
			endpoint_alert_trigger_id     INTEGER PRIMARY KEY,
			endpoint_id                   INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			configuration_checksum        TEXT    NOT NULL,
			resolve_key                   TEXT    NOT NULL,
			number_of_successes_in_a_row  INTEGER NOT NULL,
			UNIQUE(endpoint_id, configuration_checksum))`,
	); err != nil {
		return err
	}
	// Columns Gatus added over time, with the defaults Gatus gave them.
	for _, c := range []struct{ name, def string }{
		{"domain_expiration", "INTEGER NOT NULL DEFAULT 0"},
		{"suite_result_id", "INTEGER REFERENCES suite_results(suite_result_id) ON DELETE CASCADE"},
	} {
		has, err := hasColumn(ctx, d, sqliteCatalog, "endpoint_results", c.name)
		if err != nil {
			return err
		}
		if !has {
			if err := execAll(ctx, d, fmt.Sprintf("ALTER TABLE endpoint_results ADD COLUMN %s %s", c.name, c.def)); err != nil {
				return err
			}
		}
	}
	return execAll(ctx, d,
		`CREATE INDEX IF NOT EXISTS endpoint_results_endpoint_id_idx ON endpoint_results (endpoint_id)`,
		`CREATE INDEX IF NOT EXISTS endpoint_uptimes_endpoint_id_idx ON endpoint_uptimes (endpoint_id)`,
		`CREATE INDEX IF NOT EXISTS endpoint_result_conditions_endpoint_result_id_idx ON endpoint_result_conditions (endpoint_result_id)`,
		`CREATE INDEX IF NOT EXISTS suite_results_suite_id_idx ON suite_results (suite_id)`,
		`CREATE INDEX IF NOT EXISTS endpoint_results_suite_result_id_idx ON endpoint_results (suite_result_id)`,
	)
}

func sqliteAgents(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`CREATE TABLE agents (
			agent_id   TEXT PRIMARY KEY,
			agent_name TEXT NOT NULL DEFAULT '',
			last_seen  TIMESTAMP)`,
		`ALTER TABLE endpoints ADD COLUMN configuration_checksum TEXT NOT NULL DEFAULT ''`,
	)
}

// sqliteResultsPerAgent rebuilds endpoint_results with agent_id; Gatus's rows
// become results of the agent "local". Older Gatus versions left columns
// nullable; NULLs become Gatus's zero values.
func sqliteResultsPerAgent(ctx context.Context, d db) error {
	return rebuildSQLiteTable(ctx, d, tableRebuild{
		Table: "endpoint_results",
		Columns: []rebuildColumn{
			{Name: "endpoint_result_id", Def: "INTEGER PRIMARY KEY"},
			{Name: "endpoint_id", Def: "INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE"},
			{Name: "agent_id", Def: "TEXT NOT NULL", From: "'" + LocalAgentID + "'"},
			{Name: "success", Def: "INTEGER NOT NULL", From: "COALESCE(success, 0)", Sources: []string{"success"}},
			{Name: "errors", Def: "TEXT NOT NULL", From: "COALESCE(errors, '')", Sources: []string{"errors"}},
			{Name: "connected", Def: "INTEGER NOT NULL", From: "COALESCE(connected, 0)", Sources: []string{"connected"}},
			{Name: "status", Def: "INTEGER NOT NULL", From: "COALESCE(status, 0)", Sources: []string{"status"}},
			{Name: "dns_rcode", Def: "TEXT NOT NULL", From: "COALESCE(dns_rcode, '')", Sources: []string{"dns_rcode"}},
			{Name: "certificate_expiration", Def: "INTEGER NOT NULL", From: "COALESCE(certificate_expiration, 0)", Sources: []string{"certificate_expiration"}},
			{Name: "domain_expiration", Def: "INTEGER NOT NULL DEFAULT 0", From: "COALESCE(domain_expiration, 0)", Sources: []string{"domain_expiration"}},
			{Name: "hostname", Def: "TEXT NOT NULL", From: "COALESCE(hostname, '')", Sources: []string{"hostname"}},
			{Name: "ip", Def: "TEXT NOT NULL", From: "COALESCE(ip, '')", Sources: []string{"ip"}},
			{Name: "duration", Def: "INTEGER NOT NULL", From: "COALESCE(duration, 0)", Sources: []string{"duration"}},
			{Name: "timestamp", Def: "TIMESTAMP NOT NULL"},
			{Name: "suite_result_id", Def: "INTEGER REFERENCES suite_results(suite_result_id) ON DELETE CASCADE"},
			// Some Gatus versions record the endpoint's state with each result.
			{Name: "state", Def: "TEXT NOT NULL DEFAULT ''", From: "COALESCE(state, '')", Sources: []string{"state"}, IfPresent: true},
		},
		// Gatus's index on endpoint_id is a prefix of the per-agent one, and
		// suite_result_id is NULL for every result Quorate writes.
		Indexes: []string{
			`CREATE INDEX endpoint_results_suite_result_id_idx ON endpoint_results (suite_result_id) WHERE suite_result_id IS NOT NULL`,
			`CREATE INDEX endpoint_results_endpoint_agent_time_idx ON endpoint_results (endpoint_id, agent_id, timestamp)`,
			`CREATE INDEX endpoint_results_timestamp_idx ON endpoint_results (timestamp)`,
		},
	})
}

// sqliteEventsPerAgent rebuilds endpoint_events: agent-wide events have no
// endpoint, and events carry the agent and JSON details. Gatus's events were
// derived from the local agent's results.
func sqliteEventsPerAgent(ctx context.Context, d db) error {
	return rebuildSQLiteTable(ctx, d, tableRebuild{
		Table: "endpoint_events",
		Columns: []rebuildColumn{
			{Name: "endpoint_event_id", Def: "INTEGER PRIMARY KEY"},
			{Name: "endpoint_id", Def: "INTEGER REFERENCES endpoints(endpoint_id) ON DELETE CASCADE"},
			{Name: "agent_id", Def: "TEXT", From: "'" + LocalAgentID + "'"},
			{Name: "event_type", Def: "TEXT NOT NULL", From: "COALESCE(event_type, '')", Sources: []string{"event_type"}},
			{Name: "event_timestamp", Def: "TIMESTAMP NOT NULL"},
			{Name: "details", Def: "TEXT", From: "NULL"},
		},
		Indexes: []string{
			`CREATE INDEX endpoint_events_endpoint_time_idx ON endpoint_events (endpoint_id, event_timestamp)`,
			`CREATE INDEX endpoint_events_timestamp_idx ON endpoint_events (event_timestamp)`,
		},
	})
}

// sqliteTriggeredPerAgent rebuilds endpoint_alerts_triggered to hold one run
// per (endpoint, alert checksum, agent). Gatus only kept triggered alerts, so
// its rows are triggered runs of the agent "local".
func sqliteTriggeredPerAgent(ctx context.Context, d db) error {
	return rebuildSQLiteTable(ctx, d, tableRebuild{
		Table: "endpoint_alerts_triggered",
		Columns: []rebuildColumn{
			{Name: "endpoint_alert_trigger_id", Def: "INTEGER PRIMARY KEY"},
			{Name: "endpoint_id", Def: "INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE"},
			{Name: "configuration_checksum", Def: "TEXT NOT NULL"},
			{Name: "agent_id", Def: "TEXT NOT NULL", From: "'" + LocalAgentID + "'"},
			{Name: "resolve_key", Def: "TEXT NOT NULL DEFAULT ''", From: "COALESCE(resolve_key, '')", Sources: []string{"resolve_key"}},
			{Name: "number_of_failures_in_a_row", Def: "INTEGER NOT NULL DEFAULT 0", From: "0"},
			{Name: "number_of_successes_in_a_row", Def: "INTEGER NOT NULL DEFAULT 0", From: "COALESCE(number_of_successes_in_a_row, 0)", Sources: []string{"number_of_successes_in_a_row"}},
			{Name: "triggered", Def: "INTEGER NOT NULL DEFAULT 0", From: "1"},
			{Name: "triggered_since", Def: "TIMESTAMP", From: "NULL"},
			{Name: "updated_at", Def: "TIMESTAMP", From: "NULL"},
		},
		Constraints: []string{"UNIQUE(endpoint_id, configuration_checksum, agent_id)"},
	})
}

// sqliteUptimesPerAgent adds per-agent hourly buckets, seeded with Gatus's
// buckets as the local agent's.
func sqliteUptimesPerAgent(ctx context.Context, d db) error {
	if err := execAll(ctx, d,
		`CREATE TABLE endpoint_agent_uptimes (
			endpoint_agent_uptime_id INTEGER PRIMARY KEY,
			endpoint_id              INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			agent_id                 TEXT    NOT NULL,
			hour_unix_timestamp      INTEGER NOT NULL,
			total_executions         INTEGER NOT NULL,
			successful_executions    INTEGER NOT NULL,
			total_response_time      INTEGER NOT NULL,
			UNIQUE(endpoint_id, agent_id, hour_unix_timestamp))`,
		`INSERT INTO endpoint_agent_uptimes (endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
			SELECT endpoint_id, '`+LocalAgentID+`', hour_unix_timestamp, total_executions, successful_executions, total_response_time
			FROM endpoint_uptimes ORDER BY endpoint_uptime_id`,
	); err != nil {
		return err
	}
	return sameCount(ctx, d, "endpoint_uptimes", "endpoint_agent_uptimes")
}

func sqliteQuorumStates(ctx context.Context, d db) error {
	return execAll(ctx, d, `CREATE TABLE quorum_states (
		endpoint_id            INTEGER   NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		alert_index            INTEGER   NOT NULL,
		configuration_checksum TEXT      NOT NULL DEFAULT '',
		firing                 INTEGER   NOT NULL,
		degraded               INTEGER   NOT NULL,
		fired_at               TIMESTAMP,
		last_reminder_at       TIMESTAMP,
		triggered_count        INTEGER   NOT NULL,
		reporting_count        INTEGER   NOT NULL,
		updated_at             TIMESTAMP NOT NULL,
		PRIMARY KEY (endpoint_id, alert_index))`)
}

// sqliteEndpointAgents records which agents monitor each endpoint
// (monitored-by), so that readers list an agent that monitors an endpoint
// before it reports anything (see ReplaceAssignments).
func sqliteEndpointAgents(ctx context.Context, d db) error {
	return execAll(ctx, d, `CREATE TABLE endpoint_agents (
		endpoint_id INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		agent_id    TEXT    NOT NULL,
		PRIMARY KEY (endpoint_id, agent_id)) WITHOUT ROWID`)
}

// sameCount fails when a table seeded from another has a different number
// of rows.
func sameCount(ctx context.Context, d db, from, to string) error {
	a, err := countTable(ctx, d, from)
	if err != nil {
		return err
	}
	b, err := countTable(ctx, d, to)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("%s has %d rows but %d were seeded into %s", from, a, b, to)
	}
	return nil
}

// dashboardColumns stores what the Grafana plugin shows beside the state
// machine's own columns: each agent's stale-after (the plugin derives
// Stale/Healthy from it and last_seen the way the central does) and each
// quorum's K and M. The same DDL holds for both dialects; 0 means "written
// before version 8", until the central next saves the row.
func dashboardColumns(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`ALTER TABLE agents ADD COLUMN stale_after_ms BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE quorum_states ADD COLUMN agent_quorum INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE quorum_states ADD COLUMN monitors_count INTEGER NOT NULL DEFAULT 0`,
	)
}

// dashboardIndexes serve the Grafana plugin's failures query
// (Reader.Failures): the newest failed results of a time range, of all
// endpoints or of some. Without them the newest failures are looked for
// among every result of the range, which for a healthy system, or an
// endpoint with fewer failures than the limit, means reading all of its
// results. They are partial, failures being a few percent of results, so
// they are small and cost writes little. Same DDL for both dialects.
// Reading results by time needs no index of its own: docs/benchmarks.md,
// "Grafana plugin queries", has the figures and why.
func dashboardIndexes(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`CREATE INDEX endpoint_results_failed_endpoint_time_idx ON endpoint_results (endpoint_id, timestamp) WHERE NOT success`,
		`CREATE INDEX endpoint_results_failed_time_idx ON endpoint_results (timestamp) WHERE NOT success`,
	)
}
