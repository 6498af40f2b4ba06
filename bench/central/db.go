package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // reads the central's SQLite database
)

// database is where the central stored the results, read by the benchmark
// only: a PostgreSQL DSN or a SQLite file.
type database struct {
	driver string
	dsn    string
	path   string
}

// counts are rows of the tables the results go to.
type counts struct {
	results, conditions, events int64
}

// count counts rows; with conditions false only the results (cheaper, for
// polling while the central still writes).
func (d database) count(ctx context.Context, conditions bool) (counts, error) {
	queries := []string{"SELECT COUNT(*) FROM endpoint_results"}
	if conditions {
		queries = append(queries, "SELECT COUNT(*) FROM endpoint_result_conditions", "SELECT COUNT(*) FROM endpoint_events")
	}
	var c counts
	dst := []*int64{&c.results, &c.conditions, &c.events}
	switch d.driver {
	case "postgres":
		conn, err := pgx.Connect(ctx, d.dsn)
		if err != nil {
			return c, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		defer conn.Close(ctx)
		for i, q := range queries {
			if err := conn.QueryRow(ctx, q).Scan(dst[i]); err != nil {
				return c, fmt.Errorf("%s: %w", q, err)
			}
		}
	case "sqlite":
		// Read-only: the central may still be writing (WAL lets a reader in).
		db, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			return c, fmt.Errorf("open %s: %w", d.path, err)
		}
		defer db.Close()
		for i, q := range queries {
			if err := db.QueryRowContext(ctx, q).Scan(dst[i]); err != nil {
				return c, fmt.Errorf("%s in %s: %w", q, d.path, err)
			}
		}
	default:
		return c, fmt.Errorf("driver %q: use postgres or sqlite", d.driver)
	}
	return c, nil
}

// commits is PostgreSQL's count of transactions committed in database name
// (pg_stat_database, which backends update at most once a second).
func (d database) commits(ctx context.Context, name string) (int64, error) {
	if d.driver != "postgres" || name == "" {
		return 0, nil
	}
	conn, err := pgx.Connect(ctx, d.dsn)
	if err != nil {
		return 0, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return 0, fmt.Errorf("read the commit count of %s: %w", name, err)
	}
	return n, nil
}
