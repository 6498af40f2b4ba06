package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Gatus's schemas, written from Gatus's storage/store/sql (specific_sqlite.go
// and specific_postgres.go) so that upgrades are tested against the tables
// Gatus really creates.

var gatusSQLiteCurrent = []string{
	`CREATE TABLE suites (suite_id INTEGER PRIMARY KEY, suite_key TEXT UNIQUE, suite_name TEXT NOT NULL, suite_group TEXT NOT NULL, UNIQUE(suite_name, suite_group))`,
	`CREATE TABLE suite_results (suite_result_id INTEGER PRIMARY KEY, suite_id INTEGER NOT NULL REFERENCES suites(suite_id) ON DELETE CASCADE,
		success INTEGER NOT NULL, errors TEXT NOT NULL, duration INTEGER NOT NULL, timestamp TIMESTAMP NOT NULL)`,
	`CREATE TABLE endpoints (endpoint_id INTEGER PRIMARY KEY, endpoint_key TEXT UNIQUE, endpoint_name TEXT NOT NULL, endpoint_group TEXT NOT NULL, UNIQUE(endpoint_name, endpoint_group))`,
	`CREATE TABLE endpoint_events (endpoint_event_id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		event_type TEXT NOT NULL, event_timestamp TIMESTAMP NOT NULL)`,
	`CREATE TABLE endpoint_results (endpoint_result_id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		success INTEGER NOT NULL, errors TEXT NOT NULL, connected INTEGER NOT NULL, status INTEGER NOT NULL, dns_rcode TEXT NOT NULL,
		certificate_expiration INTEGER NOT NULL, domain_expiration INTEGER NOT NULL, hostname TEXT NOT NULL, ip TEXT NOT NULL,
		duration INTEGER NOT NULL, timestamp TIMESTAMP NOT NULL, suite_result_id INTEGER REFERENCES suite_results(suite_result_id) ON DELETE CASCADE)`,
	`CREATE TABLE endpoint_result_conditions (endpoint_result_condition_id INTEGER PRIMARY KEY,
		endpoint_result_id INTEGER NOT NULL REFERENCES endpoint_results(endpoint_result_id) ON DELETE CASCADE, condition TEXT NOT NULL, success INTEGER NOT NULL)`,
	`CREATE TABLE endpoint_uptimes (endpoint_uptime_id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		hour_unix_timestamp INTEGER NOT NULL, total_executions INTEGER NOT NULL, successful_executions INTEGER NOT NULL, total_response_time INTEGER NOT NULL,
		UNIQUE(endpoint_id, hour_unix_timestamp))`,
	`CREATE TABLE endpoint_alerts_triggered (endpoint_alert_trigger_id INTEGER PRIMARY KEY,
		endpoint_id INTEGER NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE, configuration_checksum TEXT NOT NULL,
		resolve_key TEXT NOT NULL, number_of_successes_in_a_row INTEGER NOT NULL, UNIQUE(endpoint_id, configuration_checksum))`,
	`CREATE INDEX endpoint_results_endpoint_id_idx ON endpoint_results (endpoint_id)`,
	`CREATE INDEX endpoint_uptimes_endpoint_id_idx ON endpoint_uptimes (endpoint_id)`,
	`CREATE INDEX endpoint_result_conditions_endpoint_result_id_idx ON endpoint_result_conditions (endpoint_result_id)`,
	`CREATE INDEX suite_results_suite_id_idx ON suite_results (suite_id)`,
	`CREATE INDEX endpoint_results_suite_result_id_idx ON endpoint_results(suite_result_id)`,
}

// gatusSQLiteOld is an earlier Gatus: no NOT NULL constraints, no suites, no
// triggered alerts table, domain_expiration added later without a default.
var gatusSQLiteOld = []string{
	`CREATE TABLE endpoints (endpoint_id INTEGER PRIMARY KEY, endpoint_key TEXT UNIQUE, endpoint_name TEXT, endpoint_group TEXT, UNIQUE(endpoint_name, endpoint_group))`,
	`CREATE TABLE endpoint_events (endpoint_event_id INTEGER PRIMARY KEY, endpoint_id INTEGER REFERENCES endpoints(endpoint_id) ON DELETE CASCADE, event_type TEXT, event_timestamp TIMESTAMP)`,
	`CREATE TABLE endpoint_results (endpoint_result_id INTEGER PRIMARY KEY, endpoint_id INTEGER REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		success INTEGER, errors TEXT, connected INTEGER, status INTEGER, dns_rcode TEXT, certificate_expiration INTEGER,
		hostname TEXT, ip TEXT, duration INTEGER, timestamp TIMESTAMP)`,
	`CREATE TABLE endpoint_result_conditions (endpoint_result_condition_id INTEGER PRIMARY KEY,
		endpoint_result_id INTEGER REFERENCES endpoint_results(endpoint_result_id) ON DELETE CASCADE, condition TEXT, success INTEGER)`,
	`CREATE TABLE endpoint_uptimes (endpoint_uptime_id INTEGER PRIMARY KEY, endpoint_id INTEGER REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		hour_unix_timestamp INTEGER, total_executions INTEGER, successful_executions INTEGER, total_response_time INTEGER, UNIQUE(endpoint_id, hour_unix_timestamp))`,
	`ALTER TABLE endpoint_results ADD domain_expiration INTEGER`,
}

// gatusSQLiteWithState is the current schema of the Gatus versions that
// record an endpoint state with each result.
var gatusSQLiteWithState = withStateColumn(gatusSQLiteCurrent, "state TEXT NOT NULL, ")

var gatusPostgresCurrent = []string{
	`CREATE TABLE suites (suite_id BIGSERIAL PRIMARY KEY, suite_key TEXT UNIQUE, suite_name TEXT NOT NULL, suite_group TEXT NOT NULL, UNIQUE(suite_name, suite_group))`,
	`CREATE TABLE suite_results (suite_result_id BIGSERIAL PRIMARY KEY, suite_id BIGINT NOT NULL REFERENCES suites(suite_id) ON DELETE CASCADE,
		success BOOLEAN NOT NULL, errors TEXT NOT NULL, duration BIGINT NOT NULL, timestamp TIMESTAMP NOT NULL)`,
	`CREATE TABLE endpoints (endpoint_id BIGSERIAL PRIMARY KEY, endpoint_key TEXT UNIQUE, endpoint_name TEXT NOT NULL, endpoint_group TEXT NOT NULL, UNIQUE(endpoint_name, endpoint_group))`,
	`CREATE TABLE endpoint_events (endpoint_event_id BIGSERIAL PRIMARY KEY, endpoint_id BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		event_type TEXT NOT NULL, event_timestamp TIMESTAMP NOT NULL)`,
	`CREATE TABLE endpoint_results (endpoint_result_id BIGSERIAL PRIMARY KEY, endpoint_id BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		success BOOLEAN NOT NULL, errors TEXT NOT NULL, connected BOOLEAN NOT NULL, status BIGINT NOT NULL, dns_rcode TEXT NOT NULL,
		certificate_expiration BIGINT NOT NULL, domain_expiration BIGINT NOT NULL, hostname TEXT NOT NULL, ip TEXT NOT NULL,
		duration BIGINT NOT NULL, timestamp TIMESTAMP NOT NULL, suite_result_id BIGINT REFERENCES suite_results(suite_result_id) ON DELETE CASCADE)`,
	`CREATE TABLE endpoint_result_conditions (endpoint_result_condition_id BIGSERIAL PRIMARY KEY,
		endpoint_result_id BIGINT NOT NULL REFERENCES endpoint_results(endpoint_result_id) ON DELETE CASCADE, condition TEXT NOT NULL, success BOOLEAN NOT NULL)`,
	`CREATE TABLE endpoint_uptimes (endpoint_uptime_id BIGSERIAL PRIMARY KEY, endpoint_id BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE,
		hour_unix_timestamp BIGINT NOT NULL, total_executions BIGINT NOT NULL, successful_executions BIGINT NOT NULL, total_response_time BIGINT NOT NULL,
		UNIQUE(endpoint_id, hour_unix_timestamp))`,
	`CREATE TABLE endpoint_alerts_triggered (endpoint_alert_trigger_id BIGSERIAL PRIMARY KEY,
		endpoint_id BIGINT NOT NULL REFERENCES endpoints(endpoint_id) ON DELETE CASCADE, configuration_checksum TEXT NOT NULL,
		resolve_key TEXT NOT NULL, number_of_successes_in_a_row INTEGER NOT NULL, UNIQUE(endpoint_id, configuration_checksum))`,
	`CREATE INDEX suite_results_suite_id_idx ON suite_results (suite_id)`,
	`CREATE INDEX endpoint_results_suite_result_id_idx ON endpoint_results(suite_result_id)`,
}

var gatusPostgresWithState = withStateColumn(gatusPostgresCurrent, "state TEXT NOT NULL, ")

// withStateColumn adds the state column after endpoint_results.success.
func withStateColumn(ddl []string, col string) []string {
	out := slices.Clone(ddl)
	for i, s := range out {
		if strings.HasPrefix(s, "CREATE TABLE endpoint_results ") {
			out[i] = strings.Replace(s, "success INTEGER NOT NULL, ", "success INTEGER NOT NULL, "+col, 1)
			out[i] = strings.Replace(out[i], "success BOOLEAN NOT NULL, ", "success BOOLEAN NOT NULL, "+col, 1)
		}
	}
	return out
}

// Rows the fixture writes: a few hundred per table (two conditions per result).
const (
	gatusEndpoints    = 200
	gatusSuites       = 100
	gatusSuiteResults = 200
	gatusResults      = 600
	gatusEvents       = 300
	gatusUptimes      = 400
	gatusTriggered    = 200
)

// fillGatus writes rows the way Gatus writes them (ids from the database,
// UTC timestamps, errors joined with |~|, durations in nanoseconds, uptime
// response time in milliseconds) into every table the schema has.
func fillGatus(t *testing.T, conn db, cat catalog) {
	t.Helper()
	ctx := context.Background()
	// One transaction keeps SQLite from syncing after every row.
	if err := conn.inTx(ctx, func(d db) error { fillGatusTx(t, d, cat); return nil }); err != nil {
		t.Fatal(err)
	}
}

func fillGatusTx(t *testing.T, d db, cat catalog) {
	t.Helper()
	ctx := context.Background()
	has := func(table string) bool {
		ok, err := cat.tableExists(ctx, d, table)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	cols, err := cat.columns(ctx, d, "endpoint_results")
	if err != nil {
		t.Fatal(err)
	}
	withSuites, withState := has("suites"), slices.Contains(cols, "state")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	insertID := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := queryOne(ctx, d, q, args, &id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	var endpointIDs, suiteResultIDs []int64
	for i := range gatusEndpoints {
		endpointIDs = append(endpointIDs, insertID(`INSERT INTO endpoints (endpoint_key, endpoint_name, endpoint_group) VALUES ($1, $2, $3) RETURNING endpoint_id`,
			fmt.Sprintf("g%d_ep-%d", i%3, i), fmt.Sprintf("ep %d", i), fmt.Sprintf("g%d", i%3)))
	}
	if withSuites {
		var suiteIDs []int64
		for i := range gatusSuites {
			suiteIDs = append(suiteIDs, insertID(`INSERT INTO suites (suite_key, suite_name, suite_group) VALUES ($1, $2, '') RETURNING suite_id`,
				fmt.Sprintf("_suite-%d", i), fmt.Sprintf("suite %d", i)))
		}
		for i := range gatusSuiteResults {
			suiteResultIDs = append(suiteResultIDs, insertID(`INSERT INTO suite_results (suite_id, success, errors, duration, timestamp) VALUES ($1, $2, '', $3, $4) RETURNING suite_result_id`,
				suiteIDs[i%gatusSuites], i%4 != 0, int64(time.Second), base.Add(time.Duration(i)*time.Minute)))
		}
	}
	for i := range gatusResults {
		ok := i%7 != 0
		errs := ""
		if !ok {
			errs = strings.Join([]string{"connection refused", "status 503"}, "|~|")
		}
		q := `INSERT INTO endpoint_results (endpoint_id, success, errors, connected, status, dns_rcode, certificate_expiration, domain_expiration, hostname, ip, duration, timestamp`
		args := []any{endpointIDs[i%gatusEndpoints], ok, errs, ok, 200, "", int64(30 * 24 * time.Hour), int64(0), "example.org", "192.0.2.1", int64(i) * int64(time.Millisecond), base.Add(time.Duration(i) * time.Minute)}
		if withState {
			q += `, state`
			args = append(args, "healthy")
		}
		if withSuites && i < gatusResults/10 {
			q += `, suite_result_id`
			args = append(args, suiteResultIDs[i%gatusSuiteResults])
		}
		marks := make([]string, len(args))
		for j := range marks {
			marks[j] = fmt.Sprintf("$%d", j+1)
		}
		id := insertID(q+`) VALUES (`+strings.Join(marks, ", ")+`) RETURNING endpoint_result_id`, args...)
		exec(`INSERT INTO endpoint_result_conditions (endpoint_result_id, condition, success) VALUES ($1, $2, $3)`, id, "[STATUS] == 200", ok)
		exec(`INSERT INTO endpoint_result_conditions (endpoint_result_id, condition, success) VALUES ($1, $2, $3)`, id, "[RESPONSE_TIME] < 500", true)
	}
	for i := range gatusEvents {
		typ := []string{"START", "HEALTHY", "UNHEALTHY"}[i%3]
		exec(`INSERT INTO endpoint_events (endpoint_id, event_type, event_timestamp) VALUES ($1, $2, $3)`, endpointIDs[i%gatusEndpoints], typ, base.Add(time.Duration(i)*time.Minute))
	}
	for i := range gatusUptimes {
		exec(`INSERT INTO endpoint_uptimes (endpoint_id, hour_unix_timestamp, total_executions, successful_executions, total_response_time) VALUES ($1, $2, $3, $4, $5)`,
			endpointIDs[i%gatusEndpoints], base.Add(time.Duration(i/gatusEndpoints)*time.Hour).Unix(), 60, 58, 60*120)
	}
	if has("endpoint_alerts_triggered") {
		for i := range gatusTriggered {
			exec(`INSERT INTO endpoint_alerts_triggered (endpoint_id, configuration_checksum, resolve_key, number_of_successes_in_a_row) VALUES ($1, $2, $3, $4)`,
				endpointIDs[i%gatusEndpoints], fmt.Sprintf("checksum-%d", i), fmt.Sprintf("resolve-%d", i), i%2)
		}
	}
}
