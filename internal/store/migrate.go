package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"
)

// migrationsTable records applied migrations. Its absence next to Gatus's
// tables is how a Gatus database is recognised.
const migrationsTable = "quorate_schema_migrations"

// gatusTables are the tables of a Gatus database; an upgrade keeps every row.
var gatusTables = []string{
	"endpoints", "endpoint_events", "endpoint_results", "endpoint_result_conditions",
	"endpoint_uptimes", "endpoint_alerts_triggered", "suites", "suite_results",
}

// migration is one numbered schema change, applied in its own transaction.
// Both drivers have the same versions and names with their own SQL.
type migration struct {
	version int
	name    string
	// preserve lists tables whose row count the migration must not change;
	// the runner counts them before and after and aborts on a difference.
	preserve []string
	up       func(ctx context.Context, d db) error
}

// catalog answers schema questions the runner asks, per driver.
type catalog struct {
	tableExists func(ctx context.Context, d db, table string) (bool, error)
	columns     func(ctx context.Context, d db, table string) ([]string, error)
}

// migrate brings the schema on d (one dedicated connection) to the latest
// version. Each migration runs in its own transaction, except when the
// database has no Quorate schema yet (empty, or Gatus's): then the whole
// setup is one transaction, so that a failed Gatus upgrade leaves Gatus's
// database exactly as it was.
func migrate(ctx context.Context, d db, cat catalog, ms []migration, log *zap.Logger) error {
	known, err := cat.tableExists(ctx, d, migrationsTable)
	if err != nil {
		return fmt.Errorf("inspect schema: %w", err)
	}
	if known {
		return applyPending(ctx, d, cat, ms, log)
	}
	gatus, err := detectGatus(ctx, d, cat)
	if err != nil {
		return err
	}
	if gatus {
		counts, err := countRows(ctx, d, cat, gatusTables)
		if err != nil {
			return err
		}
		log.Info("upgrading a Gatus database in place, in one transaction; its results become results of agent \"local\"", zap.Any("rows", counts))
	}
	return d.inTx(ctx, func(tx db) error {
		if _, err := tx.exec(ctx, `CREATE TABLE `+migrationsTable+` (
			version    INTEGER   PRIMARY KEY,
			name       TEXT      NOT NULL,
			applied_at TIMESTAMP NOT NULL)`); err != nil {
			return fmt.Errorf("create %s: %w", migrationsTable, err)
		}
		return applyPending(ctx, tx, cat, ms, log)
	})
}

// applyPending applies the migrations not recorded yet, in order.
func applyPending(ctx context.Context, d db, cat catalog, ms []migration, log *zap.Logger) error {
	applied, err := appliedVersions(ctx, d)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		if newest := slices.Max(applied); newest > ms[len(ms)-1].version {
			return fmt.Errorf("database schema version %d is newer than this Quorate knows (%d); run a newer Quorate or restore a backup", newest, ms[len(ms)-1].version)
		}
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		if err := applyMigration(ctx, d, cat, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		log.Info("applied schema migration", zap.Int("version", m.version), zap.String("name", m.name))
	}
	return nil
}

// detectGatus reports whether the database holds Gatus's tables; an
// `endpoints` table of another application is refused.
func detectGatus(ctx context.Context, d db, cat catalog) (bool, error) {
	has, err := cat.tableExists(ctx, d, "endpoints")
	if err != nil || !has {
		return false, err
	}
	cols, err := cat.columns(ctx, d, "endpoints")
	if err != nil {
		return false, err
	}
	results, err := cat.tableExists(ctx, d, "endpoint_results")
	if err != nil {
		return false, err
	}
	if !slices.Contains(cols, "endpoint_key") || !results {
		return false, errors.New("the database has an `endpoints` table that is not Gatus's and no Quorate schema; use an empty database or a Gatus one")
	}
	return true, nil
}

func appliedVersions(ctx context.Context, d db) ([]int, error) {
	rs, err := d.query(ctx, `SELECT version FROM `+migrationsTable+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", migrationsTable, err)
	}
	defer rs.Close()
	var vs []int
	for rs.Next() {
		var v int
		if err := rs.Scan(&v); err != nil {
			return nil, fmt.Errorf("read %s: %w", migrationsTable, err)
		}
		vs = append(vs, v)
	}
	return vs, rs.Err()
}

// applyMigration runs m in a transaction (or in the caller's) and records it.
func applyMigration(ctx context.Context, d db, cat catalog, m migration) error {
	return d.inTx(ctx, func(tx db) error {
		before, err := countRows(ctx, tx, cat, m.preserve)
		if err != nil {
			return err
		}
		if err := m.up(ctx, tx); err != nil {
			return err
		}
		after, err := countRows(ctx, tx, cat, m.preserve)
		if err != nil {
			return err
		}
		for table, n := range before {
			if after[table] != n {
				return fmt.Errorf("table %s had %d rows before and %d after; rolled back", table, n, after[table])
			}
		}
		_, err = tx.exec(ctx, `INSERT INTO `+migrationsTable+` (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, time.Now().UTC())
		return err
	})
}

// countRows counts the rows of the tables that exist.
func countRows(ctx context.Context, d db, cat catalog, tables []string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, t := range tables {
		ok, err := cat.tableExists(ctx, d, t)
		if err != nil {
			return nil, fmt.Errorf("inspect table %s: %w", t, err)
		}
		if !ok {
			continue
		}
		n, err := countTable(ctx, d, t)
		if err != nil {
			return nil, err
		}
		counts[t] = n
	}
	return counts, nil
}

func countTable(ctx context.Context, d db, table string) (int64, error) {
	var n int64
	if err := queryOne(ctx, d, `SELECT COUNT(*) FROM `+table, nil, &n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", table, err)
	}
	return n, nil
}

// hasColumn reports whether table has column.
func hasColumn(ctx context.Context, d db, cat catalog, table, column string) (bool, error) {
	cols, err := cat.columns(ctx, d, table)
	if err != nil {
		return false, fmt.Errorf("columns of %s: %w", table, err)
	}
	return slices.Contains(cols, column), nil
}

// execAll runs statements in order, naming the one that failed.
func execAll(ctx context.Context, d db, stmts ...string) error {
	for _, s := range stmts {
		if _, err := d.exec(ctx, s); err != nil {
			return fmt.Errorf("%w\nin: %s", err, s)
		}
	}
	return nil
}

// LatestVersion is the schema version this build migrates to. Readers that do
// not migrate (the Grafana plugin) compare it with SchemaVersion.
func LatestVersion() int { return postgresMigrations[len(postgresMigrations)-1].version }
