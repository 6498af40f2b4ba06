package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// postgresMigrations mirror sqliteMigrations (same versions and names).
// PostgreSQL changes constraints in place with ALTER TABLE, transactionally;
// the runner still checks row counts around each step.
var postgresMigrations = []migration{
	{version: 1, name: "gatus_baseline", preserve: gatusTables, up: postgresGatusBaseline},
	{version: 2, name: "agents_and_endpoint_checksums", preserve: []string{"endpoints"}, up: postgresAgents},
	{version: 3, name: "results_per_agent", preserve: []string{"endpoint_results", "endpoint_result_conditions"}, up: postgresResultsPerAgent},
	{version: 4, name: "events_per_agent", preserve: []string{"endpoint_events"}, up: postgresEventsPerAgent},
	{version: 5, name: "triggered_per_agent", preserve: []string{"endpoint_alerts_triggered"}, up: postgresTriggeredPerAgent},
	{version: 6, name: "uptimes_per_agent", preserve: []string{"endpoint_uptimes"}, up: postgresUptimesPerAgent},
	{version: 7, name: "quorum_states", up: postgresQuorumStates},
	{version: 8, name: "dashboard_columns", up: dashboardColumns},
	{version: 9, name: "dashboard_indexes", up: dashboardIndexes},
	{version: 10, name: "endpoint_agents", up: postgresEndpointAgents},
}

// postgresGatusBaseline creates Gatus's tables where missing and adds the
// columns older Gatus versions lack.
func postgresGatusBaseline(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`CREATE TABLE IF NOT EXISTS suites (
			suite_id    BIGSERIAL PRIMARY KEY,
			suite_key   TEXT UNIQUE,
			suite_name  TEXT NOT NULL,
			suite_group TEXT NOT NULL,
			UNIQUE(suite_name, suite_group))`,
		`CREATE TABLE IF NOT EXISTS suite_results (
			suite_result_id  BIGSERIAL PRIMARY KEY,
			suite_id         BIGINT    NOT NULL REFERENCES suites(suite_id) ON DELETE CASCADE,
			success          BOOLEAN   NOT NULL,
			errors           TEXT      NOT NULL,
			duration         BIGINT    NOT NULL,
			timestamp        TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoints (
			endpoint_id    BIGSERIAL PRIMARY KEY,
			endpoint_key   TEXT UNIQUE,
			endpoint_name  TEXT NOT NULL,
			endpoint_group TEXT NOT NULL,
			UNIQUE(endpoint_name, endpoint_group))`,
		`CREATE TABLE IF NOT EXISTS endpoint_events (
			endpoint_event_id  BIGSERIAL PRIMARY KEY,
			endpoint_id        BIGINT    NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			event_type         TEXT      NOT NULL,
			event_timestamp    TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoint_results (
			endpoint_result_id     BIGSERIAL PRIMARY KEY,
			endpoint_id            BIGINT    NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			success                BOOLEAN   NOT NULL,
			errors                 TEXT      NOT NULL,
			connected              BOOLEAN   NOT NULL,
			status                 BIGINT    NOT NULL,
			dns_rcode              TEXT      NOT NULL,
			certificate_expiration BIGINT    NOT NULL,
			domain_expiration      BIGINT    NOT NULL,
			hostname               TEXT      NOT NULL,
			ip                     TEXT      NOT NULL,
			duration               BIGINT    NOT NULL,
			timestamp              TIMESTAMP NOT NULL,
			suite_result_id        BIGINT    REFERENCES suite_results(suite_result_id) ON DELETE CASCADE)`,
		`CREATE TABLE IF NOT EXISTS endpoint_result_conditions (
			endpoint_result_condition_id  BIGSERIAL PRIMARY KEY,
			endpoint_result_id            BIGINT  NOT NULL REFERENCES endpoint_results(endpoint_result_id) ON DELETE CASCADE,
			condition                     TEXT    NOT NULL,
			success                       BOOLEAN NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS endpoint_uptimes (
			endpoint_uptime_id     BIGSERIAL PRIMARY KEY,
			endpoint_id            BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			hour_unix_timestamp    BIGINT NOT NULL,
			total_executions       BIGINT NOT NULL,
			successful_executions  BIGINT NOT NULL,
			total_response_time    BIGINT NOT NULL,
			UNIQUE(endpoint_id, hour_unix_timestamp))`,
		`CREATE TABLE IF NOT EXISTS endpoint_alerts_triggered (
			endpoint_alert_trigger_id     BIGSERIAL PRIMARY KEY,
			endpoint_id                   BIGINT    NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			configuration_checksum        TEXT      NOT NULL,
			resolve_key                   TEXT      NOT NULL,
			number_of_successes_in_a_row  INTEGER   NOT NULL,
			UNIQUE(endpoint_id, configuration_checksum))`,
		// Columns Gatus added over time, with the defaults Gatus gave them.
		`ALTER TABLE endpoint_results ADD COLUMN IF NOT EXISTS domain_expiration BIGINT NOT NULL DEFAULT 0`,
		`ALTER TABLE endpoint_results ADD COLUMN IF NOT EXISTS suite_result_id BIGINT REFERENCES suite_results(suite_result_id) ON DELETE CASCADE`,
		`CREATE INDEX IF NOT EXISTS suite_results_suite_id_idx ON suite_results (suite_id)`,
		`CREATE INDEX IF NOT EXISTS endpoint_results_suite_result_id_idx ON endpoint_results (suite_result_id)`,
	)
}

func postgresAgents(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`CREATE TABLE agents (
			agent_id   TEXT PRIMARY KEY,
			agent_name TEXT NOT NULL DEFAULT '',
			last_seen  TIMESTAMPTZ)`,
		`ALTER TABLE endpoints ADD COLUMN configuration_checksum TEXT NOT NULL DEFAULT ''`,
	)
}

// postgresResultsPerAgent adds agent_id: the default fills Gatus's rows with
// "local" without rewriting the table, then is dropped so that every new
// result names its agent. Indexes serve retention per (endpoint, agent), age
// retention, and deleting the conditions of pruned results.
//
// It also drops Gatus's foreign key from condition results to results: its
// per-row check took more than a third of the server's time when copying
// results, and Prune deletes condition results itself.
func postgresResultsPerAgent(ctx context.Context, d db) error {
	if err := dropForeignKeys(ctx, d, "endpoint_result_conditions", "endpoint_results"); err != nil {
		return err
	}
	if err := execAll(ctx, d,
		`ALTER TABLE endpoint_results ADD COLUMN agent_id TEXT NOT NULL DEFAULT '`+LocalAgentID+`'`,
		`ALTER TABLE endpoint_results ALTER COLUMN agent_id DROP DEFAULT`,
		`CREATE INDEX endpoint_results_endpoint_agent_time_idx ON endpoint_results (endpoint_id, agent_id, timestamp)`,
		`CREATE INDEX endpoint_results_timestamp_idx ON endpoint_results (timestamp)`,
		`CREATE INDEX IF NOT EXISTS endpoint_result_conditions_endpoint_result_id_idx ON endpoint_result_conditions (endpoint_result_id)`,
	); err != nil {
		return err
	}
	// Some Gatus versions record the endpoint's state with each result.
	has, err := hasColumn(ctx, d, postgresCatalog, "endpoint_results", "state")
	if err != nil || !has {
		return err
	}
	return execAll(ctx, d, `ALTER TABLE endpoint_results ALTER COLUMN state SET DEFAULT ''`)
}

func postgresEventsPerAgent(ctx context.Context, d db) error {
	return execAll(ctx, d,
		`ALTER TABLE endpoint_events ALTER COLUMN endpoint_id DROP NOT NULL`,
		`ALTER TABLE endpoint_events ADD COLUMN agent_id TEXT DEFAULT '`+LocalAgentID+`'`,
		`ALTER TABLE endpoint_events ALTER COLUMN agent_id DROP DEFAULT`,
		`ALTER TABLE endpoint_events ADD COLUMN details JSONB`,
		`CREATE INDEX endpoint_events_endpoint_time_idx ON endpoint_events (endpoint_id, event_timestamp)`,
		`CREATE INDEX endpoint_events_timestamp_idx ON endpoint_events (event_timestamp)`,
	)
}

// postgresTriggeredPerAgent makes triggered rows unique per agent. Gatus only
// kept triggered alerts, so its rows become triggered runs of "local".
func postgresTriggeredPerAgent(ctx context.Context, d db) error {
	if err := execAll(ctx, d,
		`ALTER TABLE endpoint_alerts_triggered ADD COLUMN agent_id TEXT NOT NULL DEFAULT '`+LocalAgentID+`'`,
		`ALTER TABLE endpoint_alerts_triggered ALTER COLUMN agent_id DROP DEFAULT`,
		`ALTER TABLE endpoint_alerts_triggered ADD COLUMN number_of_failures_in_a_row INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE endpoint_alerts_triggered ADD COLUMN triggered BOOLEAN NOT NULL DEFAULT TRUE`,
		`ALTER TABLE endpoint_alerts_triggered ALTER COLUMN triggered SET DEFAULT FALSE`,
		`ALTER TABLE endpoint_alerts_triggered ADD COLUMN triggered_since TIMESTAMPTZ`,
		`ALTER TABLE endpoint_alerts_triggered ADD COLUMN updated_at TIMESTAMPTZ`,
		`ALTER TABLE endpoint_alerts_triggered ALTER COLUMN resolve_key SET DEFAULT ''`,
		`ALTER TABLE endpoint_alerts_triggered ALTER COLUMN number_of_successes_in_a_row SET DEFAULT 0`,
	); err != nil {
		return err
	}
	// Gatus's UNIQUE(endpoint_id, configuration_checksum) has a generated name.
	if err := dropConstraints(ctx, d, "endpoint_alerts_triggered", `SELECT conname FROM pg_constraint
		WHERE conrelid = 'endpoint_alerts_triggered'::regclass AND contype = 'u'`); err != nil {
		return err
	}
	return execAll(ctx, d, `ALTER TABLE endpoint_alerts_triggered
		ADD CONSTRAINT endpoint_alerts_triggered_endpoint_checksum_agent_key UNIQUE (endpoint_id, configuration_checksum, agent_id)`)
}

func postgresUptimesPerAgent(ctx context.Context, d db) error {
	if err := execAll(ctx, d,
		`CREATE TABLE endpoint_agent_uptimes (
			endpoint_agent_uptime_id BIGSERIAL PRIMARY KEY,
			endpoint_id              BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
			agent_id                 TEXT   NOT NULL,
			hour_unix_timestamp      BIGINT NOT NULL,
			total_executions         BIGINT NOT NULL,
			successful_executions    BIGINT NOT NULL,
			total_response_time      BIGINT NOT NULL,
			UNIQUE(endpoint_id, agent_id, hour_unix_timestamp))`,
		`INSERT INTO endpoint_agent_uptimes (endpoint_id, agent_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time)
			SELECT endpoint_id, '`+LocalAgentID+`', hour_unix_timestamp, total_executions, successful_executions, total_response_time
			FROM endpoint_uptimes ORDER BY endpoint_uptime_id`,
	); err != nil {
		return err
	}
	return sameCount(ctx, d, "endpoint_uptimes", "endpoint_agent_uptimes")
}

func postgresQuorumStates(ctx context.Context, d db) error {
	return execAll(ctx, d, `CREATE TABLE quorum_states (
		endpoint_id            BIGINT      NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		alert_index            INTEGER     NOT NULL,
		configuration_checksum TEXT        NOT NULL DEFAULT '',
		firing                 BOOLEAN     NOT NULL,
		degraded               BOOLEAN     NOT NULL,
		fired_at               TIMESTAMPTZ,
		last_reminder_at       TIMESTAMPTZ,
		triggered_count        INTEGER     NOT NULL,
		reporting_count        INTEGER     NOT NULL,
		updated_at             TIMESTAMPTZ NOT NULL,
		PRIMARY KEY (endpoint_id, alert_index))`)
}

// postgresEndpointAgents records which agents monitor each endpoint
// (monitored-by), so that readers list an agent that monitors an endpoint
// before it reports anything (see ReplaceAssignments).
func postgresEndpointAgents(ctx context.Context, d db) error {
	return execAll(ctx, d, `CREATE TABLE endpoint_agents (
		endpoint_id BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		agent_id    TEXT   NOT NULL,
		PRIMARY KEY (endpoint_id, agent_id))`)
}

// dropForeignKeys drops the foreign keys of table that reference parent.
func dropForeignKeys(ctx context.Context, d db, table, parent string) error {
	return dropConstraints(ctx, d, table, `SELECT conname FROM pg_constraint
		WHERE conrelid = '`+table+`'::regclass AND confrelid = '`+parent+`'::regclass AND contype = 'f'`)
}

// dropConstraints drops the constraints of table that query names.
func dropConstraints(ctx context.Context, d db, table, query string) error {
	rs, err := d.query(ctx, query)
	if err != nil {
		return err
	}
	var names []string
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			rs.Close()
			return err
		}
		names = append(names, n)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if err := execAll(ctx, d, `ALTER TABLE `+table+` DROP CONSTRAINT `+pgx.Identifier{n}.Sanitize()); err != nil {
			return err
		}
	}
	return nil
}
