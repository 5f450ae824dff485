#!/usr/bin/env bash
# Checks Vigil's real GPU backends against nvidia-smi on a machine with an NVIDIA driver.
#
# For NVML (and DCGM where libdcgm is installed) it prints what `vigil probe` sees (inventory and
# one sample of every field), then compares temperature, memory used and power per GPU with
# `nvidia-smi --query-gpu`, within these tolerances (readings are taken a moment apart, and power
# is averaged differently by the two):
#   temperature  ±3 C        memory used  ±256 MiB or 2 %        power  ±25 W or 10 %
# It only reads: no MIG change, no clock, power-limit or persistence change, no GPU reset.
#
# Usage: scripts/gpu-check.sh [-c AGENT_CONFIG]     (VIGIL=path/to/bin/vigil to pick the launcher)
# Exit status: 0 all within tolerance, 1 a mismatch, 2 a setup problem.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vigil=${VIGIL:-}
if [ -z "$vigil" ]; then
  for candidate in "$here/vigil" "$here/../vigil"; do
    if [ -x "$candidate" ]; then vigil=$candidate; break; fi
  done
fi
[ -n "$vigil" ] || { echo "gpu-check: set VIGIL to bin/vigil" >&2; exit 2; }
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found: is the NVIDIA driver installed?" >&2; exit 2; }
config=()
if [ "${1:-}" = "-c" ]; then config=(-c "$2"); fi

backends=(nvml)
if ldconfig -p 2>/dev/null | grep -q 'libdcgm\.so\.[34]'; then backends+=(dcgm); fi

smi=$(nvidia-smi --query-gpu=uuid,temperature.gpu,memory.used,power.draw --format=csv,noheader,nounits)
echo "== nvidia-smi"
echo "$smi"

status=0
for backend in "${backends[@]}"; do
  echo
  echo "== vigil probe --backend $backend"
  "$vigil" probe "${config[@]}" --backend "$backend"
  ours=$("$vigil" probe "${config[@]}" --backend "$backend" -o csv \
           --fields DCGM_FI_DEV_GPU_TEMP,DCGM_FI_DEV_FB_USED,DCGM_FI_DEV_POWER_USAGE)
  echo
  echo "== $backend vs nvidia-smi"
  if ! awk -F', *' -v backend="$backend" '
      function abs(x) { return x < 0 ? -x : x }
      function check(gpu, what, ours, theirs, tol,   ok) {
        if (ours == "" || theirs == "" || theirs ~ /N\/A|Not Supported/) {
          printf "%-8s %-12s %-14s vigil=%s nvidia-smi=%s  SKIP (not reported)\n", backend, gpu, what, ours, theirs
          return
        }
        ok = abs(ours - theirs) <= tol
        printf "%-8s %-12s %-14s vigil=%s nvidia-smi=%s  %s (tolerance %s)\n", backend, gpu, what, ours, theirs,
               ok ? "OK" : "MISMATCH", tol
        if (!ok) bad = 1
      }
      FNR == NR { temp[$1] = $2; mem[$1] = $3; power[$1] = $4; next }
      FNR == 1 { next }
      {
        uuid = $2; seen[uuid] = 1
        if (!(uuid in temp)) { printf "%s: GPU %s (%s) not in nvidia-smi\n", backend, $1, uuid; bad = 1; next }
        memtol = mem[uuid] * 0.02; if (memtol < 256) memtol = 256
        powtol = power[uuid] * 0.10; if (powtol < 25) powtol = 25
        check("gpu" $1, "temperature C", $3, temp[uuid], 3)
        check("gpu" $1, "memory MiB", $4, mem[uuid], memtol)
        check("gpu" $1, "power W", $5, power[uuid], powtol)
      }
      END {
        for (u in temp) if (!(u in seen)) { printf "%s: nvidia-smi GPU %s not seen by vigil\n", backend, u; bad = 1 }
        exit bad
      }' <(echo "$smi") <(echo "$ours"); then
    status=1
  fi
done
exit $status
