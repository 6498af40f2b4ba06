// Command pluginqueries seeds the database that bench/plugin-queries.sh
// measures the Grafana plugin's queries on: a realistic history of
// results, written with COPY into a schema the real store migrated, with
// the uptime buckets, events, agents and quorum states that go with it.
// The measuring is BenchmarkDashboardQueries in this package, which times
// every query type behind the dashboards and alert rules through the
// store reader and through the real plugin binary.
//
//	pluginqueries seed -dsn postgres://.../db -results 10000000 -endpoints 100 -agents 5 -interval 60s
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "seed" {
		fmt.Fprintln(os.Stderr, "usage: pluginqueries seed [flags]; see bench/plugin-queries.sh")
		os.Exit(2)
	}
	if err := runSeed(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "pluginqueries:", err)
		os.Exit(1)
	}
}
