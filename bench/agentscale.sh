#!/usr/bin/env bash
# 10,000 endpoints on one agent: the real probe receiver probes N HTTP
# endpoints (3 conditions each, interval 60s) of a loopback demotarget running
# in its own process, and bench/agentscale reports the p50/p99/max schedule
# jitter (actual probe start minus planned slot), results/s, CPU, RSS and Go
# heap of the receiver's process. Only 127.0.0.1 is touched; it stops by
# itself after the window (default 150s, so every endpoint probes >= twice).
#
#   bash bench/agentscale.sh [endpoints=10000] [seconds=150] [-- extra agentscale flags]
#
# e.g. profiles:  bash bench/agentscale.sh 10000 150 -- -cpuprofile /tmp/cpu.pprof -memprofile /tmp/heap.pprof
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
DUR=${2:-150}
shift $(( $# < 2 ? $# : 2 ))
[[ ${1:-} == -- ]] && shift
OUT=$(mktemp -d /tmp/quorate-agentscale.XXXXXX)
TARGET_PID=
cleanup() { [[ -n $TARGET_PID ]] && kill "$TARGET_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

go build -o "$OUT/demotarget" ./cmd/demotarget
go build -o "$OUT/agentscale" ./bench/agentscale

PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$OUT/demotarget" -listen "127.0.0.1:$PORT" 2>"$OUT/target.log" &
TARGET_PID=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done

echo "# $(date -u +%FT%TZ) $(nproc) CPUs; $N endpoints for ${DUR}s; target pid $TARGET_PID on 127.0.0.1:$PORT"
# The window plus a generous margin for start-up and shutdown: never hang.
timeout --signal=INT --kill-after=10 $((DUR + 120)) \
  "$OUT/agentscale" -target "http://127.0.0.1:$PORT/health" -endpoints "$N" -duration "${DUR}s" "$@"
echo "# demotarget peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$TARGET_PID/status)"
