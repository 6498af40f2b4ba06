#!/usr/bin/env bash
# CPU per result and RSS: the quorate probe receiver versus Debian's
# prometheus-blackbox-exporter, probing the same loopback JSON target at the
# same rate, side by side in one run.
#
#   bash bench/probe_vs_blackbox.sh [endpoints=200] [seconds=60]
#
# quorate: N HTTP endpoints, interval 1s, 3 conditions ([STATUS], [BODY].status,
#          [RESPONSE_TIME]), logs pipeline batch -> file exporter.
# blackbox: the same N targets scraped by Prometheus every 1s through /probe
#          with an http module checking status 200 and the body for "UP".
# Needs: bin/quorate (make build), prometheus and prometheus-blackbox-exporter
# (apt-get install -y prometheus prometheus-blackbox-exporter).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
DUR=${2:-60}
WARM=10
OUT=$(mktemp -d /tmp/quorate-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
TARGET_PORT=$(free_port); BB_PORT=$(free_port); PROM_PORT=$(free_port)

go build -o "$OUT/demotarget" ./cmd/demotarget
"$OUT/demotarget" -listen "127.0.0.1:$TARGET_PORT" 2>"$OUT/target.log" &
PIDS+=($!)

# --- quorate config
{
  cat <<YAML
receivers:
  probe:
    agent_id: bench
    endpoints:
YAML
  for i in $(seq 1 "$N"); do
    cat <<YAML
      - name: target-$i
        group: bench
        url: http://127.0.0.1:$TARGET_PORT/health?i=$i
        interval: 1s
        conditions:
          - "[STATUS] == 200"
          - "[BODY].status == UP"
          - "[RESPONSE_TIME] < 300"
YAML
  done
  cat <<YAML
processors:
  batch: {}
exporters:
  file:
    path: $OUT/results.jsonl
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [probe]
      processors: [batch]
      exporters: [file]
YAML
} > "$OUT/quorate.yaml"

# --- blackbox + prometheus config
cat > "$OUT/blackbox.yml" <<YAML
modules:
  http_3c:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200]
      fail_if_body_not_matches_regexp: ['"status":"UP"']
YAML
{
  cat <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params:
      module: [http_3c]
    static_configs:
      - targets:
YAML
  for i in $(seq 1 "$N"); do echo "          - http://127.0.0.1:$TARGET_PORT/health?i=$i"; done
  cat <<YAML
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:$BB_PORT
YAML
} > "$OUT/prometheus.yml"

bin/quorate --config "$OUT/quorate.yaml" >"$OUT/quorate.log" 2>&1 &
QPID=$!; PIDS+=($QPID)
prometheus-blackbox-exporter --config.file="$OUT/blackbox.yml" --web.listen-address="127.0.0.1:$BB_PORT" >"$OUT/blackbox.log" 2>&1 &
BPID=$!; PIDS+=($BPID)
prometheus --config.file="$OUT/prometheus.yml" --web.listen-address="127.0.0.1:$PROM_PORT" \
  --storage.tsdb.path="$OUT/prom" >"$OUT/prometheus.log" 2>&1 &
PIDS+=($!)

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
results_quorate() { grep -o 'quorate.probe.result' "$OUT/results.jsonl" 2>/dev/null | wc -l; }
probes_blackbox_window() {
  # Every completed /probe stores one probe_success sample; count them over the window.
  curl -s "http://127.0.0.1:$PROM_PORT/api/v1/query" \
    --data-urlencode "query=sum(count_over_time(probe_success{job=\"blackbox\"}[${DUR}s]))" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}

echo "warming up ${WARM}s (N=$N endpoints, 1s interval, ${DUR}s window)" >&2
sleep "$WARM"
q0=$(cpu_ticks $QPID); b0=$(cpu_ticks $BPID); r0=$(results_quorate); p0=0
sleep "$DUR"
q1=$(cpu_ticks $QPID); b1=$(cpu_ticks $BPID); r1=$(results_quorate); p1=$(probes_blackbox_window)
qrss=$(awk '/VmHWM/ {print $2}' /proc/$QPID/status); brss=$(awk '/VmHWM/ {print $2}' /proc/$BPID/status)
TCK=$(getconf CLK_TCK)

python3 - "$q0" "$q1" "$b0" "$b1" "$r0" "$r1" "$p0" "$p1" "$qrss" "$brss" "$TCK" "$N" "$DUR" <<'PY'
import sys
q0,q1,b0,b1,r0,r1,p0,p1,qrss,brss,tck,n,dur=[float(x) for x in sys.argv[1:]]
qres=r1-r0; bres=p1-p0
qcpu=(q1-q0)/tck; bcpu=(b1-b0)/tck
print(f"endpoints={int(n)} interval=1s window={int(dur)}s")
print(f"{'':10} {'results':>9} {'cpu_s':>7} {'cpu_us_per_result':>18} {'peak_rss_MiB':>13}")
for name,res,cpu,rss in (("quorate",qres,qcpu,qrss),("blackbox",bres,bcpu,brss)):
    per = cpu/res*1e6 if res else float('nan')
    print(f"{name:10} {int(res):>9} {cpu:>7.2f} {per:>18.1f} {rss/1024:>13.1f}")
if qres and bres:
    print(f"ratio quorate/blackbox cpu per result: {(qcpu/qres)/(bcpu/bres):.2f}")
PY
echo "raw files in $OUT" >&2
