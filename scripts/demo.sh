#!/usr/bin/env bash
# make demo: a local demo target plus the quorate collector probing it with
# examples/standalone.yaml. The target fails for agent "local" every other
# 30 seconds so both outcomes show up. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/quorate-demo.XXXXXX)
PORT=${QUORATE_DEMO_PORT:-18080}
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo stopped; results kept in $WORK/results.jsonl"
}
trap cleanup INT TERM EXIT

go build -o "$WORK/demotarget" ./cmd/demotarget
"$WORK/demotarget" -listen "127.0.0.1:$PORT" >"$WORK/demotarget.log" 2>&1 &
PIDS+=($!)

(
  # Flip the target between healthy and failing for agent "local".
  while sleep 30; do
    curl -s -X POST "http://127.0.0.1:$PORT/control?fail-agents=local" >/dev/null || exit 0
    sleep 30
    curl -s -X POST "http://127.0.0.1:$PORT/control?fail-agents=" >/dev/null || exit 0
  done
) &
PIDS+=($!)

cat <<MSG
Quorate demo
  target:   http://127.0.0.1:$PORT/health (fails for agent "local" every other 30s)
  results:  $WORK/results.jsonl  (one OTLP/JSON line per batch; try: tail -f $WORK/results.jsonl)
  config:   examples/standalone.yaml
Press Ctrl-C to stop.
MSG
QUORATE_DEMO_TARGET="127.0.0.1:$PORT" QUORATE_RESULTS_FILE="$WORK/results.jsonl" \
  bin/quorate --config examples/standalone.yaml &
PIDS+=($!)
wait "${PIDS[-1]}"
