#!/usr/bin/env bash
# Query speed behind the Grafana plugin's dashboards and alert rules. Seeds
# a fresh PostgreSQL database, migrated by the real store, with RESULTS
# results (100 endpoints x 5 agents, one result per agent and endpoint
# every INTERVAL back from now, ~2% failures with their condition results,
# outages with their events, uptime buckets, quorum states, one stale
# agent), then times each query type the dashboards and alert rules run
# (p50, p95, max of RUNS runs) through the store reader the plugin uses and
# through the real plugin binary over Grafana's plugin protocol, so that
# the second figure includes building and encoding the frames.
# Only 127.0.0.1 is touched; the database is dropped at the end.
#
#   bash bench/plugin-queries.sh [results=10000000] [-- extra flags for the benchmark binary]
#
# e.g. only the results queries:
#   bash bench/plugin-queries.sh 10000000 -- -test.bench BenchmarkDashboardQueries/results
# Environment:
#   QUORATE_BENCH_PG=host:port  PostgreSQL (user postgres, trust; default 127.0.0.1:5432)
#   INTERVAL=60s                probe interval of the seeded history
#   RUNS=30                     timed runs of each query (after two untimed ones)
#   QUORATE_PLUGIN_BIN=path     the plugin's backend binary (default: built from grafana-plugin/pkg)
#   PGOPTIONS='-c jit=off'      session settings for both paths (libpq's variable, honoured by pgx)
#   KEEP=1                      keep the database (its name is printed); measure it again,
#   DB=name                     without seeding, with DB=name
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-10000000}
shift $(( $# < 1 ? $# : 1 ))
[[ ${1:-} == -- ]] && shift
PG=${QUORATE_BENCH_PG:-127.0.0.1:5432}
OUT=$(mktemp -d /tmp/quorate-bench-plugin.XXXXXX)
DBNAME=${DB:-}
CREATED=

psql_admin() { psql -h "${PG%:*}" -p "${PG##*:}" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }
cleanup() {
  if [[ -n $CREATED && ${KEEP:-} != 1 ]]; then
    psql_admin "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" || true
  elif [[ -n $CREATED ]]; then
    echo "# kept database $DBNAME: measure again with DB=$DBNAME bash bench/plugin-queries.sh;" \
      "drop it with: psql -h ${PG%:*} -p ${PG##*:} -U postgres -d postgres -c 'DROP DATABASE $DBNAME'"
  fi
  rm -rf "$OUT"
}
trap cleanup EXIT

go build -o "$OUT/pluginqueries" ./bench/pluginqueries
# The benchmark's test binary builds the plugin binary itself (plugintest)
# unless QUORATE_PLUGIN_BIN names one.
go test -c -o "$OUT/pluginqueries.test" ./bench/pluginqueries

DSN="postgres://postgres@$PG/DBNAME?sslmode=disable"
if [[ -z $DBNAME ]]; then
  DBNAME=quorate_bench_plugin_$(date +%s)_$$
  psql_admin "CREATE DATABASE $DBNAME"
  CREATED=1
  echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); database $DBNAME"
  "$OUT/pluginqueries" seed -dsn "${DSN/DBNAME/$DBNAME}" -results "$RESULTS" -interval "${INTERVAL:-60s}"
  echo "# database size: $(psql_admin "SELECT pg_size_pretty(pg_database_size('$DBNAME'))")"
fi
echo "# measuring $DBNAME, ${RUNS:-30} runs per query${PGOPTIONS:+, PGOPTIONS=$PGOPTIONS}: load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %10s %10s %10s %8s\n' "query/path" "p50 ms" "p95 ms" "max ms" "rows"
QUORATE_BENCH_PLUGIN_DSN="${DSN/DBNAME/$DBNAME}" "$OUT/pluginqueries.test" \
  -test.run '^$' -test.bench BenchmarkDashboardQueries -test.benchtime "${RUNS:-30}x" "$@" |
  awk '/^BenchmarkDashboardQueries\// {
         for (i = 3; i < NF; i += 2) m[$(i+1)] = $i
         name = $1; sub(/^BenchmarkDashboardQueries\//, "", name); sub(/-[0-9]+$/, "", name)
         printf "%-44s %10.1f %10.1f %10.1f %8d\n", name, m["p50-ms"], m["p95-ms"], m["max-ms"], m["rows"]; next }
       /^(goos|goarch|pkg|cpu|PASS|ok)/ { next } { print }'
echo "# done: load $(cut -d' ' -f1-3 /proc/loadavg)"
