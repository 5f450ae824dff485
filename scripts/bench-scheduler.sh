#!/usr/bin/env bash
# Scheduler benchmarks (README.md, Performance), run through vigil sim:
#  1. decision throughput of the controller's scheduler on 1,024 HGX H100 nodes (32 leaves × 32,
#     one spine) with N jobs submitted at once: single-node jobs, 8-node gangs and a mix, with a
#     cycle after every instant with events and with a cycle at most every 10 s;
#  2. Alibaba's 2023 pod list (../shared/traces, read in place) replayed against FIFO first-fit on
#     a cluster sized to its load and on the full node list.
# Arguments: [--jobs N] [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=50000
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: $0 [--jobs N] [--seed N]" >&2; exit 2 ;;
  esac
done
./vigil --version >/dev/null   # builds the distribution when it is stale

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -n 1)"
echo
echo "== Decision throughput: sim/clusters/h100-1024.yaml, $jobs jobs submitted at once (seed $seed)"
for interval in 0s 10s; do
  for mix in single-node gangs mixed; do
    printf '%-12s  cycle interval %-3s  ' "$mix" "$interval"
    ./vigil sim -q --cluster sim/clusters/h100-1024.yaml --generate "$mix" --jobs "$jobs" --seed "$seed" \
      --baseline none --cycle-interval "$interval" \
      | awk '/^decisions\/s/ {sub(/^decisions\/s +/, ""); d=$0} /^JCT average/ {j=$3} END {print d ", JCT average " j}'
  done
done

trace=../shared/traces/alibaba-openb-2023/openb_pod_list_default.csv
for cluster in alibaba-openb-small alibaba-openb; do
  echo
  echo "== Alibaba 2023 pod list on sim/clusters/$cluster.yaml, Vigil vs FIFO first-fit"
  start=$(date +%s%N)
  ./vigil sim -q --cluster "sim/clusters/$cluster.yaml" --trace "$trace"
  echo "the whole command, JVM start included: $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
