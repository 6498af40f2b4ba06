#!/usr/bin/env bash
# Central throughput: N agents post OTLP/HTTP protobuf batches of probe
# results (30% failures, driving the quorum state machine of M endpoints,
# each monitored by every agent, agent-quorum 3, failure-threshold 3) to
# bin/quorate as fast as it answers, through the quorum processor into
# PostgreSQL (a fresh database, dropped afterwards) or SQLite (a temporary
# file). Reports accepted results/s, when the store held them all, request
# latency, the time from a marker result's POST to its
# quorate_results_total in the metrics (p50/p99/max), CPU and load average,
# then checks the store's row count after shutdown. Only 127.0.0.1 is
# touched; everything stops by itself.
#
# Arrival to metric: the quorum processor updates the metrics before the
# results are written and the receiver answers, so every result's metric is
# visible by the time its request gets its 200; request latency is the bound
# for all results. Markers (every second per agent; -marker-every) measure
# it: the last result of a marker request reports a certificate expiring
# at a time that numbers the marker, and the load generator scrapes
# /metrics?name[]=quorate_endpoint_certificate_expiry_timestamp_seconds
# (only markers carry certificates: a few series, ~1 ms a scrape) until the
# marker's number shows.
#
#   bash bench/central.sh [postgres|sqlite] [seconds=60] [agents=5] [endpoints=1000] [-- extra load flags]
#
# e.g. paced instead of closed loop:  bash bench/central.sh postgres 60 5 1000 -- -rate 20000
# Environment:
#   QUORATE_BIN=path       use this binary instead of running `make build`
#                          (either way the central runs from a copy in the temp dir)
#   PROFILE=1              add the pprof extension; save a CPU profile of the
#                          central over the middle third of the run and its
#                          mutex, block and allocation profiles of the whole run
#   QUORATE_BENCH_PG=host:port  PostgreSQL (user postgres, trust; default 127.0.0.1:5432)
#   KEEP=1                 keep the SQLite file and the binaries in the temp dir
#   MAX_BATCH=N            the central's storage.batching.max_batch_size (the
#                          most results of one transaction; default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
DRIVER=${1:-postgres}
DUR=${2:-60}
AGENTS=${3:-5}
ENDPOINTS=${4:-1000}
shift $(( $# < 4 ? $# : 4 ))
[[ ${1:-} == -- ]] && shift
case $DRIVER in postgres|sqlite) ;; *) echo "driver must be postgres or sqlite, not $DRIVER" >&2; exit 2 ;; esac
PG=${QUORATE_BENCH_PG:-127.0.0.1:5432}
OUT=$(mktemp -d /tmp/quorate-bench-central.XXXXXX)
CENTRAL_PID=
DBNAME=

psql_admin() { psql -h "${PG%:*}" -p "${PG##*:}" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtc "$1"; }
cleanup() {
  if [[ -n $CENTRAL_PID ]] && kill -0 "$CENTRAL_PID" 2>/dev/null; then
    kill -TERM "$CENTRAL_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$CENTRAL_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CENTRAL_PID" 2>/dev/null || true
  fi
  if [[ -n $DBNAME ]]; then psql_admin "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" || true; fi
  # Profiles carry their symbols; the binaries and the database are large.
  [[ ${KEEP:-} == 1 ]] || rm -f "$OUT"/quorate.db* "$OUT/quorate" "$OUT/central"
}
trap cleanup EXIT

# The central runs from a copy, so that a `make build` elsewhere during the
# run neither fails on a busy bin/quorate nor swaps the binary under us.
if [[ -n ${QUORATE_BIN:-} ]]; then
  cp "$QUORATE_BIN" "$OUT/quorate"
elif make build >"$OUT/build.log" 2>&1; then
  cp bin/quorate "$OUT/quorate"
elif grep -q 'Text file busy' "$OUT/build.log" && [[ -x build/quorate/quorate ]]; then
  cp build/quorate/quorate "$OUT/quorate" # built; only the copy to a running bin/quorate failed
else
  tail -20 "$OUT/build.log" >&2; exit 1
fi
BIN=$OUT/quorate
go build -o "$OUT/central" ./bench/central

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
OTLP=127.0.0.1:$(port); API=127.0.0.1:$(port); METRICS=127.0.0.1:$(port); PPROF=
[[ ${PROFILE:-} == 1 ]] && PPROF=127.0.0.1:$(port)

DBFLAGS=()
if [[ $DRIVER == postgres ]]; then
  DBNAME=quorate_bench_$(date +%s)_$$
  psql_admin "CREATE DATABASE $DBNAME"
  DBFLAGS=(-driver postgres -dsn "postgres://postgres@$PG/$DBNAME?sslmode=disable")
else
  DBFLAGS=(-driver sqlite -db "$OUT/quorate.db")
fi
"$OUT/central" setup -dir "$OUT" -agents "$AGENTS" -endpoints "$ENDPOINTS" "${DBFLAGS[@]}" \
  -otlp "$OTLP" -api "$API" -metrics "$METRICS" ${PPROF:+-pprof "$PPROF"} ${MAX_BATCH:+-max-batch "$MAX_BATCH"}

"$BIN" --config "$OUT/central.yaml" >"$OUT/central.log" 2>&1 &
CENTRAL_PID=$!
ready=
for _ in $(seq 300); do
  kill -0 "$CENTRAL_PID" 2>/dev/null || { echo "quorate exited:" >&2; tail -30 "$OUT/central.log" >&2; exit 1; }
  if (exec 3<>"/dev/tcp/${OTLP%:*}/${OTLP##*:}") 2>/dev/null && (exec 3<>"/dev/tcp/${METRICS%:*}/${METRICS##*:}") 2>/dev/null; then
    ready=1; break
  fi
  sleep 0.1
done
[[ -n $ready ]] || { echo "quorate did not listen within 30s" >&2; tail -30 "$OUT/central.log" >&2; exit 1; }

echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $DRIVER; ${DUR}s; $AGENTS agents; $ENDPOINTS endpoints; central pid $CENTRAL_PID; files in $OUT"
if [[ -n $PPROF ]]; then
  (sleep $((DUR / 3)); curl -s -o "$OUT/central.cpu.pprof" "http://$PPROF/debug/pprof/profile?seconds=$((DUR / 3))") &
fi
# The window, the drain of the store's queue and a margin: never hang.
timeout --signal=INT --kill-after=10 $((DUR + 240)) \
  "$OUT/central" load -otlp "http://$OTLP" -metrics "http://$METRICS" -agents "$AGENTS" -endpoints "$ENDPOINTS" \
  -duration "${DUR}s" "${DBFLAGS[@]}" -central-pid "$CENTRAL_PID" ${DBNAME:+-pg-db "$DBNAME"} -out "$OUT/load.out" "$@"
if [[ -n $PPROF ]]; then
  for kind in mutex block allocs; do curl -s -o "$OUT/central.$kind.pprof" "http://$PPROF/debug/pprof/$kind"; done
fi
echo "# central peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$CENTRAL_PID/status)"
wait_start=$(date +%s.%N)

kill -TERM "$CENTRAL_PID"
for _ in $(seq 1200); do kill -0 "$CENTRAL_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CENTRAL_PID" 2>/dev/null; then echo "quorate did not stop within 120s" >&2; exit 1; fi
wait "$CENTRAL_PID" || { echo "quorate exited with $? after SIGTERM:" >&2; tail -30 "$OUT/central.log" >&2; exit 1; }
CENTRAL_PID=
echo "# central stopped in $(awk -v s="$wait_start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f s", e - s}')"
if grep -qE $'\t(warn|error)\t' "$OUT/central.log"; then
  echo "# central logged warnings or errors (first 5):"
  grep -E $'\t(warn|error)\t' "$OUT/central.log" | head -5 | cut -c1-300
fi

source "$OUT/load.out"
"$OUT/central" verify "${DBFLAGS[@]}" -want "$accepted_results"
if [[ -n $PPROF && -s $OUT/central.cpu.pprof ]]; then
  echo "# CPU profile of the central: $OUT/central.cpu.pprof"
  go tool pprof -top -cum -nodecount=40 "$BIN" "$OUT/central.cpu.pprof" 2>/dev/null | sed 's/^/#   /'
  echo "# mutex contention (whole run): $OUT/central.mutex.pprof"
  go tool pprof -top -cum -nodecount=15 "$BIN" "$OUT/central.mutex.pprof" 2>/dev/null | sed 's/^/#   /'
  echo "# blocking (whole run, includes idle waits): $OUT/central.block.pprof"
  echo "# allocations (whole run): $OUT/central.allocs.pprof"
  go tool pprof -sample_index=alloc_space -top -nodecount=25 "$BIN" "$OUT/central.allocs.pprof" 2>/dev/null | sed 's/^/#   /'
fi
