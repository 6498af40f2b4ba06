#!/usr/bin/env bash
# Detection latency end to end: a central and three agents (real bin/quorate
# processes, interval 1s, failure-threshold 2, agent-quorum 2) probe a
# loopback demo target; each run takes it down for every agent and times
# until the central's quorate_endpoint_alert_firing turns 1 (polled every
# 20ms). Prints min/p50/max against the floor, interval x failure-threshold.
# Only 127.0.0.1 is touched.
#
#   bash bench/detection-latency.sh [runs=10]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
[[ -x bin/quorate ]] || make build
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $RUNS outages"
QUORATE_BIN=$PWD/bin/quorate go test -run '^$' -bench '^BenchmarkDetectionLatency$' \
  -benchtime "${RUNS}x" -count 1 -timeout 30m ./test/e2e/ | grep -E 'detection latency|deciding probe|^Benchmark|^ok|FAIL'
