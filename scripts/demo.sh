#!/usr/bin/env bash
# make demo: a central, three agents (eu, us, ap) and three demo targets, all
# on 127.0.0.1, until Ctrl-C.
#
#   demo_ok          healthy                    -> green
#   demo_one-region  fails for agent "us" only  -> degraded, no alert
#   demo_all-down    fails for every agent      -> alert fires (2 of 3 agree)
#
# Every process is bin/quorate or cmd/demotarget; configs are
# examples/central.yaml, examples/agent.yaml and examples/demo/monitoring.yaml,
# moved to a temporary directory and free ports through QUORATE_* variables.
# QUORATE_DEMO_PORT (default 18080) is the first of the demo's own ports;
# QUORATE_DEMO_DIR (default: a new directory under /tmp) keeps its files.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=bin/quorate
BASE=${QUORATE_DEMO_PORT:-18080}
# Ports: central OTLP, agent API and metrics at BASE..BASE+2, targets at
# BASE+10..12, the agents' own telemetry at BASE+20..22.
OTLP=127.0.0.1:$BASE
API=127.0.0.1:$((BASE + 1))
METRICS=127.0.0.1:$((BASE + 2))
AGENTS=(eu us ap)

if [[ ! -x $BIN ]]; then
  make build
fi
for tool in go curl; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is required" >&2; exit 1; }
done

# A port in use would make a process exit at once; say which one instead.
for p in $(seq "$BASE" $((BASE + 2))) $(seq $((BASE + 10)) $((BASE + 12))) $(seq $((BASE + 20)) $((BASE + 22))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "demo: port $p on 127.0.0.1 is in use; free it or pick other ports with QUORATE_DEMO_PORT=<first port>" >&2
    exit 1
  fi
done

# Children run in their own session when setsid exists, so that Ctrl-C
# reaches only this script, which then stops them in order (agents first,
# while the central still takes their last results).
SPAWN=()
command -v setsid >/dev/null && SPAWN=(setsid)

WORK=${QUORATE_DEMO_DIR:-$(mktemp -d /tmp/quorate-demo.XXXXXX)}
mkdir -p "$WORK"
TARGET_PIDS=() CENTRAL_PID="" AGENT_PIDS=()

# stop ends the agents first (they flush their queues to the central), then
# the central (it saves its state), then the targets; and waits for each.
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  ((${#AGENT_PIDS[@]})) && kill -TERM "${AGENT_PIDS[@]}" 2>/dev/null || true
  ((${#AGENT_PIDS[@]})) && wait "${AGENT_PIDS[@]}" 2>/dev/null || true
  [[ -n $CENTRAL_PID ]] && { kill -TERM "$CENTRAL_PID" 2>/dev/null; wait "$CENTRAL_PID" 2>/dev/null; } || true
  ((${#TARGET_PIDS[@]})) && kill -TERM "${TARGET_PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "demo stopped; logs, database and transitions kept in $WORK"
}
trap stop EXIT
trap 'stop; exit 0' INT
trap 'stop; exit 143' TERM

# fail prints the end of a process's log and stops the demo.
fail() {
  echo "demo: $1 stopped unexpectedly; the end of $2:" >&2
  tail -n 20 "$2" >&2 || true
  exit 1
}

echo "building the demo target..."
go build -o "$WORK/demotarget" ./cmd/demotarget

start_target() { # name port flags...
  local name=$1 port=$2
  shift 2
  "${SPAWN[@]}" "$WORK/demotarget" -listen "127.0.0.1:$port" "$@" >"$WORK/target-$name.log" 2>&1 &
  TARGET_PIDS+=($!)
}
start_target ok $((BASE + 10))
start_target one-region $((BASE + 11)) -fail-agents us
start_target all-down $((BASE + 12)) -fail-all
export QUORATE_DEMO_TARGET_OK=127.0.0.1:$((BASE + 10))
export QUORATE_DEMO_TARGET_ONE_REGION=127.0.0.1:$((BASE + 11))
export QUORATE_DEMO_TARGET_ALL_DOWN=127.0.0.1:$((BASE + 12))

# The central: examples/central.yaml with the demo's monitoring file. Its
# own collector telemetry is off (the product metrics are on METRICS).
QUORATE_MONITORING_FILE=examples/demo/monitoring.yaml \
QUORATE_DB="$WORK/quorate.db" \
QUORATE_CENTRAL_FILE="$WORK/central.jsonl" \
QUORATE_OTLP_ENDPOINT=$OTLP QUORATE_API_ENDPOINT=$API QUORATE_METRICS_ENDPOINT=$METRICS \
  "${SPAWN[@]}" "$BIN" --config examples/central.yaml --set=service::telemetry::metrics::level=none \
  >"$WORK/central.log" 2>&1 &
CENTRAL_PID=$!
echo "starting the central..."
ready=""
for _ in $(seq 300); do
  curl -fs -o /dev/null "http://$API/api/v1/agents" && { ready=1; break; }
  kill -0 "$CENTRAL_PID" 2>/dev/null || fail central "$WORK/central.log"
  sleep 0.1
done
[[ -n $ready ]] || fail "central (not answering on $API after 30s)" "$WORK/central.log"

# The agents: examples/agent.yaml, each with its id, token, cache file and
# telemetry port. They fetch their endpoints from the central.
for i in "${!AGENTS[@]}"; do
  id=${AGENTS[$i]}
  QUORATE_AGENT_ID=$id \
  QUORATE_AGENT_TOKEN=demo-token-$id-replace-me \
  QUORATE_CENTRAL_API=http://$API \
  QUORATE_CENTRAL_OTLP=http://$OTLP \
  QUORATE_REFRESH_INTERVAL=5s \
  QUORATE_ASSIGNMENTS_FILE="$WORK/assignments-$id.json" \
  QUORATE_TELEMETRY_PORT=$((BASE + 20 + i)) \
    "${SPAWN[@]}" "$BIN" --config examples/agent.yaml >"$WORK/agent-$id.log" 2>&1 &
  AGENT_PIDS+=($!)
done

cat <<MSG

Quorate demo: central + agents eu, us, ap, probing every 5s; an alert fires
when 2 of the 3 agents each saw 2 failures in a row (about 10-15s from now).

  targets     http://$QUORATE_DEMO_TARGET_OK/health  demo_ok, healthy
              http://$QUORATE_DEMO_TARGET_ONE_REGION/health  demo_one-region, fails for agent us only
              http://$QUORATE_DEMO_TARGET_ALL_DOWN/health  demo_all-down, fails for everyone
              make demo_ok fail from eu and us (fires in ~10s):
                curl -X POST 'http://$QUORATE_DEMO_TARGET_OK/control?fail-agents=eu,us'
              and heal it again:  curl -X POST 'http://$QUORATE_DEMO_TARGET_OK/control?fail-agents='

  metrics     curl -s http://$METRICS/metrics | grep -E '^quorate_endpoint_(alert_firing|degraded)'
  agents API  curl -s http://$API/api/v1/agents        (last seen, stale)
  transitions grep -o '"stringValue":"[^"]* alert [0-9]* ([a-z]*) [^"]*"' $WORK/central.jsonl | cut -d'"' -f4
  agent queue curl -s http://127.0.0.1:$((BASE + 20))/metrics | grep quorate_agent   (eu; us +1, ap +2)
  database    $WORK/quorate.db  (SQLite; no sqlite3 needed: the transitions above are
              its events, quorate_results_total in the metrics counts its results)
  logs        $WORK/*.log

Press Ctrl-C to stop. Status every 5 seconds (firing / degraded / triggered agents):
MSG

# status prints one line per endpoint from the central's metrics.
status() {
  local metrics
  if ! metrics=$(curl -fs "http://$METRICS/metrics"); then
    echo "$(date +%T)  (central metrics not answering)"
    return
  fi
  echo "$(date +%T)"
  awk '
    /^quorate_endpoint_(alert_firing|degraded|triggered_agents|reporting_agents)\{/ {
      match($0, /endpoint_key="[^"]*"/); key = substr($0, RSTART + 14, RLENGTH - 15)
      name = $1; sub(/\{.*/, "", name); sub(/^quorate_endpoint_/, "", name)
      v[key, name] = $2; keys[key] = 1
    }
    END {
      for (k in keys)
        printf "  %-18s firing=%s degraded=%s triggered=%s of %s reporting\n", k, v[k, "alert_firing"], v[k, "degraded"], v[k, "triggered_agents"], v[k, "reporting_agents"]
    }' <<<"$metrics" | sort
}

while true; do
  sleep 5 &
  wait $! || true
  kill -0 "$CENTRAL_PID" 2>/dev/null || fail central "$WORK/central.log"
  for i in "${!AGENTS[@]}"; do
    kill -0 "${AGENT_PIDS[$i]}" 2>/dev/null || fail "agent ${AGENTS[$i]}" "$WORK/agent-${AGENTS[$i]}.log"
  done
  status
done
