#!/usr/bin/env bash
# How long one `vigil` CLI call takes, start to exit, without a controller: `vigil --help` (picocli's
# model and help), `vigil nodes` against a closed port (the operator path: options, context,
# HTTP client, the refusal) and `vigil version`. Each command runs --runs times after one
# warm-up; prints the median and the fastest wall time, and the median CPU time (user + system,
# which a loaded machine disturbs less), in ms.
# Usage: scripts/bench-cli-start.sh [--runs 15] [--dist DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=15
dist=$(ls -d "$root"/cli/target/vigil-*/vigil-*/ 2>/dev/null | head -n 1)
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --dist) dist=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--dist DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$dist/bin/vigil" ] || { echo "no distribution: ./mvnw -DskipTests package -pl cli -am" >&2; exit 1; }
closed="http://127.0.0.1:9"   # discard port: connection refused at once
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT

measure() {
  local name=$1; shift
  "$dist/bin/vigil" "$@" >/dev/null 2>&1 || true   # warm-up (and, with AppCDS, the archive's first run)
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$timing" -f '%e %U %S' "$dist/bin/vigil" "$@" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -n 1 "$timing")
    walls+=("$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 }')")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')")
  done
  local w c
  w=$(printf '%s\n' "${walls[@]}" | sort -n)
  c=$(printf '%s\n' "${cpus[@]}" | sort -n)
  printf '%-24s wall median %5d ms, fastest %5d ms; CPU median %5d ms  (%d runs)\n' "$name" \
    "$(echo "$w" | sed -n "$(( (runs + 1) / 2 ))p")" "$(echo "$w" | head -n 1)" \
    "$(echo "$c" | sed -n "$(( (runs + 1) / 2 ))p")" "$runs"
}

measure "vigil --help" --help
measure "vigil nodes (refused)" nodes --url "$closed"
measure "vigil version" version --url "$closed"
