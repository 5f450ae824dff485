#!/usr/bin/env bash
# MIG replay benchmark (issue 15 §4): Alibaba's 2023 pod list (../shared/traces, read in place),
# fractional-GPU pods as MIG slices beside whole-GPU pods, replayed on sim/clusters/a100-mig-mixed.yaml
# with static MIG layouts (the cluster file's) and with layouts that follow demand (--mig auto),
# side by side in one run (vigil sim --compare-mig), FIFO first-fit as the baseline. Once as
# recorded and once with arrivals N times faster (more load on the same cluster).
# Arguments: [--speedup N] [--interval DURATION] [--change DURATION] [--max-changing N] [--min-idle N]
set -euo pipefail
cd "$(dirname "$0")/.."
speedup=4
interval=5m
change=60s
max_changing=8
min_idle=0
while [ $# -gt 0 ]; do
  case "$1" in
    --speedup) speedup=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --change) change=$2; shift 2 ;;
    --max-changing) max_changing=$2; shift 2 ;;
    --min-idle) min_idle=$2; shift 2 ;;
    *) echo "usage: $0 [--speedup N] [--interval DURATION] [--change DURATION] [--max-changing N] [--min-idle N]" >&2
       exit 2 ;;
  esac
done
trace=../shared/traces/alibaba-openb-2023/openb_pod_list_default.csv
[ -f "$trace" ] || { echo "$0: $trace is missing (the trace lives outside the repository)" >&2; exit 2; }
./vigil --version >/dev/null   # builds the distribution when it is stale

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -n 1)"
for s in 1 "$speedup"; do
  echo
  echo "== Alibaba 2023 pod list on sim/clusters/a100-mig-mixed.yaml, arrivals ${s}x: static vs auto MIG layouts"
  ./vigil sim -q --cluster sim/clusters/a100-mig-mixed.yaml --trace "$trace" --arrival-speedup "$s" --compare-mig \
    --mig-interval "$interval" --mig-change "$change" --mig-max-changing "$max_changing" --mig-min-idle "$min_idle"
done
